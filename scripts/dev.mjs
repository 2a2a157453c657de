#!/usr/bin/env node
// `npm run dev`: the server with --watch (restarts on a change under packages/server) and the console's Vite dev
// server with hot reload, which proxies /api, /socket.io, /docs and /openapi.json to the server
// (packages/console/vite.config.ts). Open the console at http://localhost:5173 (CONSOLE_DEV_PORT); the server
// listens on PORT (3000). Ctrl-C stops both; if one of them exits, the other is stopped too.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1', GATRIX_PORT: process.env.PORT ?? '3000' };

// Started directly rather than through npm, which does not pass SIGTERM on; each in its own process group,
// so stopping one stops what it started too (Node's --watch restarts, esbuild).
const children = [
  ['server', process.execPath, ['--watch', '--import', 'tsx', 'src/main.ts'], 'packages/server', { GATRIX_LOG_PRETTY: process.env.GATRIX_LOG_PRETTY ?? 'true' }],
  ['console', process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js')], 'packages/console', {}],
].map(([name, cmd, args, cwd, extra]) => {
  const child = spawn(cmd, args, { cwd: path.join(ROOT, cwd), env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  for (const stream of ['stdout', 'stderr']) {
    let rest = '';
    child[stream].on('data', (chunk) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop();
      for (const line of lines) process[stream].write(`[${name}] ${line}\n`);
    });
  }
  return { name, child };
});

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const { child } of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  process.exitCode = code;
}
for (const { name, child } of children) {
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`[dev] ${name} exited (${signal ?? code}); stopping the other`);
    stop(code ?? 1);
  });
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
console.log('[dev] console: http://localhost:' + (process.env.CONSOLE_DEV_PORT ?? '5173') + '  (API: http://localhost:' + env.GATRIX_PORT + ')');
