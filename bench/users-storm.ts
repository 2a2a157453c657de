/**
 * Benchmark: the users list under a storm — many pages and filters at once, with 50 registrations a second
 * alongside — Gatrix against a bare Fastify route running the same page query on the same database
 * (bench/bare-users-server.ts).
 *
 *   npm run bench:users-storm        (node --import tsx bench/users-storm.ts)
 *
 * SQLite part: BENCH_USERS (100,000) users (bench/seed-users.ts). ~440 distinct list requests: 56 filter and sort
 * pairs (PAIRS: role, status, both, created and last-login ranges; id, newest, last login, username), each its first
 * page and 5 cursor pages at random depths (deeper pages are reached by cursor, as the console does), and 40 `q`
 * prefixes; every request picks one at random. Closed loop, BENCH_CONNECTIONS (10).
 * Target: Gatrix ≥ 5,000 req/s (median round) with p99 ≤ 20 ms (worst round).
 *
 * PostgreSQL part: BENCH_PG_USERS (1,000,000) users (seedUsersPostgres) in a fresh database on BENCH_PG_URL. Two
 * workloads, each at a fixed rate (BENCH_PG_RATE, 200/s, evenly spaced over up to 20 keep-alive connections) so
 * latency is service time, not a queue: cursor pages at random depths (5 positions in each of the 56 filter and sort pairs), and `q` prefix searches
 * (200 prefixes of 1–6 characters, from the seeded names and emails). Target: p99 ≤ 20 ms (worst round) for each.
 *
 * Every measured round runs the registrations (POST /api/v1/users on Gatrix, player accounts, BENCH_WRITES/s)
 * alongside, for Gatrix's rounds and the bare server's alike (same database, same writes). Rounds alternate Gatrix
 * and bare; the ratio is taken per round (req/s gatrix/bare closed loop; p99 bare/gatrix at a fixed rate) and its
 * median reported; p99 is judged on the worst round. Gatrix runs its default configuration (LOG_LEVEL info).
 *
 * Environment: BENCH_PARTS (sqlite,postgres), BENCH_ROUNDS (3), BENCH_DURATION (10 s), BENCH_WARMUP (10 s: a cold node fills its cache first),
 * BENCH_CONNECTIONS (10), BENCH_WRITES (50), BENCH_USERS (100000), BENCH_PG_USERS (1000000), BENCH_PG_RATE (200),
 * BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/postgres: a role that may create databases), BENCH_QUIET_WAIT.
 */
import { availableParallelism, cpus } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { openDatabase, type Db } from '../packages/server/src/db/index.ts';
import { cursorCodec } from '../packages/server/src/modules/users/list-cache.ts';
import { listFilter } from '../packages/server/src/modules/users/service.ts';
import { sortOf, usersStore, type Position } from '../packages/server/src/modules/users/store.ts';
import type { PublicUser } from '../packages/server/src/modules/users/schemas.ts';
import { BENCH_ADMIN, type Bench, type LoadResult, paced, type Child, cleanEnv, envInt, fmt, freePort, pct, runBenchmark, startChild, startGatrix, stopChild, waitForQuiet, waitUntilAnswering, withCpu } from './lib.ts';
import { prng, seedUsers, seedUsersPostgres } from './seed-users.ts';

const PARTS = (process.env.BENCH_PARTS ?? 'sqlite,postgres').split(',').map((p) => p.trim());
const ROUNDS = envInt('BENCH_ROUNDS', 3, 1);
const DURATION = envInt('BENCH_DURATION', 10, 1);
const WARMUP = envInt('BENCH_WARMUP', 10, 0);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 10, 1);
const WRITES = envInt('BENCH_WRITES', 50, 0);
const USERS = envInt('BENCH_USERS', 100_000, 1000);
const PG_USERS = envInt('BENCH_PG_USERS', 1_000_000, 1000);
const PG_RATE = envInt('BENCH_PG_RATE', 200, 1);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const QUIET_WAIT = envInt('BENCH_QUIET_WAIT', 30, 0);
/** startGatrix's JWT_SECRET: cursors for Gatrix are made with it, as Gatrix makes them. */
const JWT_SECRET = 'bench-jwt-secret-bench-jwt-secret-0123456789';
const P99_TARGET = 20;
const RPS_TARGET = 5000;

