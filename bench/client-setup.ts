/**
 * The game-client benchmarks' shared setup (bench/client-version.ts, bench/client-whitelist.ts, bench/pretenuring.ts):
 * a Gatrix process with 50 client versions, a whitelist (200 entries by default) and a client API key, all made
 * through the HTTP API, the answer GET /api/v1/client/client-version gives one fixed query, checked, and the callers
 * of a launch storm (many account ids, languages, versions and caller IPs) with the answer each gets.
 */
import path from 'node:path';
import { adminQuery, type Bench, type Child, BENCH_ADMIN, call, envInt, fmt, load, type LoadSettings, type Measured, median, prng, startGatrix, stopChild, table } from './lib.ts';

export const ROUTE = '/api/v1/client/client-version';
export const QUERY = '?channel=PC&subChannel=Steam&version=1.0.7&patchVersion=1.0.7&lang=ko';
export const VERSIONS = 50;
export const WHITELIST = 200;

/** The storm's callers: this many account ids (`player-<n>`), each in every language, each request from its own IP. */
export const STORM_PLAYERS = 1000;
export const STORM_LANGS = ['ko', 'en', 'ja'] as const;
/** One player in this many is whitelisted by account id (every whitelist size holds them). */
const WHITELISTED_EVERY = 50;
/** The address whitelisted callers are sent to (gameServerAddressForWhitelist). */
const QA_ADDRESS = 'game-qa.example.com:7777';
/** The trusted proxy in front of Gatrix in the storm: the load comes from loopback with X-Forwarded-For. */
export const STORM_ENV = { TRUST_PROXY: '127.0.0.1' };

/**
 * `n` distinct whitelist import lines, the same for a given `n`: the storm's whitelisted players, then account ids,
 * IPv4 addresses in 10.0.0.0/8 and /28 networks in 172.16.0.0/12, IPv6 addresses and /48 and /64 networks in
 * 2001:db8::/32 — never an address the storm's callers (stormIp) or the loopback use.
 */
export function whitelistLines(n: number): string[] {
  const lines: string[] = [];
  for (let p = 0; p < STORM_PLAYERS && lines.length < n; p += WHITELISTED_EVERY) lines.push(`player-${p}, storm tester`);
  const hex = (x: number) => x.toString(16);
  for (let i = 0; lines.length < n; i++) {
    const j = i >> 3; // distinct among the lines of one kind below
    switch (i % 8) {
      case 1:
        lines.push(`172.${16 + (j >> 12)}.${(j >> 4) & 255}.${(j & 15) * 16}/28, office ${i}`);
        break;
      case 5:
        lines.push(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}, qa host ${i}`);
        break;
      case 3:
        lines.push(j % 2 ? `2001:db8:ff00:${hex(j)}::/64, vpn ${i}` : `2001:db8:${hex(j)}::/48, vpn ${i}`);
        break;
      case 7:
        lines.push(`2001:db8:ff01:${hex(i >> 16)}:${hex(i & 0xffff)}::1, qa host v6 ${i}`);
        break;
      default:
        lines.push(`account-${100_000 + i}, tester ${i}`);
    }
  }
  return lines;
}

async function setUp(base: string, whitelist: number): Promise<{ clientKey: string; ms: number }> {
  const started = performance.now();
  const login = (await call(base, 'POST', '/api/v1/auth/login', {}, { username: BENCH_ADMIN.username, password: BENCH_ADMIN.password })) as {
    accessToken: string;
  };
  const adminKey = (await call(base, 'POST', '/api/v1/api-keys', { authorization: `Bearer ${login.accessToken}` }, {
    name: 'bench-admin-key',
    type: 'admin',
  })) as { key: string };
  const admin = { 'x-api-key': adminKey.key };

  for (let i = 0; i < VERSIONS; i++) {
    await call(base, 'POST', '/api/v1/client-versions', admin, {
      channel: 'PC',
      subChannel: 'Steam',
      version: `1.0.${i}`,
      status: i < 5 ? 'FORCED_UPDATE' : i === VERSIONS - 1 ? 'UNDER_REVIEW' : i === 44 ? 'MAINTENANCE' : 'ONLINE',
      gameServerAddress: `game-${i % 4}.example.com:7777`,
      gameServerAddressForWhitelist: QA_ADDRESS,
      patchAddress: `https://patch.example.com/pc/steam/1.0.${i}/`,
      ...(i % 3 === 1 ? { minPatchVersion: `1.0.${Math.max(0, i - 2)}` } : {}),
      guestModeAllowed: i % 2 === 0,
      externalClickLink: 'https://store.steampowered.com/app/000000',
      customPayload: { build: 1000 + i, features: ['chat', 'guild'], region: 'global' },
      maintenanceMessage: 'Servers are under maintenance.',
      maintenanceMessages: { ko: '서버 점검 중입니다.', en: 'Servers are under maintenance.', ja: 'メンテナンス中です。' },
      memo: `bench version ${i}`,
    });
  }
  // Through the import, at most 10,000 lines a call (the API's limit).
  const lines = whitelistLines(whitelist);
  let created = 0;
  for (let i = 0; i < lines.length; i += 10_000) {
    const outcome = (await call(base, 'POST', '/api/v1/whitelist/import', admin, { text: lines.slice(i, i + 10_000).join('\n'), dryRun: false })) as { counts: { created: number } };
    created += outcome.counts.created;
  }
  if (created !== whitelist) throw new Error(`the whitelist import created ${created} entries, not ${whitelist}`);
  const clientKey = (await call(base, 'POST', '/api/v1/api-keys', admin, { name: 'bench-client-key', type: 'client' })) as { key: string };
  return { clientKey: clientKey.key, ms: performance.now() - started };
}

