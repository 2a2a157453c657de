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
 * 5. Paced: the same storm open loop at fixed rates, evenly spaced (bench/lib.ts paced()), against Gatrix and the
 *    raw server in turn, at BENCH_PACED_SHARES of Gatrix's median closed-loop req/s (0.25, 0.5, 0.75); latency
 *    counts from the moment each request was due; each run is measured after 2 s at its rate (the other target ran
 *    meanwhile, and a node that sat idle is slow for its first requests). At 100 connections the closed loop
 *    measures a queue (every server's p99, the raw one's too, is the time the 100 requests ahead take); the paced
 *    runs measure the latency of a node that is busy but not overrun. A rate the raw server does not reach (by 3 %)
 *    is one this process could not send: that row is marked and not judged.
 * 6. Prints every run, and: the medians of the per-round ratios gatrix/raw (target ≥ 0.8×) and gatrix/bare, the
 *    worst round's gatrix p99 in the closed loop beside raw's, gatrix's p99 paced at half its capacity (target
 *    ≤ 5 ms), and what logging and metrics cost (1 − gatrix/quiet, ≤ 10 %).
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
 *   BENCH_PACED_SHARES  the paced runs' rates, as shares of Gatrix's closed-loop req/s (0.25,0.5,0.75; empty: none)
 *   BENCH_DATABASE_URL  a PostgreSQL server: each Gatrix on a fresh database there (PostgreSQL mode)
 *   BENCH_CPU_PROF      a directory: the servers run with --cpu-prof and write a .cpuprofile there when stopped
 *   BENCH_SERVER_ENTRY  the server's main.ts (packages/server/src/main.ts); point it at a patched copy to compare
 */
import { availableParallelism, cpus } from 'node:os';
import { type Bench, exitCode, fmt, loadNotes, median, memoryOf, mib, paced, type PacedResult, runBenchmark, startBareServer, waitForQuiet } from './lib.ts';
import {
  bodiesByPath,
  freshDatabase,
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
  type StormRequest,
  VERSIONS,
  WHITELIST,
} from './client-setup.ts';

const TARGET_RATIO = 0.8;
const TARGET_P99_MS = 5;
/** Request logging and metrics may cost the hot path at most this share of its req/s. */
const TARGET_OBSERVABILITY_COST = 0.1;
/** The paced runs' rates, as shares of Gatrix's closed-loop req/s; the p99 target is judged at PACED_JUDGED. */
const PACED_SHARES = (process.env.BENCH_PACED_SHARES ?? '0.25,0.5,0.75')
  .split(',')
  .filter((x) => x.trim() !== '')
  .map(Number);
if (PACED_SHARES.some((x) => !(x > 0 && x <= 1))) throw new Error('BENCH_PACED_SHARES: shares between 0 and 1, e.g. 0.25,0.5');
const PACED_JUDGED = 0.5;

/** A paced run whose sender sent its p99 request later than this (ms) measured the sender, not the server. */
const SENDER_LATE_MS = 1;

/** Seconds at the rate before each paced run is measured: a node that sat idle meanwhile warms up again. */
const PACED_WARMUP_S = 2;

/** One paced run of the storm against `target`, cycling through the requests in order, after PACED_WARMUP_S at the rate. */
async function pacedStorm(bench: Bench, target: StormTarget, requests: readonly StormRequest[], rate: number): Promise<PacedResult> {
  await waitForQuiet(target.child.proc.pid!, bench.pids, STORM_SETTINGS.quietWait);
  const sent = requests.map((r) => ({ path: r.path, headers: { ...target.headers, ...r.headers } }));
  return paced(target.base, sent, rate, STORM_SETTINGS.duration, PACED_WARMUP_S);
}

/**
 * The storm paced at each share of `capacity` (req/s), Gatrix then raw at each rate; a table of both, gatrix's p99 at
 * PACED_JUDGED (if run), and what went wrong.
 */
