/**
 * Benchmark: GET /api/v1/client/notices, the service notices a game client gets, Gatrix against a bare Fastify
 * server answering the same bytes for the same queries, in the same run.
 *
 *   node --import tsx bench/client-notices.ts        (or: npm run bench:notices)
 *
 * 1. Starts the real server (packages/server/src/main.ts) as a child process on a fresh SQLite data dir.
 * 2. Through the HTTP API: an admin API key and, with it, NOTICES notices (default text plus Korean, Japanese and
 *    US English translations on most; five categories; priorities and windows spread out, some scheduled for
 *    later or ended; targeting by channel, sub-channel, world and version range on about half of them, open on
 *    the rest; a few disabled), and a client API key.
 * 3. QUERIES varied queries: languages (ko, ko-KR, en, ja, fr, none) × channels (steam, ios, android, none,
 *    `platform=` alias) × worlds × versions, each fetched once with the client key; every answer is checked to
 *    be a list of notices in priority order. bench/bare-server.ts then answers exactly those bodies on those URLs.
 * 4. autocannon against each, every connection cycling through the queries: a warm-up that checks every answer
 *    is 200 with its expected body, then BENCH_ROUNDS measured runs interleaved across the two targets.
 * 5. Prints req/s, p50, p99 and server CPU per request for both, and the gatrix/bare ratio against its target.
 *
 * Exit code: 0 when the runs completed with only 2xx answers (whether the target is met or not), 1 otherwise.
 *
 * Environment: BENCH_DURATION (10), BENCH_WARMUP (3), BENCH_CONNECTIONS (100), BENCH_QUIET_WAIT (60),
 * BENCH_RETRIES (2), BENCH_ROUNDS (3) as in bench/client-version.ts; BENCH_SERVER_ENTRY likewise.
 */
import path from 'node:path';
import { availableParallelism, cpus } from 'node:os';
import { type Bench, exitCode, BENCH_ADMIN, call, envInt, fmt, load, type LoadSettings, loadNotes, type Measured, runBenchmark, startBareServer, startGatrix, table, type Target } from './lib.ts';

const ROUTE = '/api/v1/client/notices';
const NOTICES = 200;
const TARGET_RATIO = 0.7;

const SETTINGS: LoadSettings = {
  duration: envInt('BENCH_DURATION', 10, 1),
  warmup: envInt('BENCH_WARMUP', 3, 0),
  connections: envInt('BENCH_CONNECTIONS', 100, 1),
  quietWait: envInt('BENCH_QUIET_WAIT', 60, 0),
  retries: envInt('BENCH_RETRIES', 2, 0),
};
const ROUNDS = envInt('BENCH_ROUNDS', 3, 1);

const CATEGORIES = ['notice', 'event', 'update', 'maintenance', 'other'];
const CHANNELS = ['steam', 'ios', 'android'];
const SUB_CHANNELS = ['pc', 'phone', 'tablet'];
const WORLDS = ['asia-1', 'asia-2', 'eu-1', 'na-1'];
const HOUR = 3600_000;

/**
 * The i-th notice: a deterministic spread of texts, categories, windows and targeting. One in ten is for every
 * client; the others name a channel and a world (and some a sub-channel or a version range), so a client gets
 * the general ones and a share of the targeted ones, as with a live game's notice board.
 */