export interface ClientTarget {
  child: Child;
  base: string;
  /** The client API key's header. */
  headers: Record<string, string>;
  /** The answer to ROUTE + QUERY, the same on every request. */
  body: string;
}

/**
 * Starts Gatrix on `<bench.tempDir>/<name>` (startGatrix's `env` and options) with `whitelist` entries, sets it up
 * through the API and checks its answer: 1.0.7 ONLINE, not the whitelisted address, the same twice. The child is in
 * `bench.children` from its start, so it is stopped at the end even when the set-up fails.
 */
export async function startClientGatrix(
  bench: Bench,
  name: string,
  env: Record<string, string> = {},
  options: Parameters<typeof startGatrix>[3] = {},
  whitelist = WHITELIST,
): Promise<ClientTarget> {
  const { child, base } = await startGatrix(name, path.join(bench.tempDir, name), env, options);
  bench.children.push(child);
  const setup = await setUp(base, whitelist);
  const headers = { 'x-api-key': setup.clientKey };
  process.stdout.write(`  ${name}: set up ${VERSIONS} versions, ${fmt(whitelist)} whitelist entries and the keys through the API in ${fmt(setup.ms / 1000, 1)} s\n`);
  const first = await fetch(`${base}${ROUTE}${QUERY}`, { headers });
  const body = await first.text();
  if (first.status !== 200) throw new Error(`GET ${ROUTE}${QUERY} answered ${first.status}: ${body}`);
  const parsed = JSON.parse(body) as { version: string; status: string; message: string | null; gameServerAddress: string };
  if (parsed.version !== '1.0.7' || parsed.status !== 'ONLINE' || parsed.gameServerAddress === QA_ADDRESS) {
    throw new Error(`unexpected answer (expected 1.0.7 ONLINE, not whitelisted): ${body}`);
  }
  const again = await fetch(`${base}${ROUTE}${QUERY}`, { headers });
  if (again.status !== 200 || (await again.text()) !== body) throw new Error('a second request answered a different body');
  process.stdout.write(`  ${name} pid ${child.proc.pid} on ${base}; response ${fmt(Buffer.byteLength(body))} bytes\n`);
  return { child, base, headers, body };
}

/** A caller's address: four in five IPv4 (carrier-grade NAT 100.64.0.0/10 or 1.0.0.0–9.255.255.255), else IPv6 in 2400:cb00::/32. */
function stormIp(random: () => number): string {
  const byte = () => Math.floor(random() * 256);
  const r = random();
  if (r < 0.4) return `100.${64 + Math.floor(random() * 64)}.${byte()}.${byte()}`;
  if (r < 0.8) return `${1 + Math.floor(random() * 9)}.${byte()}.${byte()}.${byte()}`;
  const word = () => Math.floor(random() * 65536).toString(16);
  return `2400:cb00:${word()}:${word()}:${word()}:${word()}:${word()}:${word()}`;
}

export interface StormRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * The launch storm on ROUTE: every player × language once (3,000 requests), each with its own caller IP in
 * X-Forwarded-For (Gatrix trusts the loopback proxy, STORM_ENV), versions 1.0.40–1.0.47 (one in maintenance, some
 * with a patch too old), and the answer `target` gives each. Checks the whitelisted players get the QA address
 * and the others do not. Every path is distinct, so a baseline server can answer by path and query alone.
 */