async function pacedRuns(bench: Bench, gatrix: StormTarget, raw: StormTarget, requests: readonly StormRequest[], capacity: number) {
  const rows: string[] = [];
  const problems: string[] = [];
  let judged: number | undefined;
  for (const share of PACED_SHARES) {
    const rate = Math.max(1, Math.round(share * capacity));
    process.stdout.write(`  paced at ${fmt(rate)} req/s (${fmt(share * 100)} % of gatrix's closed-loop req/s)…\n`);
    const g = await pacedStorm(bench, gatrix, requests, rate);
    const r = await pacedStorm(bench, raw, requests, rate);
    for (const [name, x] of [['gatrix', g], ['raw node:http', r]] as const) {
      if (x.non2xx > 0 || x.errors > 0) problems.push(`${name} paced at ${fmt(rate)} req/s: ${x.non2xx} non-2xx, ${x.errors} errors`);
    }
    // The raw server answers far faster than this: if it fell short of the rate, the sender did. A sender late by
    // more than SENDER_LATE_MS at its p99 counted its own pauses into the latencies.
    const senderBehind = r.requests.average < 0.97 * rate;
    const senderLate = g.late.p99 > SENDER_LATE_MS;
    if (share === PACED_JUDGED) judged = senderBehind || senderLate ? undefined : g.latency.p99;
    const late = (x: PacedResult) => `sender late p99 ${fmt(x.late.p99, 2)} / max ${fmt(x.late.max, 1)} ms`;
    rows.push(
      `  ${fmt(rate).padStart(7)} (${fmt(share * 100).padStart(3)} %)  gatrix p50 ${fmt(g.latency.p50, 2)} / p99 ${fmt(g.latency.p99, 2)} ms` +
        ` (${fmt(g.requests.average)} req/s, ${late(g)})   raw p50 ${fmt(r.latency.p50, 2)} / p99 ${fmt(r.latency.p99, 2)} ms (${fmt(r.requests.average)} req/s, ${late(r)})` +
        (senderBehind ? '   the load generator could not hold this rate: not a figure of the servers' : senderLate ? '   the load generator ran late against gatrix: not judged' : ''),
    );
  }
  return { rows, judged, problems };
}

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
  const pace = await pacedRuns(bench, gatrix, raw, requests, median(g.map((m) => m.reqPerSec)));
  problems.push(...pace.problems);

  const toRaw = roundRatios(g, r);
  const toBare = roundRatios(g, b);
  const toQuiet = roundRatios(g, q);
  const worstP99 = Math.max(...g.map((m) => m.p99));
  const cost = 1 - toQuiet.median;
  const ratioOk = toRaw.median >= TARGET_RATIO;
  const p99Ok = pace.judged !== undefined && pace.judged <= TARGET_P99_MS;
  const costOk = cost <= TARGET_OBSERVABILITY_COST;
  const { unreliable, notes } = loadNotes([...g, ...q, ...r, ...b], r[0]);
  const each = (xs: number[]) => xs.map((x) => fmt(x, 2)).join(' / ');
  process.stdout.write(
    `\n${roundsTable(measured)}\n` +
      `  (CPU: share of one core during the measured run; the machine has ${cores})\n\n` +
      `  gatrix/raw node:http (median of per-round ratios ${each(toRaw.each)}): ${fmt(toRaw.median, 2)}×  target ≥ ${fmt(TARGET_RATIO, 2)}×  ${ratioOk ? 'PASS' : 'MISS'}${unreliable}\n` +
      `  gatrix/bare Fastify (${each(toBare.each)}): ${fmt(toBare.median, 2)}×\n` +
      `  closed loop at ${STORM_SETTINGS.connections} connections, p99 of the worst round: gatrix ${fmt(worstP99)} ms, raw node:http ${fmt(Math.max(...r.map((m) => m.p99)))} ms (the queue of requests ahead)\n` +
      (pace.rows.length > 0 ? `  paced, open loop, latency from each request's due time:\n${pace.rows.join('\n')}\n` : '') +
      `  gatrix p99 paced at ${fmt(PACED_JUDGED * 100)} % of its closed-loop req/s: ${pace.judged === undefined ? 'not measured (not run, or the load generator fell behind)' : `${fmt(pace.judged, 2)} ms`}  target ≤ ${TARGET_P99_MS} ms  ${p99Ok ? 'PASS' : 'MISS'}${unreliable}\n` +
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