function notice(i: number, now: number): Record<string, unknown> {
  const iso = (ms: number) => new Date(now + ms).toISOString();
  const targeted = i % 10 !== 0;
  const text = (words: string) => `${words} `.repeat(6 + (i % 15)).trim();
  return {
    title: `Notice ${i}: ${['Weekend event', 'Patch notes', 'Server news', 'Planned downtime', 'Community'][i % 5]}`,
    body: text(`Body of notice ${i}.`),
    ...(i % 4 !== 3
      ? {
          translations: {
            ko: { title: `공지 ${i}`, body: text(`공지 ${i}의 본문입니다.`) },
            ja: { title: `お知らせ ${i}`, body: text(`お知らせ ${i} の本文です。`) },
            'en-US': { title: `US notice ${i}`, body: text(`US body ${i}.`) },
          },
        }
      : {}),
    category: CATEGORIES[i % CATEGORIES.length],
    priority: (i * 7) % 11,
    enabled: i % 17 !== 0,
    // Most are open now; some start in an hour (scheduled, for a day), some ended just now.
    startsAt: i % 13 === 0 ? iso(HOUR) : i % 3 === 0 ? null : iso(-((i % 48) + 1) * HOUR),
    endsAt: i % 13 === 0 ? iso(25 * HOUR) : i % 11 === 0 ? iso(-HOUR + 1) : i % 5 === 0 ? null : iso((i % 72) * HOUR + HOUR),
    channels: targeted ? [CHANNELS[i % 3]] : [],
    subChannels: targeted && i % 5 === 1 ? [SUB_CHANNELS[i % 3]] : [],
    worldIds: targeted ? [WORLDS[Math.floor(i / 3) % 4]] : [],
    minVersion: targeted && i % 6 === 1 ? `1.${i % 4}` : null,
    maxVersion: targeted && i % 10 === 3 ? `2.${i % 3}` : null,
  };
}

/** The varied queries game clients send: languages × channels (or the platform alias) × worlds × versions. */
function queries(): string[] {
  const langs = ['ko', 'ko-KR', 'en', 'ja', 'fr', ''];
  const channels = ['channel=steam&subChannel=pc', 'platform=ios&subChannel=phone', 'channel=android&subChannel=tablet', ''];
  const worlds = ['asia-1', 'eu-1', 'na-1', ''];
  const versions = ['1.0.3', '1.2', '2.1.7', ''];
  const out: string[] = [];
  let n = 0;
  for (const lang of langs) {
    for (const channel of channels) {
      // Not the full product: each language meets every channel, and worlds and versions rotate through them.
      for (let k = 0; k < 3; k++, n++) {
        const parts = [channel, worlds[n % worlds.length] && `worldId=${worlds[n % worlds.length]}`, versions[(n >> 1) % versions.length] && `version=${versions[(n >> 1) % versions.length]}`, lang && `lang=${lang}`];
        const q = parts.filter(Boolean).join('&');
        out.push(q ? `${ROUTE}?${q}` : ROUTE);
      }
    }
  }
  return [...new Set(out)];
}

async function setUp(bench: Bench): Promise<{ base: string; pid: number; key: string; bodies: Record<string, string> }> {
  const { child, base } = await startGatrix('gatrix', path.join(bench.tempDir, 'gatrix'));
  bench.children.push(child);
  const started = performance.now();
  const login = (await call(base, 'POST', '/api/v1/auth/login', {}, { username: BENCH_ADMIN.username, password: BENCH_ADMIN.password })) as { accessToken: string };
  const adminKey = (await call(base, 'POST', '/api/v1/api-keys', { authorization: `Bearer ${login.accessToken}` }, { name: 'bench-admin-key', type: 'admin' })) as { key: string };
  const admin = { 'x-api-key': adminKey.key };
  const now = Date.now();
  for (let i = 0; i < NOTICES; i++) await call(base, 'POST', '/api/v1/notices', admin, notice(i, now));
  const key = ((await call(base, 'POST', '/api/v1/api-keys', admin, { name: 'bench-client-key', type: 'client' })) as { key: string }).key;
  process.stdout.write(`  gatrix: set up ${NOTICES} notices and the keys through the API in ${fmt((performance.now() - started) / 1000, 1)} s\n`);

  const bodies: Record<string, string> = {};
  let shown = 0;
  for (const url of queries()) {
    const r = await fetch(`${base}${url}`, { headers: { 'x-api-key': key } });
    const body = await r.text();
    if (r.status !== 200) throw new Error(`GET ${url} answered ${r.status}: ${body}`);
    const data = (JSON.parse(body) as { data: { priority: number }[] }).data;
    if (data.some((n, i) => i > 0 && n.priority > data[i - 1].priority)) throw new Error(`GET ${url}: not in priority order`);
    const again = await fetch(`${base}${url}`, { headers: { 'x-api-key': key } });
    if ((await again.text()) !== body) throw new Error(`GET ${url}: a second request answered a different body`);
    bodies[url] = body;
    shown += data.length;
  }
  const sizes = Object.values(bodies).map((b) => Buffer.byteLength(b));
  process.stdout.write(
    `  ${sizes.length} distinct queries, ${fmt(shown / sizes.length, 1)} notices per answer on average, ` +
      `${fmt(Math.min(...sizes))}–${fmt(Math.max(...sizes))} bytes (mean ${fmt(sizes.reduce((a, b) => a + b, 0) / sizes.length)})\n`,
  );
  return { base, pid: child.proc.pid!, key, bodies };
}

