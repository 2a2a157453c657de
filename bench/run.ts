/**
 * Runs every benchmark under bench/, one after the other (each starts its own servers, so they must not
 * overlap), and exits non-zero if any of them failed.
 *
 *   node --import tsx bench/run.ts        (or: npm run bench)
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Every benchmark, in the order they run. */
const BENCHES = ['bench/users-list.ts', 'bench/users-storm.ts', 'bench/client-version.ts', 'bench/client-whitelist.ts', 'bench/client-notices.ts', 'bench/pretenuring.ts', 'bench/webhook-delivery.ts', 'bench/sockets.ts', 'bench/socket-recovery.ts', 'bench/events-feed.ts', 'bench/instance-heartbeats.ts', 'bench/server-cache.ts'];

function runOne(file: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, stdio: 'inherit' });
    child.on('error', (err) => {
      process.stderr.write(`${file}: ${String(err)}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

// Ctrl-C reaches the running benchmark too (same process group); it stops its servers and exits. Stop after it.
let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true;
});

const failed: string[] = [];
let ran = 0;
for (const file of BENCHES) {
  if (interrupted) break;
  process.stdout.write(`\n=== ${file}\n`);
  const code = await runOne(file);
  ran++;
  if (code !== 0) failed.push(`${file} (exit ${code})`);
}
const skipped = BENCHES.length - ran;
process.stdout.write(
  `\n${ran - failed.length}/${BENCHES.length} benchmarks completed` +
    (failed.length ? `; failed: ${failed.join(', ')}` : '') +
    (skipped ? `; ${skipped} not run (interrupted)` : '') +
    '\n',
);
process.exit(failed.length || skipped ? 1 : 0);
