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

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
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
  const badKey = Buffer.alloc(32, 4).toString('base64');
  /** Every command, started together once the server holds its data (each start costs seconds on a busy machine). */
  let runs: Record<'unlock' | 'reset' | 'promote' | 'keysOk' | 'keysBad' | 'jwtBad' | 'nobody' | 'usage', Promise<CliResult>>;
  let resetSession: { refreshToken: string };

  const call = async (method: string, url: string, body?: object, token = admin) => {
    const r = await fetch(`${base}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const login = (username: string, password: string) => call('POST', '/api/v1/auth/login', { username, password });
  const createUser = async (username: string, role = 'viewer') =>
    assert.equal((await call('POST', '/api/v1/users', { username, email: `${username}@example.com`, role, password: 'cli-password-1' })).status, 201);

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
    await Promise.all(['cli_locked', 'cli_reset', 'cli_promoted'].map((u) => createUser(u)));
    for (let i = 0; i < 5; i++) assert.equal((await login('cli_locked', `wrong-password-${i}`)).status, 401);
    assert.equal((await login('cli_locked', 'cli-password-1')).status, 429);
    resetSession = (await login('cli_reset', 'cli-password-1')).body as { refreshToken: string };
    const hook = await call('POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['user.created'] });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    // A SQLite file takes one writer at a time, and every run migrates first: there they run one after another.
    let previous: Promise<unknown> = Promise.resolve();
    const run = (e: Record<string, string>, ...args: string[]) => {
      const r = kind === 'sqlite' ? previous.then(() => runCli(e, ...args)) : runCli(e, ...args);
      previous = r;
      return r;
    };
    runs = {
      unlock: run(env, 'admin', 'unlock', 'CLI_LOCKED@example.com'),
      reset: run(env, 'admin', 'reset-password', 'cli_reset'),
      promote: run(env, 'admin', 'promote', 'cli_promoted'),
      keysOk: run(env, 'keys', 'check'),
      keysBad: run({ ...env, GATRIX_ENCRYPTION_KEY: badKey }, 'keys', 'check'),
      jwtBad: run({ ...env, JWT_SECRET: 'another-jwt-secret-of-at-least-32-characters' }, 'keys', 'check'),
      nobody: run(env, 'admin', 'unlock', 'nobody'),
      usage: runCli(env, 'admin', 'delete-everything'),
    };
  });
  after(async () => {
    await Promise.allSettled(Object.values(runs ?? {}));
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
    const r = await runs.unlock;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Unlocked "cli_locked"/);
    assert.equal((await login('cli_locked', 'cli-password-1')).status, 200);
  });

  it('admin reset-password prints a new password once and ends the old sessions', async () => {
    const r = await runs.reset;
    assert.equal(r.code, 0, r.stderr);
    const password = /New password for "cli_reset": (\S+)/.exec(r.stdout)?.[1];
    assert.ok(password, r.stdout);
    assert.equal((await call('POST', '/api/v1/auth/refresh', { refreshToken: resetSession.refreshToken })).status, 401);
    assert.equal((await login('cli_reset', 'cli-password-1')).status, 401);
    assert.equal((await login('cli_reset', password)).status, 200);
  });

  it('admin promote makes a user an active admin', async () => {
    const r = await runs.promote;
    assert.equal(r.code, 0, r.stderr);
    const users = (await call('GET', '/api/v1/users?q=cli_promoted')).body.data as { role: string }[];
    assert.equal(users[0].role, 'admin');
  });

  it('keys check passes with the configured keys and names GATRIX_ENCRYPTION_KEY or JWT_SECRET with another', async () => {
    const [ok, bad, jwt] = await Promise.all([runs.keysOk, runs.keysBad, runs.jwtBad]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /GATRIX_ENCRYPTION_KEY: /);
    assert.equal(jwt.code, 1);
    assert.match(jwt.stderr, /JWT_SECRET: /);
    assert.doesNotMatch(jwt.stderr, /another-jwt-secret/);
  });

  it('an unknown user or command fails with a clear message', async () => {
    const [nobody, usage] = await Promise.all([runs.nobody, runs.usage]);
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /no user has the username or email "nobody"/);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /usage: npm run gatrix -- <command>/);
  });
});
