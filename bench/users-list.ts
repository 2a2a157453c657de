/**
 * Benchmark: GET /api/v1/users?page=1&limit=50&role=player on 100,000 users, Gatrix against a bare Fastify server.
 *
 *   node --import tsx bench/users-list.ts        (or: npm run bench:users)
 *
 * 1. Seeds BENCH_USERS (100,000) users into a fresh SQLite file in a temp dir (migrated by the server's own
 *    migrations, then one bulk-insert transaction).
 * 2. Starts the real server (packages/server/src/main.ts) as a child process on that data dir; the admin comes
 *    from the first-start bootstrap (GATRIX_ADMIN_*); signs in for an access JWT.
 * 3. Fetches the page once, checks it, and starts bench/bare-server.ts answering that exact body.
 * 4. autocannon against each: a warm-up that also checks every body is the expected one, then the measured run
 *    that counts non-2xx answers and errors.
 * 5. Prints req/s, p50 and p99 for both, the gatrix/bare ratio against the target, and the server's RSS.
 *
 * Exit code: 0 when both runs completed with only 2xx answers (whether the ratio meets the target or not),
 * 1 when anything broke.
 *
 * Environment:
 *   BENCH_DURATION      seconds of each measured run (10)
 *   BENCH_WARMUP        seconds of warm-up before each measured run (3)
 *   BENCH_CONNECTIONS   concurrent connections (50)
 *   BENCH_USERS         users to seed (100000)
 *   BENCH_QUIET_WAIT    seconds to wait for other processes to go quiet before each target (60)
 *   BENCH_RETRIES       how often to redo a measured run that other processes disturbed (2)
 *   BENCH_CPU_PROF      a directory: the server runs with --cpu-prof and writes a .cpuprofile there when stopped
 *   BENCH_SERVER_ENTRY  the server's main.ts (packages/server/src/main.ts); point it at a patched copy to compare
 */
import { availableParallelism, cpus } from 'node:os';
import path from 'node:path';
import {
  type Bench,
  envInt,
  fmt,
  load,
  type LoadSettings,
  memoryOf,
  mib,
  loadNotes,
  runBenchmark,
  startBareServer,
  table,
  BENCH_ADMIN,
  startGatrix,
  exitCode,
} from './lib.ts';
import { seedUsers } from './seed-users.ts';

const ROUTE = '/api/v1/users';
const QUERY = '?page=1&limit=50&role=player';
const TARGET_RATIO = 0.3;

const DURATION = envInt('BENCH_DURATION', 10, 1);
const WARMUP = envInt('BENCH_WARMUP', 3, 0);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 50, 1);
const USERS = envInt('BENCH_USERS', 100_000, 100);
/** Seconds to wait for other processes to go quiet before each target, and how often to redo a disturbed run. */
const QUIET_WAIT = envInt('BENCH_QUIET_WAIT', 60, 0);
const RETRIES = envInt('BENCH_RETRIES', 2, 0);
const SETTINGS: LoadSettings = { connections: CONNECTIONS, warmup: WARMUP, duration: DURATION, quietWait: QUIET_WAIT, retries: RETRIES };

const ADMIN = BENCH_ADMIN;

// ---------------------------------------------------------------------------------------------------------


