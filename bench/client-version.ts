/**
 * Benchmark: the game-client hot path, GET /api/v1/client/client-version, in a launch storm (1,000 account ids ×
 * 3 languages, 8 versions, a caller IP of its own per request behind a trusted proxy), Gatrix in its default
 * configuration against a raw node:http server and a bare Fastify server answering the same bytes, and against
 * Gatrix with its per-request logging and metrics off.
 *
 *   node --import tsx bench/client-version.ts        (or: npm run bench:client)
 *
 * 1. Starts the real server (packages/server/src/main.ts) twice as child processes, each on a fresh data dir (and,
 *    with BENCH_DATABASE_URL, a fresh PostgreSQL database): "gatrix" as shipped (LOG_LEVEL info, its log lines
 *    written to /dev/null; request metrics on) and "gatrix, quiet" (LOG_LEVEL=warn, GATRIX_REQUEST_METRICS=false).
 *    Both trust the loopback proxy (TRUST_PROXY=127.0.0.1), so the caller IP is X-Forwarded-For's.
 * 2. Through the HTTP API: 50 client versions, 200 whitelist entries (accounts, IPv4 and IPv6 addresses and
 *    networks; 20 of the storm's 1,000 players by account id), a client API key (bench/client-setup.ts).
 * 3. Fetches the answer of each of the storm's 3,000 requests once (whitelisted players must get the QA address,
 *    the others not) and starts bench/raw-http-server.ts and bench/bare-server.ts answering each its exact bytes.
 * 4. autocannon against each, every connection cycling through the 3,000 requests: a warm-up that checks every
 *    answer, then BENCH_ROUNDS measured runs interleaved across the targets.
 * 5. Prints every run, and: the medians of the per-round ratios gatrix/raw (target ≥ 0.8×) and gatrix/bare, the
 *    worst round's gatrix p99 (target ≤ 5 ms), and what logging and metrics cost (1 − gatrix/quiet, ≤ 10 %).
 *
 * Exit code: 0 when every run completed with only 2xx answers (whether the targets are met or not), 1 when
 * anything broke.
 *
 * Environment:
 *   BENCH_DURATION      seconds of each measured run (10)
 *   BENCH_WARMUP        seconds of warm-up before each target's first run (3)
 *   BENCH_CONNECTIONS   concurrent connections (100)
 *   BENCH_QUIET_WAIT    seconds to wait for other processes to go quiet before each run (60)
 *   BENCH_RETRIES       how often to redo a measured run that other processes disturbed (2)
 *   BENCH_ROUNDS        interleaved measured runs per target (3)
 *   BENCH_DATABASE_URL  a PostgreSQL server: each Gatrix on a fresh database there (PostgreSQL mode)
 *   BENCH_CPU_PROF      a directory: the servers run with --cpu-prof and write a .cpuprofile there when stopped
 *   BENCH_SERVER_ENTRY  the server's main.ts (packages/server/src/main.ts); point it at a patched copy to compare
 */
import { availableParallelism, cpus } from 'node:os';
import { type Bench, exitCode, fmt, loadNotes, memoryOf, mib, runBenchmark, startBareServer } from './lib.ts';
import {
  bodiesByPath,
  freshDatabase,
  median,
  ROUTE,
  roundRatios,
  roundsTable,
  startClientGatrix,
  STORM_ENV,
  STORM_LANGS,
  STORM_PLAYERS,
  STORM_ROUNDS,
  STORM_SETTINGS,
  stormRequests,
  stormRounds,
  type StormTarget,
  VERSIONS,
  WHITELIST,
} from './client-setup.ts';

const TARGET_RATIO = 0.8;
const TARGET_P99_MS = 5;
/** Request logging and metrics may cost the hot path at most this share of its req/s. */
const TARGET_OBSERVABILITY_COST = 0.1;

