/** Two Gatrix nodes sharing one PostgreSQL database and one Redis: what one node changes, the other serves at once. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { buildApp } from '../src/app/build-app.ts';
import { createRedisBus } from '../src/cluster/bus.ts';
import { openDatabase } from '../src/db/index.ts';
import type { App } from '../src/http/types.ts';
import { PG_SKIP, REDIS_SKIP, startHarness, TEST_REDIS_URL, WAIT_MS, type Harness } from './helpers.ts';

const PG = process.env.TEST_DATABASE_URL;
const REDIS = REDIS_SKIP ? undefined : TEST_REDIS_URL;

async function eventually(check: () => Promise<boolean>, what: string, ms = WAIT_MS): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`${what} did not happen within ${ms} ms`);
}

describe('two nodes on PostgreSQL + Redis', { skip: PG_SKIP || REDIS_SKIP }, () => {
  let a: Harness;
  let b: App;
  let closeB: () => Promise<void>;
  let admin: string;
  let client: string;

  before(async () => {
    a = await startHarness('postgres', { env: { REDIS_URL: REDIS! } });
    const dbB = openDatabase({ url: PG, pgSchema: a.db.schema });
    const built = await buildApp({ config: a.config, database: dbB, logger: pino({ level: 'silent' }) });
    b = built.app;
    closeB = async () => {
      await b.close();
      await dbB.close();
    };
    admin = (await a.apiKey('admin')).key;
    client = (await a.apiKey('client')).key;
  });
  after(async () => {
    await closeB();
    await a.close();
  });

  const onB = (url: string, key = client) => b.inject({ method: 'GET', url, headers: { 'x-api-key': key } });

  it('a client version created on node A is served by node B without waiting for its cache to age', async () => {
    const url = '/api/v1/client/client-version?channel=PC&subChannel=Steam&version=3.0';
    assert.equal((await onB(url)).statusCode, 404, 'B has loaded its snapshot');
    const r = await a.call('POST', '/api/v1/client-versions', {
      token: admin,
      body: { channel: 'PC', subChannel: 'Steam', version: '3.0', status: 'ONLINE', gameServerAddress: 'g:1', patchAddress: 'p' },
    });
    assert.equal(r.statusCode, 201, r.body);
    await eventually(async () => (await onB(url)).statusCode === 200, 'B serving the new version');
    await a.call('PUT', '/api/v1/maintenance', { token: admin, body: { enabled: true, message: 'down' } });
    await eventually(async () => (await onB(url)).json().status === 'MAINTENANCE', 'B seeing global maintenance');
  });

  it('deployments sharing one Redis hear only their own bus (GATRIX_REDIS_PREFIX)', async () => {
    const log = pino({ level: 'silent' });
    const [mine, same, other] = await Promise.all([
      createRedisBus(REDIS!, log, a.config.redisPrefix),
      createRedisBus(REDIS!, log, a.config.redisPrefix),
      createRedisBus(REDIS!, log, `${a.config.redisPrefix}-other`),
    ]);
    const heard = { same: 0, other: 0 };
    same.subscribe('client', () => heard.same++);
    other.subscribe('client', () => heard.other++);
    try {
      mine.publish('client');
      await eventually(async () => heard.same === 1, 'the same deployment hearing it');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(heard.other, 0, 'another deployment heard it');
    } finally {
      await Promise.all([mine.close(), same.close(), other.close()]);
    }
  });

  it('a key revoked on node A is refused by node B within a second', async () => {
    const { id, key } = await a.apiKey('admin');
    assert.equal((await onB('/api/v1/users', key)).statusCode, 200, 'B has cached the key');
    assert.equal((await a.call('DELETE', `/api/v1/api-keys/${id}`, { token: admin })).statusCode, 204);
    await eventually(async () => (await onB('/api/v1/users', key)).statusCode === 401, 'B refusing the key', 1000);
  });

  it('failed logins on node A count on node B (shared counters in Redis)', async () => {
    const body = { username: 'shared_lock', email: 'shared_lock@example.com', role: 'viewer', password: 'shared-password-1' };
    assert.equal((await a.call('POST', '/api/v1/users', { token: admin, body })).statusCode, 201);
    const login = (app: App, password: string) =>
      app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.77.0.1', payload: { username: body.username, password } });
    for (let i = 0; i < a.config.login.maxFailuresPerAccount; i++) assert.equal((await login(a.app, 'wrong-password')).statusCode, 401);
    const onNodeB = await login(b, body.password);
    assert.equal(onNodeB.statusCode, 429, onNodeB.body);
  });
});
