/**
 * Benchmark: does the game-client API's cost grow with the whitelist? The storm of bench/client-version.ts (1,000
 * account ids × 3 languages, a caller IP of its own per request behind a trusted proxy) against three Gatrix
 * processes that differ only in the size of their whitelist: 200, 10,000 and 100,000 entries.
 *
 *   node --import tsx bench/client-whitelist.ts        (or: npm run bench:client-whitelist)
 *
 * 1. Starts the real server three times (default configuration: LOG_LEVEL info, its lines to /dev/null; request
 *    metrics on; TRUST_PROXY=127.0.0.1), each on a fresh data dir (with BENCH_DATABASE_URL, a fresh PostgreSQL
 *    database), and sets each up through the HTTP API: 50 client versions, a client key, and its whitelist through
 *    the import (10,000 lines a call): the storm's 20 whitelisted players, then account ids, IPv4 addresses and /24
 *    networks, IPv6 addresses and /48–/64 networks, none of them a storm caller's address.
 * 2. Fetches each storm request's answer from every process: they must be the same bytes.
 * 3. autocannon against each, every connection cycling through the 3,000 requests: a warm-up that checks every
 *    answer, then BENCH_ROUNDS measured runs interleaved across the three.
 * 4. Prints every run, the median of the per-round ratios (10,000 / 200 and 100,000 / 200, req/s) against the
 *    target (100,000 entries within 10 % of 200: ≥ 0.9×), and each size's worst-round p99.
 *
 * Exit code: 0 when every run completed with only 2xx answers, 1 when anything broke.
 *
 * Environment: BENCH_WHITELIST_SIZES (200,10000,100000; the first is the baseline), BENCH_DURATION (10),
 * BENCH_WARMUP (3), BENCH_CONNECTIONS (100), BENCH_ROUNDS (3), BENCH_QUIET_WAIT (60), BENCH_RETRIES (2),
 * BENCH_DATABASE_URL, BENCH_CPU_PROF, BENCH_SERVER_ENTRY (as bench/client-version.ts).
 */
import { availableParallelism, cpus } from 'node:os';
import { type Bench, exitCode, fmt, loadNotes, median, memoryOf, mib, runBenchmark } from './lib.ts';
import {
  type ClientTarget,
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
} from './client-setup.ts';

/** The largest whitelist's req/s at least this share of the smallest's. */
const TARGET_RATIO = 0.9;
const SIZES = (process.env.BENCH_WHITELIST_SIZES ?? '200,10000,100000').split(',').map((s) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 20) throw new Error(`BENCH_WHITELIST_SIZES must be whole numbers ≥ 20, got "${s}"`);
  return n;
});


async function main(bench: Bench): Promise<number> {
  const cores = availableParallelism();
  process.stdout.write(
    `client-whitelist: GET ${ROUTE}, a storm of ${fmt(STORM_PLAYERS)} account ids × ${STORM_LANGS.length} languages, one caller IP each, ` +
      `against whitelists of ${SIZES.map((n) => fmt(n)).join(' / ')} entries\n` +
      `  ${STORM_SETTINGS.connections} connections, ${STORM_SETTINGS.warmup} s warm-up + ${STORM_ROUNDS} × ${STORM_SETTINGS.duration} s per server; ` +
      `${cores} CPU(s) (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, ${process.env.BENCH_DATABASE_URL ? 'PostgreSQL' : 'SQLite'}\n`,
  );
  const targets: ClientTarget[] = [];
  for (const size of SIZES) {
    const name = `whitelist ${fmt(size)}`;
    targets.push(await startClientGatrix(bench, name, { ...STORM_ENV, ...(await freshDatabase(bench, name)), LOG_LEVEL: 'info' }, { discardStdout: true, readyTimeoutMs: 300_000 }, size));
  }
  const requests = await stormRequests(targets[0]);
  for (const t of targets.slice(1)) {
    if ((await stormRequests(t)).some((r, i) => r.body !== requests[i].body)) throw new Error(`${t.child.name} answered differently from ${targets[0].child.name}`);
  }

  const { measured, problems } = await stormRounds(bench, targets, requests, STORM_SETTINGS, STORM_ROUNDS);
  const ratios = measured.slice(1).map((m) => roundRatios(m, measured[0]));
  const largest = ratios[ratios.length - 1];
  const ok = largest !== undefined && largest.median >= TARGET_RATIO;
  const { unreliable, notes } = loadNotes(measured.flat(), measured[0][0]);
  process.stdout.write(
    `\n${roundsTable(measured)}\n` +
      `  (CPU: share of one core during the measured run; the machine has ${cores})\n\n` +
      ratios.map((r, i) => `  ${fmt(SIZES[i + 1])} / ${fmt(SIZES[0])} entries, req/s: median ${fmt(r.median, 2)}× (rounds ${r.each.map((x) => fmt(x, 2)).join(' / ')})\n`).join('') +
      `  target: ${fmt(SIZES[SIZES.length - 1])} entries ≥ ${fmt(TARGET_RATIO, 2)}× of ${fmt(SIZES[0])}  ${ok ? 'PASS' : 'MISS'}${unreliable}\n` +
      measured
        .map(
          (ms, i) =>
            `  ${fmt(SIZES[i])} entries: p99 worst round ${fmt(Math.max(...ms.map((m) => m.p99)))} ms, CPU µs/request median ${fmt(median(ms.map((m) => m.cpuPerRequestUs ?? NaN)))}, ` +
            `RSS ${mib(memoryOf(targets[i].child.proc.pid!).rssKiB)}\n`,
        )
        .join('') +
      notes.map((n) => `  ${n}\n`).join(''),
  );
  return exitCode('client-whitelist', problems);
}

runBenchmark('client-whitelist', main);