async function main(bench: Bench): Promise<number> {
  const { tempDir, children } = bench;
  const cores = availableParallelism();
  const database = process.env.BENCH_DATABASE_URL ? 'PostgreSQL' : 'SQLite';
  process.stdout.write(
    `client-version: GET ${ROUTE}, a storm of ${fmt(STORM_PLAYERS)} account ids × ${STORM_LANGS.length} languages, one caller IP each (X-Forwarded-For)\n` +
      `  ${VERSIONS} client versions, ${WHITELIST} whitelist entries, client API key, ${STORM_SETTINGS.connections} connections, ` +
      `${STORM_SETTINGS.warmup} s warm-up + ${STORM_ROUNDS} × ${STORM_SETTINGS.duration} s per target\n` +
      `  ${cores} CPU(s) (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, ${database}; ` +
      `autocannon runs in this process and shares the CPUs with the server under test\n`,
  );

  const start = async (name: string, env: Record<string, string>) =>
    startClientGatrix(bench, name, { ...STORM_ENV, ...(await freshDatabase(bench, name)), ...env }, { discardStdout: true, readyTimeoutMs: 300_000 });
  const gatrix = await start('gatrix', { LOG_LEVEL: 'info' });
  const quiet = await start('gatrix, quiet', { LOG_LEVEL: 'warn', GATRIX_REQUEST_METRICS: 'false' });
  const requests = await stormRequests(gatrix);
  const quietRequests = await stormRequests(quiet);
  if (quietRequests.some((r, i) => r.body !== requests[i].body)) throw new Error('the two Gatrix servers answered different bodies');
  const bodies = bodiesByPath(requests);
  const baseline = async (name: string, script: string): Promise<StormTarget> => {
    const { child, url } = await startBareServer(tempDir, ROUTE, '', requests[0].body, bodies, { name, script });
    children.push(child);
    return { child, base: url.slice(0, url.indexOf(ROUTE)), headers: {} };
  };
  const raw = await baseline('raw node:http', 'bench/raw-http-server.ts');
  const bare = await baseline('bare Fastify', 'bench/bare-server.ts');

  const idle = memoryOf(gatrix.child.proc.pid!);
  const { measured, problems } = await stormRounds(bench, [gatrix, quiet, raw, bare], requests, STORM_SETTINGS, STORM_ROUNDS);
  const after = memoryOf(gatrix.child.proc.pid!);
  const [g, q, r, b] = measured;

  const toRaw = roundRatios(g, r);
  const toBare = roundRatios(g, b);
  const toQuiet = roundRatios(g, q);
  const worstP99 = Math.max(...g.map((m) => m.p99));
  const cost = 1 - toQuiet.median;
  const ratioOk = toRaw.median >= TARGET_RATIO;
  const p99Ok = worstP99 <= TARGET_P99_MS;
  const costOk = cost <= TARGET_OBSERVABILITY_COST;
  const { unreliable, notes } = loadNotes([...g, ...q, ...r, ...b], r[0]);
  const each = (xs: number[]) => xs.map((x) => fmt(x, 2)).join(' / ');
  process.stdout.write(
    `\n${roundsTable(measured)}\n` +
      `  (CPU: share of one core during the measured run; the machine has ${cores})\n\n` +
      `  gatrix/raw node:http (median of per-round ratios ${each(toRaw.each)}): ${fmt(toRaw.median, 2)}×  target ≥ ${fmt(TARGET_RATIO, 2)}×  ${ratioOk ? 'PASS' : 'MISS'}${unreliable}\n` +
      `  gatrix/bare Fastify (${each(toBare.each)}): ${fmt(toBare.median, 2)}×\n` +
      `  gatrix p99, worst round: ${fmt(worstP99)} ms  target ≤ ${TARGET_P99_MS} ms  ${p99Ok ? 'PASS' : 'MISS'}${unreliable}\n` +
      `  request logging and metrics cost (1 − gatrix/quiet, per-round ${each(toQuiet.each)}): ${fmt(cost * 100, 1)} %  ` +
      `target ≤ ${fmt(TARGET_OBSERVABILITY_COST * 100)} %  ${costOk ? 'PASS' : 'MISS'}${unreliable}\n` +
      `  CPU µs per request, median: gatrix ${fmt(median(g.map((m) => m.cpuPerRequestUs ?? NaN)))}, quiet ${fmt(median(q.map((m) => m.cpuPerRequestUs ?? NaN)))}, ` +
      `raw ${fmt(median(r.map((m) => m.cpuPerRequestUs ?? NaN)))}, bare ${fmt(median(b.map((m) => m.cpuPerRequestUs ?? NaN)))}\n` +
      `  overall: ${ratioOk && p99Ok && costOk ? 'PASS' : 'MISS'}\n` +
      `  gatrix RSS after the runs: ${mib(after.rssKiB)}` +
      (after.peakKiB !== undefined ? ` (peak ${mib(after.peakKiB)})` : '') +
      `; idle before the load: ${mib(idle.rssKiB)}\n` +
      notes.map((n) => `  ${n}\n`).join(''),
  );

  return exitCode('client-version', problems);
}

runBenchmark('client-version', main);
