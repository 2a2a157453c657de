/**
 * Benchmark: the server snapshot and the Node SDK's GatrixServerCache.
 *
 *   node --import tsx bench/server-cache.ts        (or: npm run bench:server-cache)
 *
 * 1. Starts the real server (packages/server/src/main.ts) on a fresh SQLite data dir and, through the API,
 *    creates 1,000 worlds, 10,000 whitelist entries (one import: accounts, IPv4 and IPv6 addresses and CIDRs of
 *    varied prefix lengths), 500 client versions (10 channels) and 200 notices, and a server API key.
 * 2. Snapshot: BENCH_SNAPSHOT_REQUESTS sequential GET /api/v1/server/snapshot (plain and gzip) and as many
 *    If-None-Match → 304, timed from request to last byte; p50/p99 against the 50 ms target.
 * 3. Local answers: a cache loads that snapshot; isWhitelisted over 200,000 varied inputs (random IPv4, IPv6,
 *    IPv4-mapped and account ids, ~10 % of them whitelisted) and resolveClientVersion over 100,000 varied
 *    queries, against a baseline in the same run: a Map lookup loop over the same inputs. Calls/s and the ratio;
 *    targets ≥ 1,000,000 isWhitelisted/s and ≥ 500,000 resolveClientVersion/s.
 * 4. Propagation: BENCH_CACHES (100) caches spread over BENCH_PROCESSES (4) processes
 *    (bench/server-cache-worker.ts), all on the live stream; BENCH_CHANGES (20) whitelist entries created through
 *    the API one after another, after 2 not counted (warm-up); for each, the time from sending the request to each cache answering with it.
 *    p50/p99 over every cache × change against the 500 ms target.
 *
 * Exit code: 0 when everything ran (targets met or not: a miss prints MISS), 1 when anything broke.
 */
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { GatrixServerCache } from '../packages/sdk-node/src/index.ts';
import { BENCH_ADMIN, call, cleanEnv, envInt, fmt, ROOT, runBenchmark, startGatrix } from './lib.ts';

const SNAPSHOT_REQUESTS = envInt('BENCH_SNAPSHOT_REQUESTS', 50, 1);
const CACHES = envInt('BENCH_CACHES', 100, 1);
const PROCESSES = envInt('BENCH_PROCESSES', 4, 1);
const CHANGES = envInt('BENCH_CHANGES', 20, 1);
const WARMUP_CHANGES = 2;

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const verdict = (ok: boolean) => (ok ? 'ok' : 'MISS');

function randomV4(): string {
  return `${randomInt(1, 224)}.${randomInt(256)}.${randomInt(256)}.${randomInt(256)}`;
}
function randomV6(): string {
  return `2001:db8:${randomInt(65536).toString(16)}:${randomInt(65536).toString(16)}::${randomInt(65536).toString(16)}`;
}

/** 10,000 whitelist lines: 3,000 accounts, 3,000 IPv4 (addresses and /16…/30), 3,000 IPv6 (addresses and /32…/64), 1,000 IPv4-mapped. */
function whitelistLines(): string[] {
  const lines = new Set<string>();
  while (lines.size < 3000) lines.add(`account:player-${randomInt(1_000_000)}`);
  while (lines.size < 6000) lines.add(randomInt(2) ? randomV4() : `${randomV4()}/${randomInt(16, 31)}`);
  while (lines.size < 9000) lines.add(randomInt(2) ? randomV6() : `${randomV6()}/${[32, 40, 48, 56, 64][randomInt(5)]}`);
  while (lines.size < 10000) lines.add(`::ffff:${randomV4()}`);
  return [...lines];
}

async function timed(url: string, headers: Record<string, string>): Promise<{ ms: number; status: number }> {
  const t = performance.now();
  const r = await fetch(url, { headers });
  await r.arrayBuffer();
  return { ms: performance.now() - t, status: r.status };
}

