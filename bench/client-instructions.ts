/**
 * Benchmark: instructions per answer of the game-client route, Gatrix against the raw node:http server answering
 * the same bytes, counted by valgrind's callgrind. Instruction counts do not depend on what else the machine is
 * doing, so this sees differences of a few percent that the req/s of bench/client-version.ts (±30 % from round
 * to round on a shared 2-core VM) cannot. It does not see the kernel (the socket writes both servers make alike).
 *
 *   node --import tsx bench/client-instructions.ts        (or: npm run bench:client-instructions; ~4 minutes)
 *
 * Needs valgrind (`apt-get install valgrind`). Gatrix is set up as in bench/client-version.ts (default
 * configuration: LOG_LEVEL info, request metrics, SQLite; 50 versions, 200 whitelist entries, a client key, the
 * storm's 3,000 callers behind a trusted proxy), then restarted under callgrind, and so is the raw server. Each
 * gets BENCH_WARMUP_REQUESTS answers with counting off (V8 compiles its hot code meanwhile), a pause of BENCH_IDLE
 * seconds (a lull in traffic, when V8's memory reducer runs a full collection: where process.nextTick's shapes
 * used to be lost, see packages/server/src/v8-tuning.ts), 5,000 answers more, then BENCH_REQUESTS counted ones,
 * 10 connections. Node runs with --no-concurrent-recompilation, so that TurboFan's
 * work lands on the counted thread where it can be told apart, rather than on a helper thread at random.
 *
 * Prints per answer: all instructions, those of TurboFan compiling (V8 still re-optimises now and then, in both
 * servers), the rest (the answer itself: the figure compared), and V8's runtime definitions of object-literal
 * properties (what a megamorphic process.nextTick costs: packages/server/src/v8-tuning.ts); the ratio of the rest.
 * BENCH_SERVER_ENTRY measures another tree's Gatrix (as every benchmark).
 *
 * Environment: BENCH_REQUESTS (4,000), BENCH_WARMUP_REQUESTS (30,000), BENCH_IDLE (30).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { bodiesByPath, ROUTE, startClientGatrix, STORM_ENV, stormRequests, type StormRequest } from './client-setup.ts';
import { type Bench, type Child, envInt, fmt, runBenchmark, startBareServer, startGatrix, stopChild } from './lib.ts';

const REQUESTS = envInt('BENCH_REQUESTS', 4000, 100);
const WARMUP = envInt('BENCH_WARMUP_REQUESTS', 30_000, 0);
const IDLE_S = envInt('BENCH_IDLE', 30, 0);
/** Answers after the idle pause, before counting, so that what the pause made V8 recompile is compiled again. */
const REWARM = 5000;
const NODE_ARGS = ['--no-concurrent-recompilation'];
/** valgrind names its control pipes after $HOST, which the servers are started with: callgrind_control must agree. */
const CONTROL_ENV = { ...process.env, HOST: '127.0.0.1' };

interface Counted {
  name: string;
  total: number;
  compiling: number;
  literalDefines: number;
}

