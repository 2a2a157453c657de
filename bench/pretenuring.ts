/**
 * Benchmark: how many Gatrix processes serve the game-client route slowly, with V8's allocation-site
 * pretenuring on (V8's default) and off (what packages/server/src/v8-tuning.ts sets).
 *
 *   node --import tsx bench/pretenuring.ts        (or: npm run bench:pretenuring; about 6 minutes)
 *
 * Whether a process falls into the slow mode is decided early and by timing, so one process says little: this
 * starts BENCH_PROCESSES fresh processes each way, alternating, each set up like bench/client-version.ts (50
 * versions, 200 whitelist entries, a client key), and loads GET /api/v1/client/client-version with autocannon
 * (a warm-up that starts as soon as the setup is done, then BENCH_RUNS measured runs). A process counts as slow when its median p99 misses the game-client
 * target (< 10 ms). Per process it prints req/s, p99 and server CPU per request (medians over its runs).
 *
 * Exit code: 0 when every run completed with only 2xx answers, 1 when anything broke.
 *
 * Environment:
 *   BENCH_PROCESSES     processes per setting (6)
 *   BENCH_RUNS          measured runs per process (3)
 *   BENCH_DURATION      seconds of each measured run (5)
 *   BENCH_WARMUP        seconds of warm-up before the first run (3)
 *   BENCH_CONNECTIONS   concurrent connections (100)
 *   BENCH_QUIET_WAIT    seconds to wait for other processes to go quiet before each run (30)
 *   BENCH_RETRIES       how often to redo a measured run that other processes disturbed (2)
 */
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';
import { QUERY, ROUTE, startClientGatrix } from './client-setup.ts';
import { type Bench, exitCode, envInt, fmt, load, type LoadSettings, type Measured, runBenchmark, stopChild } from './lib.ts';

const TARGET_P99_MS = 10;
const PROCESSES = envInt('BENCH_PROCESSES', 6, 1);
const RUNS = envInt('BENCH_RUNS', 3, 1);
const SETTINGS: LoadSettings = {
  duration: envInt('BENCH_DURATION', 5, 1),
  warmup: envInt('BENCH_WARMUP', 3, 0),
  connections: envInt('BENCH_CONNECTIONS', 100, 1),
  quietWait: envInt('BENCH_QUIET_WAIT', 30, 0),
  retries: envInt('BENCH_RETRIES', 2, 0),
};

/** The two settings compared; an explicit flag on node's command line wins over v8-tuning.ts. */
const MODES = [
  { name: 'pretenuring on (V8 default)', nodeArgs: ['--allocation-site-pretenuring'] },
  { name: 'pretenuring off (Gatrix)', nodeArgs: [] },
];

interface ProcessResult {
  reqPerSec: number;
  p99: number;
  cpuPerRequestUs?: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function measureOne(bench: Bench, name: string, nodeArgs: string[], problems: string[]): Promise<ProcessResult> {
  const target = await startClientGatrix(bench, name, {}, { nodeArgs });
  const pid = target.child.proc.pid!;
  const url = `${target.base}${ROUTE}${QUERY}`;
  const runs: Measured[] = [];
  try {
    // The load starts the moment the setup is done, as a reconnect storm after an operator's changes would:
    // the slow mode is decided in these first seconds. The warm-up also checks every answer.
    if (SETTINGS.warmup > 0) {
      const w = await autocannon({ url, connections: SETTINGS.connections, duration: SETTINGS.warmup, headers: target.headers, expectBody: target.body });
      if (w.non2xx > 0 || w.errors > 0 || w.mismatches > 0 || w['2xx'] === 0) {
        problems.push(`${name} warm-up: ${w['2xx']} 2xx, ${w.non2xx} non-2xx, ${w.errors} errors, ${w.mismatches} unexpected bodies`);
      }
    }
    for (let run = 0; run < RUNS; run++) {
      const r = await load({ name, url, headers: target.headers, pid }, target.body, () => [pid], { ...SETTINGS, warmup: 0 });
      problems.push(...r.problems);
      runs.push(r.measured);
    }
  } finally {
    await stopChild(target.child);
  }
  const cpu = runs.map((m) => m.cpuPerRequestUs).filter((v): v is number => v !== undefined);
  return {
    reqPerSec: median(runs.map((m) => m.reqPerSec)),
    p99: median(runs.map((m) => m.p99)),
    cpuPerRequestUs: cpu.length === runs.length ? median(cpu) : undefined,
  };
}

async function main(bench: Bench): Promise<number> {
  process.stdout.write(
    `pretenuring: GET ${ROUTE}${QUERY}\n` +
      `  ${PROCESSES} fresh Gatrix processes per setting, alternating; each: ${SETTINGS.warmup} s warm-up + ${RUNS} × ${SETTINGS.duration} s, ` +
      `${SETTINGS.connections} connections; ${availableParallelism()} CPU(s), Node ${process.version}\n`,
  );
  const problems: string[] = [];
  const results: ProcessResult[][] = MODES.map(() => []);
  for (let i = 0; i < PROCESSES; i++) {
    for (const [m, mode] of MODES.entries()) {
      const r = await measureOne(bench, `${m === 0 ? 'on' : 'off'}-${i + 1}`, mode.nodeArgs, problems);
      results[m].push(r);
      process.stdout.write(`  ${mode.name}, process ${i + 1}: ${fmt(r.reqPerSec)} req/s, p99 ${fmt(r.p99)} ms, ${r.cpuPerRequestUs === undefined ? 'n/a' : fmt(r.cpuPerRequestUs)} µs CPU/req\n`);
    }
  }

  process.stdout.write('\n');
  for (const [m, mode] of MODES.entries()) {
    const rs = results[m];
    const slow = rs.filter((r) => r.p99 >= TARGET_P99_MS).length;
    const rps = rs.map((r) => r.reqPerSec);
    const cpu = rs.map((r) => r.cpuPerRequestUs).filter((v): v is number => v !== undefined);
    process.stdout.write(
      `  ${mode.name.padEnd(28)} slow processes (p99 ≥ ${TARGET_P99_MS} ms): ${slow}/${rs.length}; ` +
        `req/s min ${fmt(Math.min(...rps))} median ${fmt(median(rps))} max ${fmt(Math.max(...rps))}; ` +
        `p99 worst ${fmt(Math.max(...rs.map((r) => r.p99)))} ms` +
        (cpu.length ? `; CPU µs/req ${fmt(Math.min(...cpu))}–${fmt(Math.max(...cpu))}` : '') +
        '\n',
    );
  }
  return exitCode('pretenuring', problems);
}

runBenchmark('pretenuring', main);