async function main(bench: Bench): Promise<number> {
  const { tempDir, children } = bench;
  const cores = availableParallelism();
  process.stdout.write(
    `users-list: GET ${ROUTE}${QUERY}\n` +
      `  ${fmt(USERS)} users, ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per target\n` +
      `  ${cores} CPU(s) (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, SQLite; ` +
      `autocannon runs in this process and shares the CPUs with the server under test\n`,
  );

  const dbFile = path.join(tempDir, 'gatrix.db');
  const stats = await seedUsers(dbFile, USERS);
  process.stdout.write(
    `  seeded ${fmt(stats.total)} users in ${fmt(stats.ms / 1000, 1)} s (${Object.entries(stats.byRole)
      .map(([role, n]) => `${role} ${fmt(n)}`)
      .join(', ')})\n`,
  );

  // --- Gatrix
  const { child: gatrix, base: gatrixBase } = await startGatrix('gatrix', tempDir);
  children.push(gatrix);

  const login = await fetch(`${gatrixBase}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password }),
  });
  const loginText = await login.text();
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${loginText}`);
  const token = (JSON.parse(loginText) as { accessToken: string }).accessToken;
  const auth = { authorization: `Bearer ${token}` };

  const first = await fetch(`${gatrixBase}${ROUTE}${QUERY}`, { headers: auth });
  const body = await first.text();
  if (first.status !== 200) throw new Error(`GET ${ROUTE}${QUERY} answered ${first.status}: ${body}`);
  const parsed = JSON.parse(body) as { data: { role: string }[]; pagination: { total: number; totalExact: boolean } };
  // Above GATRIX_USERS_EXACT_TOTAL_MAX (10,000) the total is an estimate (totalExact false): within 10% then.
  const { total, totalExact } = parsed.pagination;
  if (parsed.data.length !== 50 || parsed.data.some((u) => u.role !== 'player') || (totalExact ? total !== stats.players : Math.abs(total - stats.players) > stats.players / 10)) {
    throw new Error(
      `unexpected page: ${parsed.data.length} users, roles ${[...new Set(parsed.data.map((u) => u.role))].join('/')}, ` +
        `total ${parsed.pagination.total} (seeded ${stats.players} players)`,
    );
  }
  process.stdout.write(`  Gatrix pid ${gatrix.proc.pid} on ${gatrixBase}; response ${fmt(Buffer.byteLength(body))} bytes, total ${fmt(parsed.pagination.total)}\n`);

  // --- bare Fastify
  const { child: bare, url: bareUrl } = await startBareServer(tempDir, ROUTE, QUERY, body);
  children.push(bare);

  // --- load
  const ours = bench.pids;
  const idle = memoryOf(gatrix.proc.pid!);
  process.stdout.write('  running gatrix…\n');
  const g = await load({ name: 'gatrix', url: `${gatrixBase}${ROUTE}${QUERY}`, headers: auth, pid: gatrix.proc.pid! }, body, ours, SETTINGS);
  const after = memoryOf(gatrix.proc.pid!);
  if (gatrix.exited) throw new Error(`gatrix exited during the run:\n${gatrix.tail.join('\n')}`);
  process.stdout.write('  running bare fastify…\n');
  const b = await load({ name: 'bare fastify', url: bareUrl, headers: {}, pid: bare.proc.pid! }, body, ours, SETTINGS);
  if (bare.exited) throw new Error(`the bare server exited during the run:\n${bare.tail.join('\n')}`);

  const ratio = g.measured.reqPerSec / b.measured.reqPerSec;
  const { unreliable, notes } = loadNotes([g.measured, b.measured], b.measured);
  const verdict = (ratio >= TARGET_RATIO ? 'PASS' : 'MISS') + unreliable;
  process.stdout.write(
    `\n${table([g.measured, b.measured])}\n` +
      `  (CPU: share of one core during the measured run; the machine has ${cores})\n\n` +
      `  ratio gatrix/bare (req/s): ${fmt(ratio, 2)}×  target ≥ ${fmt(TARGET_RATIO, 2)}×  ${verdict}\n` +
      `  gatrix RSS after the run: ${mib(after.rssKiB)}` +
      (after.peakKiB !== undefined ? ` (peak ${mib(after.peakKiB)})` : '') +
      `; idle before the load: ${mib(idle.rssKiB)}\n` +
      notes.map((n) => `  ${n}\n`).join(''),
  );

  const problems = [...g.problems, ...b.problems];
  return exitCode('users-list', problems);
}

runBenchmark('users-list', main);
