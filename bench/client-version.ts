/**
 * Benchmark: the game-client hot path, GET /api/v1/client/client-version, Gatrix against a bare Fastify server,
 * and Gatrix with its request metrics on (as shipped) against the same with GATRIX_REQUEST_METRICS=false.
 *
 *   node --import tsx bench/client-version.ts        (or: npm run bench:client)
 *
 * 1. Starts the real server (packages/server/src/main.ts) twice as child processes, each on a fresh SQLite data
 *    dir, the second with request metrics off; the admin comes from the first-start bootstrap (GATRIX_ADMIN_*).
 * 2. Through the HTTP API: signs in, creates an admin API key and, with it, 50 client versions (PC / Steam,
 *    1.0.0…1.0.49, every third with a minPatchVersion), 200 whitelist entries (accounts, IPv4 and IPv6 CIDRs,
 *    none matching the loopback address the load comes from) and a client API key.
 * 3. Fetches the answer once with the client key, checks it, and starts bench/bare-server.ts answering that
 *    exact body on the same path.
 * 4. autocannon against each: a warm-up that also checks every answer is 200 with the expected body, then
 *    BENCH_ROUNDS measured runs, interleaved across the targets, that count non-2xx answers and errors.
 * 5. Prints req/s, p50, p99 and server CPU per request for all three, the gatrix/bare ratio and p99 against
 *    their targets, what the request metrics cost (target ≤ 10 %), and the RSS.
 *
 * Exit code: 0 when both runs completed with only 2xx answers (whether the targets are met or not),
 * 1 when anything broke.
 *
 * Environment:
 *   BENCH_DURATION      seconds of each measured run (10)
 *   BENCH_WARMUP        seconds of warm-up before each measured run (3)
 *   BENCH_CONNECTIONS   concurrent connections (100)
 *   BENCH_QUIET_WAIT    seconds to wait for other processes to go quiet before each target (60)
 *   BENCH_RETRIES       how often to redo a measured run that other processes disturbed (2)
 *   BENCH_ROUNDS        interleaved measured runs per target; the median is reported (3)
 *   BENCH_CPU_PROF      a directory: the server runs with --cpu-prof and writes a .cpuprofile there when stopped
 *   BENCH_SERVER_ENTRY  the server's main.ts (packages/server/src/main.ts); point it at a patched copy to compare
 */
import { availableParallelism, cpus } from 'node:os';
import {
  type Bench,
  type Child,
  envInt,
  fmt,
  load,
  type LoadSettings,
  type Measured,
  memoryOf,
  mib,
  loadNotes,
  runBenchmark,
  startBareServer,
  table,
} from './lib.ts';
import { QUERY, ROUTE, startClientGatrix, VERSIONS, WHITELIST } from './client-setup.ts';

const TARGET_RATIO = 0.7;
const TARGET_P99_MS = 10;
/** Request metrics and logging may cost the hot path at most this share of its req/s (issue: monitoring). */
const TARGET_MONITORING_COST = 0.1;

const SETTINGS: LoadSettings = {
  duration: envInt('BENCH_DURATION', 10, 1),
  warmup: envInt('BENCH_WARMUP', 3, 0),
  connections: envInt('BENCH_CONNECTIONS', 100, 1),
  quietWait: envInt('BENCH_QUIET_WAIT', 60, 0),
  retries: envInt('BENCH_RETRIES', 2, 0),
};
/** Measured runs per target, interleaved; the report takes each target's median. */
const ROUNDS = envInt('BENCH_ROUNDS', 3, 1);

// ---------------------------------------------------------------------------------------------------------