async function main(bench: Bench): Promise<number> {
  const cores = availableParallelism();
  process.stdout.write(
    `client-notices: GET ${ROUTE} with varied languages, channels, worlds and versions\n` +
      `  ${NOTICES} notices, client API key, ${SETTINGS.connections} connections, ${SETTINGS.warmup} s warm-up + ${SETTINGS.duration} s per target, ${ROUNDS} round(s)\n` +
      `  ${cores} CPU(s) (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, SQLite; autocannon runs in this process and shares the CPUs with the server under test\n`,
  );
  const gatrix = await setUp(bench);
  const urls = Object.keys(gatrix.bodies);
  const requests = urls.map((url) => ({ path: url, body: gatrix.bodies[url] }));
  const { child: bare, url: bareUrl } = await startBareServer(bench.tempDir, ROUTE, '', gatrix.bodies[ROUTE] ?? '{"data":[]}', gatrix.bodies);
  bench.children.push(bare);
  const targets: Target[] = [
    { name: 'gatrix', url: `${gatrix.base}${ROUTE}`, headers: { 'x-api-key': gatrix.key }, pid: gatrix.pid, requests },
    { name: 'bare', url: bareUrl, headers: {}, pid: bare.proc.pid!, requests },
  ];

  const rounds: { measured: Measured; problems: string[] }[][] = [[], []];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, target] of targets.entries()) {
      process.stdout.write(`  round ${round + 1}/${ROUNDS}: ${target.name}…\n`);
      rounds[i].push(await load(target, '', bench.pids, round === 0 ? SETTINGS : { ...SETTINGS, warmup: 0 }));
    }
  }
  const median = (rs: { measured: Measured; problems: string[] }[]) => {
    const sorted = [...rs].sort((x, y) => x.measured.reqPerSec - y.measured.reqPerSec);
    return { measured: sorted[Math.floor(sorted.length / 2)].measured, problems: rs.flatMap((r) => r.problems) };
  };
  const [g, b] = rounds.map(median);
  if (ROUNDS > 1) {
    process.stdout.write(`\n  every round (req/s): ${rounds.map((rs, i) => `${targets[i].name} ${rs.map((r) => fmt(r.measured.reqPerSec)).join(' / ')}`).join('; ')}\n`);
  }
  const ratio = g.measured.reqPerSec / b.measured.reqPerSec;
  const { unreliable, notes } = loadNotes([g.measured, b.measured], b.measured);
  process.stdout.write(
    `\n${table([g.measured, b.measured])}\n` +
      `  (CPU: share of one core during the measured run; the machine has ${cores})\n\n` +
      `  ratio gatrix/bare (req/s): ${fmt(ratio, 2)}×  target ≥ ${fmt(TARGET_RATIO, 2)}×  ${ratio >= TARGET_RATIO ? 'PASS' : 'MISS'}${unreliable}\n` +
      notes.map((n) => `  ${n}\n`).join(''),
  );
  const problems = [...g.problems, ...b.problems];
  return exitCode('client-notices', problems);
}

runBenchmark('client-notices', main);
