#!/usr/bin/env node
// `npm run dev`: the server with --watch (restarts on a change under packages/server) and the console's Vite dev
// server with hot reload, which proxies /api, /socket.io, /docs and /openapi.json to the server
// (packages/console/vite.config.ts). Open the console at http://localhost:5173 (CONSOLE_DEV_PORT); the server
// listens on PORT (3000). Ctrl-C stops both; if one of them exits, the other is stopped too.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const env = { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1', GATRIX_PORT: process.env.PORT ?? '3000' };

const children = [
  ['server', ['run', 'dev', '-w', '@gatrix/server']],
  ['console', ['run', 'dev', '-w', '@gatrix/console']],
].map(([name, args]) => {
  const child = spawn(npm, args, { cwd: ROOT, env, stdio: ['inherit', 'pipe', 'pipe'] });
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
  for (const { child } of children) if (child.exitCode === null) child.kill('SIGTERM');
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
