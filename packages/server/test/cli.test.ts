/** The operator CLI as a real process, against the database of a real running server (SQLite file, PostgreSQL schema). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { eachDatabase, startServerProcess, type ServerProcess } from './helpers.ts';

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PG_URL = process.env.TEST_DATABASE_URL;

function runCli(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: SERVER_DIR,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

eachDatabase('operator CLI', (kind) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatrix-cli-'));
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const env: Record<string, string> = {
    GATRIX_DATA_DIR: dataDir,
    JWT_SECRET: 'cli-test-secret-cli-test-secret-0123456',
    GATRIX_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
    GATRIX_ADMIN_PASSWORD: 'cli-admin-password-1',
    GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    ...(kind === 'postgres' ? { DATABASE_URL: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}` } : {}),
  };
  let server: ServerProcess;
  let base: string;
  let admin: string;

  const call = async (method: string, url: string, body?: object, token = admin) => {
    const r = await fetch(`${base}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const login = (username: string, password: string) => call('POST', '/api/v1/auth/login', { username, password });

  before(async () => {
    if (kind === 'postgres') {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`create schema ${schema}`);
      await c.end();
    }
    server = startServerProcess(env);
    base = await server.ready;
    admin = (await login('admin', env.GATRIX_ADMIN_PASSWORD)).body.accessToken as string;
    assert.equal((await call('POST', '/api/v1/users', { username: 'cli_user', email: 'cli_user@example.com', role: 'viewer', password: 'cli-password-1' })).status, 201);
  });
  after(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
    if (kind === 'postgres') {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    }
  });

  it('admin unlock lifts a lockout on the running server', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await login('cli_user', `wrong-password-${i}`)).status, 401);
    assert.equal((await login('cli_user', 'cli-password-1')).status, 429);
    const r = await runCli(env, 'admin', 'unlock', 'CLI_USER@example.com');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Unlocked "cli_user"/);
    assert.equal((await login('cli_user', 'cli-password-1')).status, 200);
  });

  it('admin reset-password prints a new password once and ends the old sessions', async () => {
    const before = (await login('cli_user', 'cli-password-1')).body;
    const r = await runCli(env, 'admin', 'reset-password', 'cli_user');
    assert.equal(r.code, 0, r.stderr);
    const password = /New password for "cli_user": (\S+)/.exec(r.stdout)?.[1];
    assert.ok(password, r.stdout);
    assert.equal((await call('POST', '/api/v1/auth/refresh', { refreshToken: before.refreshToken })).status, 401);
    assert.equal((await login('cli_user', 'cli-password-1')).status, 401);
    assert.equal((await login('cli_user', password)).status, 200);
  });

  it('admin promote makes a user an active admin', async () => {
    const r = await runCli(env, 'admin', 'promote', 'cli_user');
    assert.equal(r.code, 0, r.stderr);
    const users = (await call('GET', '/api/v1/users?q=cli_user')).body.data as { role: string }[];
    assert.equal(users[0].role, 'admin');
  });

  it('keys check passes with the configured key and names GATRIX_ENCRYPTION_KEY with another', async () => {
    const hook = await call('POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['user.created'] });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    const [ok, bad] = await Promise.all([
      runCli(env, 'keys', 'check'),
      runCli({ ...env, GATRIX_ENCRYPTION_KEY: Buffer.alloc(32, 4).toString('base64') }, 'keys', 'check'),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /GATRIX_ENCRYPTION_KEY: cannot decrypt/);
  });

  it('an unknown user or command fails with a clear message', async () => {
    const [nobody, usage] = await Promise.all([runCli(env, 'admin', 'unlock', 'nobody'), runCli(env, 'admin', 'delete-everything')]);
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /no user has the username or email "nobody"/);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /usage: npm run gatrix -- <command>/);
  });
});
