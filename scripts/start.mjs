#!/usr/bin/env node
// `npm start`: builds the operator console when it is missing or stale (scripts/console-build.mjs; not with
// GATRIX_CONSOLE=off or a GATRIX_CONSOLE_DIR of your own), then runs the server in this process's place:
// SIGINT/SIGTERM are passed on, so the server shuts down gracefully, and its exit code is this one's.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensureConsoleBuilt, ROOT } from './console-build.mjs';

const off = /^(0|false|no|off)$/i.test(process.env.GATRIX_CONSOLE ?? '');
// A failed build does not stop the API: `/` then serves the last build, or a page saying how to build.
if (!off && !process.env.GATRIX_CONSOLE_DIR) ensureConsoleBuilt();

const server = spawn(process.execPath, [...process.execArgv, '--import', 'tsx', 'src/main.ts'], {
  cwd: path.join(ROOT, 'packages/server'),
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 128 : 1);
});
