/**
 * Diagnostic: in how many Gatrix processes does V8's feedback for process.nextTick's entries turn megamorphic?
 * (packages/server/src/v8-tuning.ts keeps one entry alive so that it should not.) When it does, every nextTick
 * defines its entry's properties in V8's runtime: `npm run bench:client-instructions` counts what that costs an
 * answer ("literal defines in V8's runtime", ~38,000 instructions per game-client answer when it happened).
 *
 *   node --import tsx bench/tick-shapes.ts        (or: npm run bench:tick-shapes; about 2 minutes)
 *
 * Whether it happens depends on when V8 runs a full collection, so one process says little: this starts
 * BENCH_PROCESSES processes of this tree (and as many of BENCH_COMPARE_ENTRY's, another tree's
 * packages/server/src/main.ts, alternating), each set up like bench/client-version.ts, loads each with the storm
 * for BENCH_DURATION seconds, lets it idle BENCH_IDLE seconds, loads it again, and then reads nextTick's feedback
 * with V8's test intrinsics (node --allow-natives-syntax and %DebugPrint, which the process prints to its stdout).
 *
 * Exit code: 0 when every process of this tree kept monomorphic feedback, 1 otherwise or when anything broke.
 */
import path from 'node:path';
import autocannon from 'autocannon';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { startClientGatrix, STORM_ENV, stormRequests, type ClientTarget, type StormRequest } from './client-setup.ts';
import { type Bench, envInt, runBenchmark, stopChild } from './lib.ts';

const PROCESSES = envInt('BENCH_PROCESSES', 5, 1);
const DURATION = envInt('BENCH_DURATION', 3, 1);
const IDLE_S = envInt('BENCH_IDLE', 12, 0);
// %DebugPrint writes through C's buffered stdout: the markers go the same way, and the filler pushes the end
// marker out of the buffer.
const PROBE = `
const print = new Function('f', '%DebugPrint(f)');
process.on('SIGUSR2', () => {
  print('tick-shapes-begin');
  print(process.nextTick);
  print('tick-shapes-end');
  for (let i = 0; i < 10; i++) print(print);
});
`;

async function storm(target: ClientTarget, requests: readonly StormRequest[]): Promise<void> {
  const result = await autocannon({
    url: target.base,
    connections: 50,
    duration: DURATION,
    requests: requests.map((r) => ({ method: 'GET', path: r.path, headers: { ...target.headers, ...r.headers } })),
  });
  if (result.non2xx || result.errors) throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
}

/** The states of nextTick's DefineKeyedOwnPropertyInLiteral feedback slots, e.g. ['MONOMORPHIC', 'MEGAMORPHIC', …]. */
async function feedback(target: ClientTarget, stdoutFile: string): Promise<string[]> {
  target.child.proc.kill('SIGUSR2');
  let text: string;
  for (let waited = 0; !(text = readFileSync(stdoutFile, 'utf8')).includes('tick-shapes-end'); waited += 50) {
    if (waited > 30_000) throw new Error('the probe did not answer');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const printed = text.slice(text.indexOf('tick-shapes-begin'), text.indexOf('tick-shapes-end'));
  return [...printed.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((m) => m[1]);
}

async function main(bench: Bench): Promise<number> {
  const probe = path.join(bench.tempDir, 'tick-shapes-probe.mjs');
  writeFileSync(probe, PROBE);
  const trees = [{ name: 'this tree', entry: undefined as string | undefined }];
  if (process.env.BENCH_COMPARE_ENTRY) trees.push({ name: 'compared tree', entry: path.resolve(process.env.BENCH_COMPARE_ENTRY) });
  process.stdout.write(`tick-shapes: ${PROCESSES} process(es) per tree, storm ${DURATION} s, idle ${IDLE_S} s, storm ${DURATION} s, then nextTick's feedback\n`);
  const megamorphic = new Map<string, number>(trees.map((t) => [t.name, 0]));
  let problems = 0;
  for (let i = 0; i < PROCESSES; i++) {
    for (const tree of trees) {
      const name = `${tree.name === 'this tree' ? 'this' : 'compared'}-${i + 1}`;
      // Its stdout to a file: C's stdio drops what a full pipe does not take.
      const stdoutFile = path.join(bench.tempDir, `${name}.stdout`);
      const fd = openSync(stdoutFile, 'w');
      const target = await startClientGatrix(bench, name, { ...STORM_ENV, LOG_LEVEL: 'info' }, {
        nodeArgs: ['--allow-natives-syntax', '--import', probe],
        discardStdout: fd,
        ...(tree.entry ? { entry: tree.entry } : {}),
      });
      try {
        const requests = await stormRequests(target);
        await storm(target, requests);
        await new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000));
        await storm(target, requests);
        const states = await feedback(target, stdoutFile);
        if (states.length === 0) throw new Error('no DefineKeyedOwnPropertyInLiteral slot in the probe output');
        const mega = states.includes('MEGAMORPHIC');
        if (mega) megamorphic.set(tree.name, megamorphic.get(tree.name)! + 1);
        process.stdout.write(`  ${tree.name}, process ${i + 1}: ${states.join(' ')}${mega ? '  ← megamorphic' : ''}\n`);
      } catch (err) {
        problems++;
        process.stdout.write(`  ${tree.name}, process ${i + 1}: FAILED ${String(err)}\n`);
      } finally {
        await stopChild(target.child);
        closeSync(fd);
      }
    }
  }
  process.stdout.write('\n');
  for (const tree of trees) process.stdout.write(`  ${tree.name}: ${megamorphic.get(tree.name)} of ${PROCESSES} processes with megamorphic nextTick feedback\n`);
  return problems > 0 || megamorphic.get('this tree')! > 0 ? 1 : 0;
}

runBenchmark('tick-shapes', main);