async function main(bench: Bench): Promise<number> {
  const { tempDir, children } = bench;
  const cores = availableParallelism();
  process.stdout.write(
    `client-version: GET ${ROUTE}${QUERY}\n` +
      `  ${VERSIONS} client versions, ${WHITELIST} whitelist entries, client API key, ${SETTINGS.connections} connections, ` +
      `${SETTINGS.warmup} s warm-up + ${SETTINGS.duration} s per target\n` +
      `  ${cores} CPU(s) (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, SQLite; ` +
      `autocannon runs in this process and shares the CPUs with the server under test\n`,
  );

  const startAndSetUp = (name: string, env: Record<string, string>) => startClientGatrix(bench, name, env);

  // --- Gatrix as shipped (request metrics on), Gatrix with request metrics off, bare Fastify
  const on = await startAndSetUp('gatrix', {});
  const off = await startAndSetUp('gatrix, metrics off', { GATRIX_REQUEST_METRICS: 'false' });
  if (off.body !== on.body) throw new Error('the two Gatrix servers answered different bodies');
  const body = on.body;
  const { child: bare, url: bareUrl } = await startBareServer(tempDir, ROUTE, QUERY, body);
  children.push(bare);

  // --- load
  const ours = bench.pids;
  const bareTarget = { child: bare, base: bareUrl.slice(0, bareUrl.indexOf(ROUTE)), headers: {} };
  const run = async (target: { child: Child; base: string; headers: Record<string, string> }, settings: LoadSettings) => {
    const r = await load({ name: target.child.name, url: `${target.base}${ROUTE}${QUERY}`, headers: target.headers, pid: target.child.proc.pid! }, body, ours, settings);
    if (target.child.exited) throw new Error(`${target.child.name} exited during the run:\n${target.child.tail.join('\n')}`);
    const check = await fetch(`${target.base}${ROUTE}${QUERY}`, { headers: target.headers });
    if (check.status !== 200 || (await check.text()) !== body) r.problems.push(`${target.child.name} answered a different body after the run`);
    return r;
  };
  // Rounds interleave the three targets, so a slow drift of the machine touches all of them alike; each
  // target's figures are from its median round (by req/s).
  const idle = memoryOf(on.child.proc.pid!);
  const rounds: { measured: Measured; problems: string[] }[][] = [[], [], []];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, target] of [on, off, bareTarget].entries()) {
      process.stdout.write(`  round ${round + 1}/${ROUNDS}: ${target.child.name}…\n`);
      rounds[i].push(await run(target, round === 0 ? SETTINGS : { ...SETTINGS, warmup: 0 }));
    }
  }
  const after = memoryOf(on.child.proc.pid!);
  const median = (rs: { measured: Measured; problems: string[] }[]) => {
    const sorted = [...rs].sort((x, y) => x.measured.reqPerSec - y.measured.reqPerSec);
    return { measured: sorted[Math.floor(sorted.length / 2)].measured, problems: rs.flatMap((r) => r.problems) };
  };
  const [g, gOff, b] = rounds.map(median);
  if (ROUNDS > 1) {
    process.stdout.write(
      `\n  every round (req/s): ${rounds.map((rs, i) => `${['gatrix', 'metrics off', 'bare'][i]} ${rs.map((r) => fmt(r.measured.reqPerSec)).join(' / ')}`).join('; ')}\n`,
    );
  }

  const ratio = g.measured.reqPerSec / b.measured.reqPerSec;
  const ratioOk = ratio >= TARGET_RATIO;
  const p99Ok = g.measured.p99 < TARGET_P99_MS;
  const monitoringCost = 1 - g.measured.reqPerSec / gOff.measured.reqPerSec;
  const monitoringOk = monitoringCost <= TARGET_MONITORING_COST;
  const { unreliable, notes } = loadNotes([g.measured, gOff.measured, b.measured], b.measured);
  process.stdout.write(
    `\n${table([g.measured, gOff.measured, b.measured])}\n` +
      `  (CPU: share of one core during the measured run; the machine has ${cores})\n\n` +
      `  ratio gatrix/bare (req/s): ${fmt(ratio, 2)}×  target ≥ ${fmt(TARGET_RATIO, 2)}×  ${ratioOk ? 'PASS' : 'MISS'}${unreliable}\n` +
      `  gatrix p99: ${fmt(g.measured.p99)} ms  target < ${TARGET_P99_MS} ms  ${p99Ok ? 'PASS' : 'MISS'}${unreliable}\n` +
      `  request metrics cost (1 - on/off req/s): ${fmt(monitoringCost * 100, 1)} %  target ≤ ${fmt(TARGET_MONITORING_COST * 100)} %  ${monitoringOk ? 'PASS' : 'MISS'}${unreliable}\n` +
      `  overall: ${ratioOk && p99Ok && monitoringOk ? 'PASS' : 'MISS'}\n` +
      `  gatrix RSS after the run: ${mib(after.rssKiB)}` +
      (after.peakKiB !== undefined ? ` (peak ${mib(after.peakKiB)})` : '') +
      `; idle before the load: ${mib(idle.rssKiB)}\n` +
      notes.map((n) => `  ${n}\n`).join(''),
  );

  const problems = [...g.problems, ...gOff.problems, ...b.problems];
  if (problems.length > 0) {
    process.stderr.write(`\nclient-version FAILED:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

runBenchmark('client-version', main);
