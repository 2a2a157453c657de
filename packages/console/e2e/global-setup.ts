/**
 * Before the end-to-end tests: build the console when it is missing or stale, start the REAL server on a fresh
 * SQLite data dir in a temp folder and a free port, and create one user per role. The returned function (global
 * teardown) stops the server and deletes the data dir.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error a plain .mjs script of the repository, without type declarations
import { ensureConsoleBuilt } from '../../../scripts/console-build.mjs';
import { BASE_URL_ENV, USERS } from './users.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(check: () => Promise<boolean>, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not happen within ${ms} ms`);
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!(ensureConsoleBuilt as (log?: (line: string) => void) => boolean)()) throw new Error('the console build failed (see above)');

  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatrix-e2e-'));
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    GATRIX_DATA_DIR: dataDir,
    GATRIX_ADMIN_USERNAME: USERS.admin.username,
    GATRIX_ADMIN_EMAIL: USERS.admin.email,
    GATRIX_ADMIN_PASSWORD: USERS.admin.password,
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    // Every test signs in several times from one address.
    GATRIX_LOGIN_MAX_FAILURES_PER_IP: '10000',
    // The dashboard and monitoring charts read the time series: write the current minute every second.
    GATRIX_TIMESERIES_FLUSH_MS: '1000',
    // The webhook specs run a receiver on 127.0.0.1; a failed delivery gets one retry after 1 s, then is failed.
    GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    GATRIX_WEBHOOK_RETRY_SCHEDULE: '1',
    // The worlds spec watches a world instance that stops heartbeating go down: within 7.5 s (plus a sweep).
    GATRIX_INSTANCE_TTL: '5',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const baseUrl = `http://127.0.0.1:${port}`;
  const teardown = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await until(async () => {
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${output}`);
      return (await fetch(`${baseUrl}/readyz`)).ok;
    }, 'the server being ready');

    const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: USERS.admin.username, password: USERS.admin.password }),
    });
    if (!login.ok) throw new Error(`admin sign-in failed: ${login.status} ${await login.text()}`);
    const { accessToken } = (await login.json()) as { accessToken: string };
    for (const role of ['operator', 'viewer', 'player'] as const) {
      const u = USERS[role];
      const r = await fetch(`${baseUrl}/api/v1/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ username: u.username, email: u.email, password: u.password, role, status: 'active' }),
      });
      if (r.status !== 201) throw new Error(`creating ${role} failed: ${r.status} ${await r.text()}`);
    }
  } catch (err) {
    await teardown();
    throw err;
  }
  process.env[BASE_URL_ENV] = baseUrl;
  console.log(`e2e: server ${baseUrl} (data ${dataDir})`);
  return teardown;
}