export async function stormRequests(target: ClientTarget): Promise<StormRequest[]> {
  const random = prng(16);
  const requests: StormRequest[] = [];
  for (let i = 0; i < STORM_PLAYERS * STORM_LANGS.length; i++) {
    const player = i % STORM_PLAYERS;
    const minor = 40 + (i % 8);
    const query = `channel=PC&subChannel=Steam&version=1.0.${minor}&patchVersion=1.0.${minor - (i % 3)}&accountId=player-${player}&lang=${STORM_LANGS[i % STORM_LANGS.length]}`;
    requests.push({ path: `${ROUTE}?${query}`, headers: { 'x-forwarded-for': stormIp(random) }, body: '' });
  }
  for (let i = 0; i < requests.length; i += 50) {
    await Promise.all(
      requests.slice(i, i + 50).map(async (r, k) => {
        const got = await fetch(`${target.base}${r.path}`, { headers: { ...target.headers, ...r.headers } });
        r.body = await got.text();
        if (got.status !== 200) throw new Error(`GET ${r.path} answered ${got.status}: ${r.body}`);
        const whitelisted = ((i + k) % STORM_PLAYERS) % WHITELISTED_EVERY === 0;
        if (((JSON.parse(r.body) as { gameServerAddress: string }).gameServerAddress === QA_ADDRESS) !== whitelisted) {
          throw new Error(`GET ${r.path} from ${r.headers['x-forwarded-for']}: expected ${whitelisted ? '' : 'not '}the whitelisted answer, got ${r.body}`);
        }
      }),
    );
  }
  return requests;
}

/** The storm's answers by path and query, for the baseline servers (BARE_BODIES_FILE). */
export const bodiesByPath = (requests: readonly StormRequest[]): Record<string, string> => Object.fromEntries(requests.map((r) => [r.path, r.body]));

/**
 * With BENCH_DATABASE_URL (a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/test): a fresh database
 * on it, dropped at the end, as the DATABASE_URL of a Gatrix process; without it, nothing (SQLite).
 */
export async function freshDatabase(bench: Bench, name: string): Promise<Record<string, string>> {
  const admin = process.env.BENCH_DATABASE_URL;
  if (!admin) return {};
  const database = `gatrix_bench_${process.pid}_${name.replace(/\W+/g, '_')}`;
  const sql = (text: string) => adminQuery(admin, text);
  await sql(`create database ${database}`);
  bench.atExit(async () => {
    await Promise.all(bench.children.map(stopChild)); // the servers first: they hold connections to it
    await sql(`drop database if exists ${database}`).catch((err: unknown) => process.stderr.write(`could not drop ${database}: ${String(err)}\n`));
  });
  const url = new URL(admin);
  url.pathname = `/${database}`;
  return { DATABASE_URL: url.toString() };
}

/** How the storm benchmarks load each target (BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_QUIET_WAIT, BENCH_RETRIES). */
export const STORM_SETTINGS: LoadSettings = {
  duration: envInt('BENCH_DURATION', 10, 1),
  warmup: envInt('BENCH_WARMUP', 3, 0),
  connections: envInt('BENCH_CONNECTIONS', 100, 1),
  quietWait: envInt('BENCH_QUIET_WAIT', 60, 0),
  retries: envInt('BENCH_RETRIES', 2, 0),
};
/** Interleaved measured runs per target (BENCH_ROUNDS). */
export const STORM_ROUNDS = envInt('BENCH_ROUNDS', 3, 1);

/** Every run of stormRounds, each named by its target and round. */
export const roundsTable = (measured: readonly Measured[][]): string => table(measured.flatMap((ms) => ms.map((m, i) => ({ ...m, name: `${m.name} (${i + 1})` }))));

/** A server the storm is sent to. */
export interface StormTarget {
  child: Child;
  /** Origin, e.g. http://127.0.0.1:1234. */
  base: string;
  headers: Record<string, string>;
}

/**
 * The storm against each target in `rounds` interleaved rounds (so a drift of the shared machine touches them all
 * alike; the first round of each with the warm-up, which checks every answer), each run's figures by target and
 * round, and what went wrong.
 */
export async function stormRounds(bench: Bench, targets: readonly StormTarget[], requests: readonly StormRequest[], settings: LoadSettings, rounds: number) {
  const measured: Measured[][] = targets.map(() => []);
  const problems: string[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const [i, t] of targets.entries()) {
      process.stdout.write(`  round ${round + 1}/${rounds}: ${t.child.name}…\n`);
      const r = await load(
        { name: t.child.name, url: `${t.base}${ROUTE}`, headers: t.headers, requests, pid: t.child.proc.pid! },
        '',
        bench.pids,
        round === 0 ? settings : { ...settings, warmup: 0 },
      );
      if (t.child.exited) throw new Error(`${t.child.name} exited during the run:\n${t.child.tail.join('\n')}`);
      measured[i].push(r.measured);
      problems.push(...r.problems);
    }
  }
  return { measured, problems };
}

/** Per round, a's req/s over b's; the median of those ratios and each round's. */
export function roundRatios(a: readonly Measured[], b: readonly Measured[]): { median: number; each: number[] } {
  const each = a.map((m, i) => m.reqPerSec / b[i].reqPerSec);
  return { median: median(each), each };
}