const SORTS = ['id', '-id', '-createdAt', '-lastLoginAt', 'username'];
/**
 * Filter and sort pairs, as operators combine them: the role and status filters under every sort, and each time
 * range under the sorts that read it from its own end (newest first for a "from", oldest first for a "to"). Pairs whose
 * filter and sort pull apart (users created before 2023-06 sorted newest first) are not index-served: docs/users.md.
 */
const PAIRS: [string, string][] = [
  ...['', 'role=player', 'role=viewer', 'role=operator', 'status=active', 'status=suspended', 'role=player&status=suspended', 'role=viewer&status=active']
    .flatMap((f) => SORTS.map((s): [string, string] => [f, s])),
  ...(['status=pending', 'role=player&status=pending'] as const).flatMap((f) => ['id', '-id', '-createdAt', 'username'].map((s): [string, string] => [f, s])),
  ['createdFrom=2025-01-01T00:00:00Z', '-id'], ['createdFrom=2025-01-01T00:00:00Z', '-createdAt'], ['createdFrom=2025-01-01T00:00:00Z&role=player', '-createdAt'],
  ['createdTo=2023-06-01T00:00:00Z', 'id'], ['createdTo=2023-06-01T00:00:00Z', 'createdAt'],
  ['lastLoginFrom=2025-05-01T00:00:00Z', '-lastLoginAt'], ['lastLoginFrom=2025-03-01T00:00:00Z&role=player', '-lastLoginAt'], ['lastLoginTo=2024-01-01T00:00:00Z', 'lastLoginAt'],
];
const FILTERS = [...new Set(PAIRS.map(([f]) => f))];

const random = prng(7);
const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];

/** One request, in the form each server takes (their cursors differ: Gatrix's carry a MAC). */
interface Req {
  gatrix: string;
  bare: string;
}

const cursors = cursorCodec(JWT_SECRET);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function query(filter: string, rest: string): string {
  return `/api/v1/users?${[filter, rest].filter(Boolean).join('&')}`;
}

/** A cursor request continuing after `p`, for both servers. */
function cursorReq(filter: string, sort: string, p: Position): Req {
  const params = Object.fromEntries(new URLSearchParams(filter));
  const key = JSON.stringify(listFilter(params));
  return {
    gatrix: query(filter, `sort=${sort}&cursor=${cursors.encode(sort, key, p)}`),
    bare: query(filter, `sort=${sort}&cursor=${b64([p.value, p.id])}`),
  };
}

/** The filter's lowest and highest ids, for picking its rows at random. */
async function idRange(db: Db, filter: string): Promise<[number, number] | undefined> {
  const params = Object.fromEntries(new URLSearchParams(filter));
  const [first] = await usersStore(db).list({ ...params, sort: 'id' }, { limit: 1 });
  const [last] = await usersStore(db).list({ ...params, sort: '-id' }, { limit: 1 });
  return first && last ? [first.id, last.id] : undefined;
}

/**
 * A random row of the filter: the first at or after a random id between its lowest and highest (its place in any
 * sort is as random). Drawing from the whole table instead would put most picks of a time range on its first row.
 */
async function randomRow(db: Db, filter: string, range: [number, number]): Promise<PublicUser | undefined> {
  const params = Object.fromEntries(new URLSearchParams(filter));
  const at = range[0] + Math.floor(random() * (range[1] - range[0] + 1));
  const [row] = await usersStore(db).list({ ...params, sort: 'id' }, { limit: 1, cursor: { value: at - 1, id: at - 1 } });
  return row;
}

async function cursorRequests(db: Db, perPair: number): Promise<Req[]> {
  const out: Req[] = [];
  const ranges = new Map<string, [number, number] | undefined>();
  for (const [filter, sort] of PAIRS) {
    if (!ranges.has(filter)) ranges.set(filter, await idRange(db, filter));
    const range = ranges.get(filter);
    for (let i = 0; range && i < perPair; i++) {
      const row = await randomRow(db, filter, range);
      if (row) out.push(cursorReq(filter, sort, { value: row[sortOf(sort).key], id: row.id }));
    }
  }
  return out;
}

