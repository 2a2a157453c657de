import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GatrixClient, GatrixConnectionError, GatrixError, GatrixTimeoutError } from '../src/index.ts';
import { startGatrix, type Gatrix } from './helpers.ts';

/** The error a call rejects with (fails when it resolves). */
async function failure(call: Promise<unknown>): Promise<GatrixError> {
  try {
    await call;
  } catch (err) {
    assert.ok(err instanceof GatrixError, `expected a GatrixError, got ${String(err)}`);
    return err;
  }
  assert.fail('the call succeeded');
}

describe("Gatrix's problem+json answers become typed GatrixErrors", () => {
  let g: Gatrix;
  let client: GatrixClient;
  let attempts = 0;
  before(async () => {
    g = await startGatrix();
    client = new GatrixClient({
      apiKey: g.adminKey,
      baseURL: g.baseUrl,
      fetch: (input, init) => {
        attempts++;
        return fetch(input, init);
      },
    });
  });
  after(() => g.close());

  it('404: status, code, detail and the request id of the answer; not retried', async () => {
    attempts = 0;
    const err = await failure(client.users.get(987654));
    assert.equal(err.status, 404);
    assert.equal(err.code, 'user_not_found');
    assert.match(err.detail, /987654/);
    assert.match(err.requestId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(err.problem?.requestId, err.requestId);
    assert.equal(err.headers?.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.deepEqual(err.errors, []);
    assert.ok(err.message.includes('404 user_not_found') && err.message.includes(err.requestId!), err.message);
    assert.equal(attempts, 1, 'a 4xx is final');
  });

  it('the request id given in X-Request-Id comes back on the error', async () => {
    const err = await failure(client.worlds.get(987654, { headers: { 'x-request-id': 'trace-me-42' } }));
    assert.equal(err.requestId, 'trace-me-42');
  });

  it('400 validation: the invalid field is named in errors[]', async () => {
    attempts = 0;
    const err = await failure(client.users.create({ username: 'valid_name', email: 'not-an-email' }));
    assert.equal(err.status, 400);
    assert.equal(err.code, 'validation_failed');
    assert.deepEqual(err.errors.map((e) => e.path), ['email']);
    assert.match(err.errors[0].message, /email/);
    assert.equal(attempts, 1);
    const query = await failure(client.users.list({ limit: 1000 }));
    assert.deepEqual(query.errors.map((e) => e.path), ['query.limit']);
  });

  it('409 conflict: a taken username names its field', async () => {
    await client.users.create({ username: 'taken_one', email: 'taken1@example.com' });
    const err = await failure(client.users.create({ username: 'taken_one', email: 'taken2@example.com' }));
    assert.equal(err.status, 409);
    assert.equal(err.code, 'username_taken');
    assert.deepEqual(err.errors.map((e) => e.path), ['username']);
  });

  it('422: an Idempotency-Key reused with a different body', async () => {
    const key = `reuse-${Date.now()}`;
    await client.worlds.create({ worldId: 'idem_a', name: 'A' }, { idempotencyKey: key });
    const err = await failure(client.worlds.create({ worldId: 'idem_b', name: 'B' }, { idempotencyKey: key }));
    assert.equal(err.status, 422);
    assert.equal(err.code, 'idempotency_key_reused');
  });

  it('401 for a bad key, 403 for a key without the permission', async () => {
    const bad = new GatrixClient({ apiKey: 'gx_not_a_real_key', baseURL: g.baseUrl });
    const unauthorized = await failure(bad.users.list());
    assert.equal(unauthorized.status, 401);
    assert.equal(unauthorized.code, 'invalid_credentials');

    const server = new GatrixClient({ apiKey: (await client.apiKeys.create({ name: 'srv', type: 'server' })).key, baseURL: g.baseUrl });
    const forbidden = await failure(server.users.create({ username: 'nope_user', email: 'nope@example.com' }));
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.code, 'forbidden');
  });

  it('412 when If-Match no longer matches the ETag', async () => {
    const world = await client.worlds.create({ worldId: 'etag_world', name: 'E' });
    const err = await failure(client.worlds.update(world.id, { name: 'E2' }, { ifMatch: '"stale-etag"' }));
    assert.equal(err.status, 412);
    assert.equal(err.code, 'precondition_failed');
    assert.equal((await client.worlds.get(world.id)).name, 'E', 'nothing changed');
  });

  it('a connection error and a timeout are GatrixErrors too, without a status', () => {
    const conn = new GatrixConnectionError('x');
    const timeout = new GatrixTimeoutError(100);
    assert.ok(conn instanceof GatrixError && timeout instanceof GatrixConnectionError && timeout instanceof GatrixError);
    assert.equal(conn.status, undefined);
    assert.equal(timeout.code, 'timeout');
    assert.equal(timeout.name, 'GatrixTimeoutError');
  });
});