/** Calls per second of `f` over `inputs`, best of 5 passes (after a warm-up pass). */
function rate<T>(inputs: T[], f: (x: T) => unknown): number {
  let best = 0;
  let sink = 0;
  for (let pass = 0; pass < 6; pass++) {
    const t = performance.now();
    for (const x of inputs) if (f(x)) sink++;
    const perSecond = inputs.length / ((performance.now() - t) / 1000);
    if (pass > 0) best = Math.max(best, perSecond);
  }
  if (sink < 0) console.log(sink);
  return best;
}

runBenchmark('server-cache', async (bench) => {
  const { child, base } = await startGatrix('gatrix', path.join(bench.tempDir, 'data'), { GATRIX_SOCKET_MAX_PER_CREDENTIAL: String(CACHES + 10) });
  bench.children.push(child);
  const { accessToken } = (await call(base, 'POST', '/api/v1/auth/login', {}, { username: BENCH_ADMIN.username, password: BENCH_ADMIN.password })) as { accessToken: string };
  const admin = { authorization: `Bearer ${(await call(base, 'POST', '/api/v1/api-keys', { authorization: `Bearer ${accessToken}` }, { name: 'bench', type: 'admin' }) as { key: string }).key}` };
  const serverKey = ((await call(base, 'POST', '/api/v1/api-keys', admin, { name: 'bench server', type: 'server' })) as { key: string }).key;

  process.stdout.write('seeding 1,000 worlds, 10,000 whitelist entries, 500 versions, 200 notices … ');
  const inBatches = async (n: number, make: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < n; i += 20) await Promise.all(Array.from({ length: Math.min(20, n - i) }, (_, k) => make(i + k)));
  };
  await inBatches(1000, (i) => call(base, 'POST', '/api/v1/game-worlds', admin, { worldId: `world-${i}`, name: `World ${i}`, tags: ['pvp'], maintenanceMessages: { ko: '점검', en: 'Maintenance' }, maintenance: i % 50 === 0 }));
  const lines = whitelistLines();
  await call(base, 'POST', '/api/v1/whitelist/import', admin, { text: lines.join('\n'), dryRun: false });
  await inBatches(500, (i) =>
    call(base, 'POST', '/api/v1/client-versions', admin, {
      channel: `CH${i % 10}`,
      subChannel: 'Main',
      version: `1.${Math.floor(i / 10)}.${i % 7}`,
      status: ['ONLINE', 'ONLINE', 'RECOMMENDED_UPDATE', 'MAINTENANCE', 'FORCED_UPDATE'][i % 5],
      gameServerAddress: 'game.example.com:7000',
      patchAddress: 'https://cdn.example.com/patch',
      minPatchVersion: i % 3 === 0 ? `1.${Math.floor(i / 10)}.${i % 7}.5` : null,
      maintenanceMessages: { ko: '버전 점검', en: 'Version maintenance' },
    }),
  );
  await inBatches(200, (i) => call(base, 'POST', '/api/v1/notices', admin, { title: `Notice ${i}`, body: 'x'.repeat(200), channels: i % 2 ? [`CH${i % 10}`] : [], priority: i % 10 }));
  console.log('done');

  // 2. Snapshot
  const url = `${base}/api/v1/server/snapshot`;
  const key = { 'x-api-key': serverKey };
  const first = await fetch(url, { headers: key });
  const etag = first.headers.get('etag')!;
  const size = (await first.arrayBuffer()).byteLength;
  const series = async (headers: Record<string, string>, status: number) => {
    const ms: number[] = [];
    for (let i = 0; i < SNAPSHOT_REQUESTS; i++) {
      const r = await timed(url, headers);
      if (r.status !== status) throw new Error(`snapshot answered ${r.status}, expected ${status}`);
      ms.push(r.ms);
    }
    return { sorted: ms.sort((a, b) => a - b) };
  };
  const plain = await series({ ...key, 'accept-encoding': 'identity' }, 200);
  const gzip = await series({ ...key, 'accept-encoding': 'gzip' }, 200);
  const unchanged = await series({ ...key, 'if-none-match': etag }, 304);
  console.log(`\nsnapshot (${fmt(size / 1024)} KiB of JSON; ${SNAPSHOT_REQUESTS} sequential requests each, request to last byte; target ≤ 50 ms)`);
  for (const [name, s] of [['200 identity', plain], ['200 gzip', gzip], ['304 If-None-Match', unchanged]] as const) {
    const p99 = quantile(s.sorted, 0.99);
    console.log(`  ${name.padEnd(18)} p50 ${fmt(quantile(s.sorted, 0.5), 2).padStart(7)} ms  p99 ${fmt(p99, 2).padStart(7)} ms  ${verdict(p99 <= 50)}`);
  }

  // 3. Local answers
  const cache = new GatrixServerCache({ apiKey: serverKey, baseURL: base, realtime: false, revalidateMs: 600_000 });
  await cache.ready();
  const accounts = lines.filter((l) => l.startsWith('account:')).map((l) => l.slice('account:'.length));
  const listedIps = lines.filter((l) => !l.startsWith('account:')).map((l) => l.split('/')[0]);
  const inputs = Array.from({ length: 200_000 }, (_, i) => {
    const hit = i % 10 === 0;
    switch (i % 4) {
      case 0:
        return { accountId: hit ? accounts[randomInt(accounts.length)] : `player-${randomInt(1_000_000, 2_000_000)}` };
      case 1:
        return { ip: hit ? listedIps[randomInt(listedIps.length)] : randomV4() };
      case 2:
        return { ip: hit ? listedIps[randomInt(listedIps.length)] : randomV6() };
      default:
        return { ip: `::ffff:${randomV4()}` };
    }
  });
  const baselineMap = new Map<string, boolean>([...accounts, ...listedIps].map((k) => [k, true]));
  const whitelistBase = rate(inputs, (x) => baselineMap.get(x.accountId ?? x.ip!));
  const whitelistRate = rate(inputs, (x) => cache.isWhitelisted(x));
  const whitelistHits = inputs.filter((x) => cache.isWhitelisted(x)).length;

  const versions = (await call(base, 'GET', '/api/v1/server/snapshot', key)) as { clientVersions: { channel: string; subChannel: string; version: string }[] };
  const queries = Array.from({ length: 100_000 }, (_, i) => {
    const v = versions.clientVersions[randomInt(versions.clientVersions.length)];
    return {
      channel: v.channel,
      subChannel: v.subChannel,
      version: i % 20 === 0 ? 'latest' : v.version,
      patchVersion: i % 3 === 0 ? undefined : `${v.version}.${randomInt(10)}`,
      lang: ['ko', 'en', 'ko-KR', undefined][i % 4],
      accountId: i % 5 === 0 ? accounts[randomInt(accounts.length)] : `player-${randomInt(1_000_000, 2_000_000)}`,
      ip: randomV4(),
    };
  });
  const versionMap = new Map(versions.clientVersions.map((v) => [`${v.channel}|${v.subChannel}|${v.version}`, v]));
  const resolveBase = rate(queries, (q) => versionMap.get(`${q.channel}|${q.subChannel}|${q.version}`));
  const resolveRate = rate(queries, (q) => cache.resolveClientVersion(q));
  await cache.close();
  console.log(`\nlocal answers (10,000 whitelist entries, 500 versions; baseline: a Map lookup loop over the same inputs)`);
  console.log(`  isWhitelisted          ${fmt(whitelistRate).padStart(11)} calls/s   baseline ${fmt(whitelistBase).padStart(11)}/s   ratio ${fmt(whitelistRate / whitelistBase, 3)}   (${fmt((100 * whitelistHits) / inputs.length, 1)} % whitelisted)   target ≥ 1,000,000/s ${verdict(whitelistRate >= 1_000_000)}`);
  console.log(`  resolveClientVersion   ${fmt(resolveRate).padStart(11)} calls/s   baseline ${fmt(resolveBase).padStart(11)}/s   ratio ${fmt(resolveRate / resolveBase, 3)}   target ≥ 500,000/s ${verdict(resolveRate >= 500_000)}`);

  // 4. Propagation
  const watch = Array.from({ length: WARMUP_CHANGES + CHANGES }, (_, i) => `198.18.${i}.1`);
  const seen = new Map<string, number[]>(watch.map((ip) => [ip, []]));
  const gone = new Map<string, number[]>(watch.map((ip) => [ip, []]));
  const workers = Array.from({ length: PROCESSES }, (_, p) => {
    const count = Math.floor(CACHES / PROCESSES) + (p < CACHES % PROCESSES ? 1 : 0);
    const proc = spawn(process.execPath, ['--import', 'tsx', 'bench/server-cache-worker.ts'], {
      cwd: ROOT,
      env: { ...cleanEnv(), BENCH_CACHES: String(count), BENCH_BASE: base, BENCH_KEY: serverKey, BENCH_WATCH: watch.join(',') },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let buffered = '';
    const ready = new Promise<void>((resolve, reject) => {
      proc.on('exit', (code) => reject(new Error(`worker ${p} exited with ${code}`)));
      proc.stdout.setEncoding('utf8').on('data', (d: string) => {
        buffered += d;
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line === 'ready') resolve();
          const m = /^(seen|gone) (\S+) (\d+)$/.exec(line);
          if (m) (m[1] === 'seen' ? seen : gone).get(m[2])!.push(Number(m[3]));
        }
      });
    });
    ready.catch(() => undefined);
    return { proc, ready };
  });
  bench.atExit(() => workers.forEach((w) => w.proc.stdin.end()));
  await Promise.all(workers.map((w) => w.ready));
  /** Sends one change and waits until every cache has applied it; the arrival times, from the request's start. */
  const propagate = async (ip: string, arrivals: Map<string, number[]>, change: () => Promise<unknown>) => {
    const sentAt = Date.now();
    await change();
    const deadline = Date.now() + 30_000;
    while (arrivals.get(ip)!.length < CACHES) {
      if (Date.now() > deadline) throw new Error(`${ip} reached ${arrivals.get(ip)!.length} of ${CACHES} caches in 30 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return arrivals.get(ip)!.map((t) => t - sentAt);
  };
  // Every other change creates an entry (a tester added: the cache layers it over its matcher), the rest disable the
  // entry created before (a change to a known entry: the cache rebuilds its matcher of 10,000 entries).
  const latencies = { created: [] as number[], disabled: [] as number[] };
  for (const [n, ip] of watch.entries()) {
    let id = 0;
    const created = await propagate(ip, seen, async () => {
      id = ((await call(base, 'POST', '/api/v1/whitelist', admin, { type: 'ip', value: ip })) as { id: number }).id;
    });
    const disabled = await propagate(ip, gone, () => call(base, 'PATCH', `/api/v1/whitelist/${id}`, admin, { enabled: false }));
    // The first WARMUP_CHANGES warm the caches' code paths (as autocannon's warm-up does) and are not counted.
    if (n >= WARMUP_CHANGES) {
      latencies.created.push(...created);
      latencies.disabled.push(...disabled);
    }
  }
  console.log(`\npropagation (${CACHES} caches over ${PROCESSES} processes; ${CHANGES} whitelist entries created and then disabled through the API)`);
  for (const [what, list] of Object.entries(latencies)) {
    list.sort((a, b) => a - b);
    const p99 = quantile(list, 0.99);
    console.log(`  ${what.padEnd(8)} API request sent → cache answers   p50 ${fmt(quantile(list, 0.5))} ms   p99 ${fmt(p99)} ms   max ${fmt(list[list.length - 1])} ms   (${list.length} arrivals)   target p99 ≤ 500 ms ${verdict(p99 <= 500)}`);
  }
  return 0;
});
