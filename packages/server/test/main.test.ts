/** End to end: the real `main.ts` process, as `npm start` runs it, on a fresh data dir, over real HTTP. */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startServerProcess } from './helpers.ts';

const start = (env: Record<string, string>) => startServerProcess({ LOG_LEVEL: 'info', ...env });

describe('the gatrix process', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) c.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('first start on SQLite creates its data dir owner-only, prints a generated admin password once; it logs in; SIGTERM exits cleanly', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'gatrix-e2e-'));
    dirs.push(parent);
    const dataDir = path.join(parent, 'data');
    const s = start({ GATRIX_DATA_DIR: dataDir });
    children.push(s.child);
    const base = await s.ready;
    // The data dir it created is 0700 and every database file 0600, like secrets.json.
    const mode = (name: string) => (statSync(path.join(dataDir, name)).mode & 0o777).toString(8);
    assert.equal(mode('.'), '700');
    for (const file of ['gatrix.db', 'gatrix.db-wal', 'gatrix.db-shm', 'secrets.json']) assert.equal(mode(file), '600', file);
    const m = /created admin "admin" with password (\S+)/.exec(s.output());
    assert.ok(m, s.output());
    const password = m[1];

    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    assert.equal(login.status, 200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const users = await fetch(`${base}/api/v1/users`, { headers: { authorization: `Bearer ${accessToken}` } });
    assert.equal(users.status, 200);
    assert.equal(((await users.json()) as { pagination: { total: number } }).pagination.total, 1);

    // The password is not in the structured log lines, and neither is the token.
    const jsonLines = s.output().split('\n').filter((l) => l.startsWith('{'));
    assert.ok(jsonLines.length > 0);
    assert.ok(jsonLines.every((l) => !l.includes(password) && !l.includes(accessToken)));

    const exited = new Promise<number | null>((resolve) => s.child.on('exit', (code) => resolve(code)));
    s.child.kill('SIGTERM');
    assert.equal(await exited, 0);

    // Second start on the same data dir: the admin exists, no new password is printed.
    const again = start({ GATRIX_DATA_DIR: dataDir });
    children.push(again.child);
    const base2 = await again.ready;
    assert.doesNotMatch(again.output(), /created admin/);
    const relog = await fetch(`${base2}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    assert.equal(relog.status, 200);
    again.child.kill('SIGTERM');
  });

  it('a start that fails (port taken) prints no generated admin password', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gatrix-e2e-'));
    dirs.push(dataDir);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const s = start({ GATRIX_DATA_DIR: dataDir, PORT: String((taken.address() as AddressInfo).port) });
      children.push(s.child);
      await assert.rejects(s.ready, /EADDRINUSE/);
      assert.doesNotMatch(s.output(), /password/);
    } finally {
      taken.close();
    }
  });

  it('a bad setting stops start-up with a message naming the variable', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gatrix-e2e-'));
    dirs.push(dataDir);
    const s = start({ GATRIX_DATA_DIR: dataDir, PORT: 'abc' });
    await assert.rejects(s.ready, /exited 1: gatrix: invalid configuration: PORT: must be a whole number/);
  });
});
