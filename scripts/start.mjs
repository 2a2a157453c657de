#!/usr/bin/env node
// `npm start`: builds the operator console when it is missing or stale (scripts/console-build.mjs; not with
// GATRIX_CONSOLE=off or a GATRIX_CONSOLE_DIR of your own), compiles the server into packages/server/dist/main.js
// (scripts/server-build.mjs), then runs it with plain node in this process's place: SIGINT/SIGTERM are passed on,
// so the server shuts down gracefully, and its exit code is this one's. The server's environment gets RUN_ENV
// (server-build.mjs: how glibc's malloc gives memory back) unless set already. When the compile fails (a read-only
// checkout, say), it says why and runs the sources through tsx instead.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensureConsoleBuilt, ROOT } from './console-build.mjs';
import { RUN_ENV } from './server-build.mjs';

const off = /^(0|false|no|off)$/i.test(process.env.GATRIX_CONSOLE ?? '');
// A failed build does not stop the API: `/` then serves the last build, or a page saying how to build.
if (!off && !process.env.GATRIX_CONSOLE_DIR) ensureConsoleBuilt();

// Compiled in a process of its own, so that esbuild's helper process does not outlive the build.
const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts/server-build.mjs')], { stdio: ['ignore', 'ignore', 'pipe'] });
const entry = build.status === 0 ? ['dist/main.js'] : ['--import', 'tsx', 'src/main.ts'];
if (build.status !== 0) {
  const why = String(build.stderr ?? build.error ?? '').trim().split('\n').find((l) => l.trim() !== '') ?? `exit ${build.status ?? build.signal}`;
  console.error(`server: could not compile packages/server/dist/main.js (${why}); running the sources through tsx`);
}
const server = spawn(process.execPath, [...process.execArgv, ...entry], {
  cwd: path.join(ROOT, 'packages/server'),
  env: { ...RUN_ENV, ...process.env },
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 128 : 1);
});