/** `n` prefixes of 1–6 characters of seeded usernames and emails (lower and mixed case). */
async function prefixRequests(db: Db, n: number, maxId: number): Promise<Req[]> {
  const out: Req[] = [];
  while (out.length < n) {
    const row = await randomRow(db, '', [1, maxId]);
    if (!row) continue;
    const source = random() < 0.5 ? row.username : row.email;
    const q = source.slice(0, 1 + Math.floor(random() * 6));
    const path = query(random() < 0.3 ? pick(FILTERS.slice(0, 4)) : '', `q=${encodeURIComponent(q)}`);
    out.push({ gatrix: path, bare: path });
  }
  return out;
}

async function maxIdOf(db: Db): Promise<number> {
  const r = await db.selectFrom('users').select((eb) => eb.fn.max('id').as('m')).executeTakeFirstOrThrow();
  return Number(r.m);
}

/** Registrations at `rate`/s through the API until stopped; counts what was created and what failed. */
function registrations(base: string, token: string, tag: string, rate: number) {
  let n = 0;
  let created = 0;
  const failures: string[] = [];
  const timer = rate > 0
    ? setInterval(() => {
      const i = n++;
      fetch(`${base}/api/v1/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ username: `storm_${tag}_${i}`, email: `storm.${tag}.${i}@example.com` }),
      }).then(
        async (r) => (r.status === 201 ? created++ : failures.push(`${r.status} ${await r.text()}`)),
        (err: unknown) => failures.push(String(err)),
      );
    }, 1000 / rate)
    : undefined;
  return {
    stop() {
      clearInterval(timer);
      return { created, failures };
    },
  };
}

interface Round {
  reqPerSec: number;
  p50: number;
  p99: number;
  cpuUsPerReq?: number;
  other?: number;
  created: number;
  /** Requests that failed or timed out (autocannon's 10 s), counted rather than fatal: a slow baseline is a result. */
  lost: number;
}

/** One measured run against `base` with random picks from `paths`, registrations alongside; `rate`: paced, else closed loop. */
async function round(target: { name: string; base: string; pid: number }, paths: string[], ours: () => number[], writer: { base: string; token: string; tag: string }, rate?: number): Promise<Round> {
  const headers: Record<string, string> = target.name === 'gatrix' ? { authorization: `Bearer ${writer.token}` } : {};
  const opts = { url: target.base, connections: CONNECTIONS, headers, requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, path: pick(paths) }) }] };
  const picks = (seconds: number) => Array.from({ length: Math.round(rate! * seconds) }, () => ({ path: pick(paths), headers }));
  const run = (seconds: number): Promise<LoadResult> => (rate ? paced(target.base, picks(seconds), rate, seconds) : autocannon({ ...opts, duration: seconds }));
  await waitForQuiet(target.pid, ours, QUIET_WAIT);
  if (WARMUP > 0) await run(WARMUP);
  const writes = registrations(writer.base, writer.token, writer.tag, WRITES);
  const { result: r, cpu } = await withCpu(target.pid, ours, () => run(DURATION));
  const { created, failures } = writes.stop();
  if (r.non2xx > 0) throw new Error(`${target.name}: ${r.non2xx} non-2xx answers`);
  if (failures.length > 0) throw new Error(`registrations failed (${failures.length}): ${failures.slice(0, 3).join('; ')}`);
  return {
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    cpuUsPerReq: cpu.server === undefined ? undefined : (cpu.server * DURATION * 1e6) / r.requests.total,
    other: cpu.other,
    created,
    lost: r.errors + r.timeouts,
  };
}

/** The same rows from both servers for a sample of requests (Gatrix's page and the bare query agree). */
async function checkAgree(gatrix: string, bare: string, token: string, reqs: Req[]): Promise<void> {
  for (const r of reqs) {
    const g = await fetch(`${gatrix}${r.gatrix}`, { headers: { authorization: `Bearer ${token}` } });
    const b = await fetch(`${bare}${r.bare}`);
    const gb = (await g.json()) as { data: { id: number }[] };
    const bb = (await b.json()) as { data: { id: number }[] };
    if (g.status !== 200 || b.status !== 200) throw new Error(`${r.gatrix}: gatrix ${g.status}, bare ${b.status}`);
    if (JSON.stringify(gb.data.map((u) => u.id)) !== JSON.stringify(bb.data.map((u) => u.id))) throw new Error(`${r.gatrix}: the servers answer different rows`);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function report(title: string, rows: { g: Round; b: Round }[], ratio: (g: Round, b: Round) => number, ratioLabel: string): { medianRatio: number; worstP99: number; medianRps: number } {
  process.stdout.write(`\n  ${title}\n`);
  process.stdout.write('    round  gatrix req/s  p50 ms  p99 ms  µs CPU/req   bare req/s  p50 ms  p99 ms  µs CPU/req   ' + ratioLabel + '   registrations   other CPU   errors+timeouts\n');
  rows.forEach(({ g, b }, i) => {
    process.stdout.write(
      `    ${String(i + 1).padStart(5)}  ${fmt(g.reqPerSec).padStart(12)}  ${fmt(g.p50).padStart(6)}  ${fmt(g.p99).padStart(6)}  ${(g.cpuUsPerReq === undefined ? 'n/a' : fmt(g.cpuUsPerReq)).padStart(10)}` +
        `   ${fmt(b.reqPerSec).padStart(10)}  ${fmt(b.p50).padStart(6)}  ${fmt(b.p99).padStart(6)}  ${(b.cpuUsPerReq === undefined ? 'n/a' : fmt(b.cpuUsPerReq)).padStart(10)}` +
        `   ${fmt(ratio(g, b), 2).padStart(ratioLabel.length)}   ${fmt(g.created)} / ${fmt(b.created)}   ${pct(g.other)} / ${pct(b.other)}   ${g.lost} / ${b.lost}\n`,
    );
  });
  return { medianRatio: median(rows.map(({ g, b }) => ratio(g, b))), worstP99: Math.max(...rows.map(({ g }) => g.p99)), medianRps: median(rows.map(({ g }) => g.reqPerSec)) };
}

async function startBare(bench: Bench, database: string): Promise<{ child: Child; base: string }> {
  const port = await freePort();
  const child = startChild('bare-users', 'bench/bare-users-server.ts', { ...cleanEnv(), PORT: String(port), HOST: '127.0.0.1', BARE_DATABASE: database });
  bench.children.push(child);
  const base = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(child, `${base}/api/v1/users?limit=1`, 200);
  return { child, base };
}

async function signIn(base: string): Promise<string> {
  const r = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: BENCH_ADMIN.username, password: BENCH_ADMIN.password }) });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { accessToken: string }).accessToken;
}

/** Alternating rounds of Gatrix and bare on one workload. */
async function rounds(bench: Bench, name: string, g: { base: string; pid: number }, b: { base: string; pid: number }, token: string, reqs: Req[], rate?: number) {
  const out: { g: Round; b: Round }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    process.stdout.write(`  ${name}: round ${i + 1}/${ROUNDS}…\n`);
    const writer = { base: g.base, token, tag: `${name.replace(/\W/g, '')}${i}` };
    const gr = await round({ name: 'gatrix', ...g }, reqs.map((r) => r.gatrix), bench.pids, { ...writer, tag: `${writer.tag}g` }, rate);
    const br = await round({ name: 'bare', ...b }, reqs.map((r) => r.bare), bench.pids, { ...writer, tag: `${writer.tag}b` }, rate);
    out.push({ g: gr, b: br });
  }
  return out;
}

const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

async function sqlitePart(bench: Bench): Promise<void> {
  const dir = path.join(bench.tempDir, 'sqlite');
  const file = path.join(dir, 'gatrix.db');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const stats = await seedUsers(file, USERS);
  process.stdout.write(`\nSQLite: seeded ${fmt(stats.total)} users in ${fmt(stats.ms / 1000, 1)} s\n`);
  const handle = openDatabase({ sqliteFile: file });
  const maxId = await maxIdOf(handle.db);
  const reqs: Req[] = [];
  for (const [filter, sort] of PAIRS) reqs.push({ gatrix: query(filter, `sort=${sort}`), bare: query(filter, `sort=${sort}`) });
  reqs.push(...(await cursorRequests(handle.db, 5)), ...(await prefixRequests(handle.db, 40, maxId)));
  await handle.close();
  const { child: gatrix, base } = await startGatrix('gatrix', dir, { LOG_LEVEL: 'info' }, { echo: false });
  bench.children.push(gatrix);
  const bare = await startBare(bench, file);
  const token = await signIn(base);
  await checkAgree(base, bare.base, token, reqs.filter((_, i) => i % 20 === 0));
  process.stdout.write(`  ${fmt(reqs.length)} distinct requests; ${CONNECTIONS} connections; ${WRITES} registrations/s alongside; ${ROUNDS} rounds of ${DURATION} s per server\n`);
  const rows = await rounds(bench, 'sqlite storm', { base, pid: gatrix.proc.pid! }, { base: bare.base, pid: bare.child.proc.pid! }, token, reqs);
  const s = report(`SQLite, ${fmt(USERS)} users, random pages and filters (closed loop, ${CONNECTIONS} connections)`, rows, (g, b) => g.reqPerSec / b.reqPerSec, 'gatrix/bare req/s');
  process.stdout.write(
    `    median ratio ${fmt(s.medianRatio, 2)}×; Gatrix median ${fmt(s.medianRps)} req/s (target ≥ ${fmt(RPS_TARGET)}) ${verdict(s.medianRps >= RPS_TARGET)}; ` +
      `worst-round p99 ${fmt(s.worstP99)} ms (target ≤ ${P99_TARGET}) ${verdict(s.worstP99 <= P99_TARGET)}\n`,
  );
}

async function postgresPart(bench: Bench): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_URL });
  try {
    await admin.connect();
  } catch (err) {
    process.stdout.write(`\nPostgreSQL: skipped, cannot connect to BENCH_PG_URL (${String(err)})\n`);
    return;
  }
  const name = `gatrix_bench_${process.pid}`;
  await admin.query(`create database ${name}`);
  bench.atExit(async () => {
    await Promise.all(bench.children.map(stopChild));
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  const stats = await seedUsersPostgres(dbUrl, PG_USERS);
  process.stdout.write(`\nPostgreSQL: seeded ${fmt(stats.total)} users in ${fmt(stats.ms / 1000, 1)} s (with VACUUM ANALYZE)\n`);
  const handle = openDatabase({ url: dbUrl });
  const maxId = await maxIdOf(handle.db);
  const deep = await cursorRequests(handle.db, 5);
  const prefixes = await prefixRequests(handle.db, 200, maxId);
  await handle.close();
  const dir = path.join(bench.tempDir, 'pg');
  const { child: gatrix, base } = await startGatrix('gatrix-pg', dir, { LOG_LEVEL: 'info', DATABASE_URL: dbUrl }, { echo: false });
  bench.children.push(gatrix);
  const bare = await startBare(bench, dbUrl);
  const token = await signIn(base);
  await checkAgree(base, bare.base, token, [...deep.filter((_, i) => i % 40 === 0), ...prefixes.filter((_, i) => i % 20 === 0)]);
  const g = { base, pid: gatrix.proc.pid! };
  const b = { base: bare.base, pid: bare.child.proc.pid! };
  for (const [label, reqs] of [[`cursor pages at random depths (${fmt(deep.length)} positions)`, deep], [`q prefix search (${fmt(prefixes.length)} prefixes)`, prefixes]] as const) {
    const rows = await rounds(bench, label, g, b, token, [...reqs], PG_RATE);
    const s = report(`PostgreSQL, ${fmt(PG_USERS)} users, ${label}, ${PG_RATE} req/s evenly spaced`, rows, (gr, br) => br.p99 / gr.p99, 'bare/gatrix p99');
    process.stdout.write(`    median ratio ${fmt(s.medianRatio, 2)}×; worst-round p99 ${fmt(s.worstP99)} ms (target ≤ ${P99_TARGET}) ${verdict(s.worstP99 <= P99_TARGET)}\n`);
  }
}

async function main(bench: Bench): Promise<number> {
  process.stdout.write(
    `users-storm: GET /api/v1/users, many pages and filters, ${WRITES} registrations/s alongside\n` +
      `  ${availableParallelism()} CPU(s) (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}; autocannon runs in this process\n`,
  );
  if (PARTS.includes('sqlite')) await sqlitePart(bench);
  if (PARTS.includes('postgres')) await postgresPart(bench);
  return 0;
}

runBenchmark('users-storm', main);
