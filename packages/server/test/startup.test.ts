/**
 * Start-up against dependencies that are down or keys that do not match: the real `main.ts` process, which must
 * give up with one line naming the variable; and /readyz naming the dependency that went down while running.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ADMIN, closedPort, failedStartLine, REDIS_SKIP, startHarness, startServerProcess, TEST_REDIS_URL, until, type ServerProcess } from './helpers.ts';

const REDIS = REDIS_SKIP ? undefined : TEST_REDIS_URL;
const PASSWORD = 'pw-that-must-not-show';

describe('start-up that cannot go on', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) c.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const start = (env: Record<string, string>): ServerProcess => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gatrix-start-'));
    dirs.push(dataDir);
    const s = startServerProcess({ GATRIX_DATA_DIR: dataDir, ...env });
    children.push(s.child);
    return s;
  };

  async function failsWithOneLine(s: ServerProcess): Promise<string> {
    const line = await failedStartLine(s);
    assert.doesNotMatch(s.output(), new RegExp(PASSWORD));
    return line;
  }

  it('an unreachable Redis: retries for GATRIX_STARTUP_WAIT_SECONDS, then exits 1 with one line naming REDIS_URL, password masked', async () => {
    const port = await closedPort();
    const s = start({ REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${port}`, GATRIX_STARTUP_WAIT_SECONDS: '2' });
    const line = await failsWithOneLine(s);
    assert.match(line, new RegExp(`^gatrix: failed to start: REDIS_URL: cannot reach Redis at redis://:\\*\\*\\*\\*@127\\.0\\.0\\.1:${port}\\b.*ECONNREFUSED`));
    assert.match(s.output(), /"msg":"Redis is not reachable yet; retrying"/, 'each retry is logged');
  });

  it('an unreachable database: retries, then exits 1 with one line naming DATABASE_URL, password masked', async () => {
    const port = await closedPort();
    const s = start({ DATABASE_URL: `postgres://gatrix:${PASSWORD}@127.0.0.1:${port}/gatrix`, GATRIX_STARTUP_WAIT_SECONDS: '2' });
    const line = await failsWithOneLine(s);
    assert.match(line, new RegExp(`^gatrix: failed to start: DATABASE_URL: cannot reach database at postgres://gatrix:\\*\\*\\*\\*@127\\.0\\.0\\.1:${port}/gatrix\\b`));
  });
});

/** A TCP relay to Redis that a test can cut and restore, as a network failure would. */
async function relay(target: URL): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server;
  const listen = (port: number) =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 6379), target.hostname);
        for (const [a, b] of [[client, upstream], [upstream, client]]) {
          sockets.add(a);
          a.pipe(b);
          a.on('error', () => b.destroy());
          a.on('close', () => (sockets.delete(a), b.destroy()));
        }
      });
      server.listen(port, '127.0.0.1', resolve);
    });
  await listen(0);
  const port = (server!.address() as { port: number }).port;
  const url = new URL(target);
  url.host = `127.0.0.1:${port}`;
  const cut = async () => {
    const closed = new Promise((r) => server.close(r));
    for (const s of sockets) s.destroy();
    await closed;
  };
  return { url: url.toString(), cut, restore: () => listen(port), close: cut };
}

describe('/readyz', { skip: REDIS_SKIP }, () => {
  it('while Redis is down, logins answer at once and failed ones are still throttled on the node', async () => {
    const r = await relay(new URL(REDIS!));
    const h = await startHarness('sqlite', { env: { REDIS_URL: r.url } });
    // A login waiting for Redis would never answer: fail after a generous ceiling instead.
    const login = (password: string) =>
      Promise.race([
        h.call('POST', '/api/v1/auth/login', { body: { username: ADMIN.username, password } }),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the login did not answer within 120 s')), 120_000).unref()),
      ]);
    try {
      await r.cut();
      await until(async () => (await h.call('GET', '/readyz')).statusCode === 503, 'readyz answering 503');
      assert.equal((await login(ADMIN.password)).statusCode, 200, 'the right password signs in without Redis');
      const answers: number[] = [];
      for (let i = 0; i < 6; i++) answers.push((await login('wrong-password-1')).statusCode);
      assert.deepEqual(answers, [401, 401, 401, 401, 401, 429], 'five failures, then refused, counted on this node');
    } finally {
      // Back before closing: the Socket.IO adapter's own Redis clients would otherwise keep reconnecting.
      await r.restore();
      await until(async () => (await h.call('GET', '/readyz')).statusCode === 200, 'readyz ready again');
      await h.close();
      await r.close();
    }
  });

  it('names Redis while its connection is down, and is ready again once it is back', async () => {
    const r = await relay(new URL(REDIS!));
    const h = await startHarness('sqlite', { env: { REDIS_URL: r.url } });
    try {
      assert.deepEqual((await h.call('GET', '/readyz')).json(), { status: 'ready', database: 'sqlite', redis: 'connected' });
      await r.cut();
      await until(async () => (await h.call('GET', '/readyz')).statusCode === 503, 'readyz answering 503');
      const down = (await h.call('GET', '/readyz')).json();
      assert.equal(down.code, 'redis_unavailable');
      assert.match(down.detail, /Redis \(REDIS_URL\)/);
      await r.restore();
      await until(async () => (await h.call('GET', '/readyz')).statusCode === 200, 'readyz ready again');
    } finally {
      await h.close();
      await r.close();
    }
  });
});