async function drive(origin: string, headers: Record<string, string>, requests: readonly StormRequest[], amount: number): Promise<void> {
  if (amount === 0) return;
  const result = await autocannon({
    url: origin,
    connections: 10,
    amount,
    timeout: 120,
    requests: requests.map((r) => ({ method: 'GET', path: r.path, headers: { ...headers, ...r.headers } })),
  });
  if (result.non2xx || result.errors || result.timeouts) throw new Error(`${origin}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
}

const control = (pid: number, ...args: string[]) => execFileSync('callgrind_control', [...args, String(pid)], { env: CONTROL_ENV, stdio: 'ignore' });

/** Instructions by function (its own, or with what it calls when `inclusive`), and PROGRAM TOTALS, from callgrind_annotate. */
function functions(file: string, inclusive: boolean): { ir: number; name: string }[] {
  const out = execFileSync('callgrind_annotate', ['--threshold=100', `--inclusive=${inclusive ? 'yes' : 'no'}`, file], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const rows: { ir: number; name: string }[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*([\d,]+)\s+\([\s\d.]+%\)\s+(.*)$/.exec(line);
    if (m) rows.push({ ir: Number(m[1].replaceAll(',', '')), name: m[2] });
  }
  return rows;
}

async function count(name: string, child: Child, origin: string, headers: Record<string, string>, requests: readonly StormRequest[], outFile: string): Promise<Counted> {
  const pid = child.proc.pid!;
  const started = performance.now();
  await drive(origin, headers, requests, WARMUP);
  process.stdout.write(`  ${name}: ${fmt(WARMUP)} warm-up answers in ${fmt((performance.now() - started) / 1000, 1)} s, then ${IDLE_S} s idle\n`);
  await new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000));
  await drive(origin, headers, requests, REWARM);
  control(pid, '-i', 'on');
  await drive(origin, headers, requests, REQUESTS);
  control(pid, '-d');
  control(pid, '-i', 'off');
  await stopChild(child);
  const dump = readdirSync(path.dirname(outFile)).filter((f) => f.startsWith(path.basename(outFile)) && f !== path.basename(outFile));
  if (dump.length !== 1) throw new Error(`${name}: expected one callgrind dump, found ${dump.join(', ') || 'none'}`);
  const file = path.join(path.dirname(outFile), dump[0]);
  const flat = functions(file, false);
  const total = flat.find((r) => r.name === 'PROGRAM TOTALS')?.ir ?? NaN;
  const compiling = flat.filter((r) => /v8::internal::compiler::|Pipeline|OptimizedCompilationJob|Turbofan/.test(r.name)).reduce((s, r) => s + r.ir, 0);
  const literalDefines = functions(file, true).find((r) => r.name.includes('Runtime_DefineKeyedOwnPropertyInLiteral'))?.ir ?? 0;
  return { name, total: total / REQUESTS, compiling: compiling / REQUESTS, literalDefines: literalDefines / REQUESTS };
}

async function main(bench: Bench): Promise<number> {
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    process.stderr.write('client-instructions: valgrind is not installed (apt-get install valgrind)\n');
    return 2;
  }
  const { tempDir, children } = bench;
  process.stdout.write(
    `client-instructions: GET ${ROUTE}, storm callers; per server under callgrind ${fmt(WARMUP)} warm-up answers, ${IDLE_S} s idle, ` +
      `${fmt(REWARM)} more, ${fmt(REQUESTS)} counted\n`,
  );
  // Set up natively (through the API), then restart on the same data under callgrind.
  const setup = await startClientGatrix(bench, 'gatrix', { ...STORM_ENV, LOG_LEVEL: 'info' }, { discardStdout: true });
  const requests = await stormRequests(setup);
  await stopChild(setup.child);
  const callgrind = (name: string) => {
    const outFile = path.join(tempDir, `callgrind-${name}`);
    return { outFile, wrapper: ['valgrind', '--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${outFile}`] };
  };

  const g = callgrind('gatrix');
  const gatrix = await startGatrix('gatrix under callgrind', path.join(tempDir, 'gatrix'), { ...STORM_ENV, LOG_LEVEL: 'info' }, {
    nodeArgs: NODE_ARGS,
    wrapper: g.wrapper,
    discardStdout: true,
    echo: false,
    readyTimeoutMs: 900_000,
  });
  children.push(gatrix.child);
  const gatrixCount = await count('gatrix', gatrix.child, gatrix.base, setup.headers, requests, g.outFile);

  const r = callgrind('raw');
  const raw = await startBareServer(tempDir, ROUTE, '', requests[0].body, bodiesByPath(requests), {
    name: 'raw node:http under callgrind',
    script: 'bench/raw-http-server.ts',
    nodeArgs: NODE_ARGS,
    wrapper: r.wrapper,
    readyTimeoutMs: 900_000,
  });
  children.push(raw.child);
  const rawCount = await count('raw node:http', raw.child, raw.url.slice(0, raw.url.indexOf(ROUTE)), {}, requests, r.outFile);

  const rest = (c: Counted) => c.total - c.compiling;
  const row = (c: Counted) =>
    `  ${c.name.padEnd(14)} ${fmt(c.total).padStart(9)}  ${fmt(c.compiling).padStart(9)}  ${fmt(rest(c)).padStart(9)}  ${fmt(c.literalDefines).padStart(9)}\n`;
  process.stdout.write(
    `\n  instructions per answer     all  compiling       rest  literal defines in V8's runtime\n` +
      row(gatrixCount) +
      row(rawCount) +
      `  gatrix / raw node:http (the rest): ${fmt(rest(gatrixCount) / rest(rawCount), 2)}×\n`,
  );
  return 0;
}

runBenchmark('client-instructions', main);
