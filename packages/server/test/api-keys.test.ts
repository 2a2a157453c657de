import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import pino from 'pino';
import { eachDatabase, startHarness, TestClock, type Harness } from './helpers.ts';
import { createLocalBus } from '../src/cluster/bus.ts';
import { sha256Hex } from '../src/core/tokens.ts';
import { createChangeFeed } from '../src/events/changes.ts';
import { createApiKeysService } from '../src/modules/api-keys/service.ts';

/** Counts the statements that read api_keys (real queries, on the test's database). */
class KeyReads implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (args.node.kind === 'SelectQueryNode' && JSON.stringify(args.node).includes('"api_keys"')) this.count++;
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

eachDatabase('api keys', (kind) => {
  let h: Harness;
  const clock = new TestClock();
  before(async () => {
    h = await startHarness(kind, { clock });
  });
  after(() => h.close());

  it('creates a key shown once, stores only its hash, and lists its prefix', async () => {
    const r = await h.call('POST', '/api/v1/api-keys', { token: h.adminToken, body: { name: 'game server', type: 'server' } });
    assert.equal(r.statusCode, 201, r.body);
    const created = r.json();
    assert.match(created.key, /^gtx_server_[A-Za-z0-9_-]{32}$/);
    assert.ok(created.key.startsWith(created.prefix));
    const row = await h.db.db.selectFrom('api_keys').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.equal(row.key_hash, sha256Hex(created.key));
    assert.ok(!JSON.stringify(row).includes(created.key), 'plaintext is not stored');

    const list = await h.call('GET', '/api/v1/api-keys', { token: h.adminToken });
    const listed = list.json().data.find((k: { id: number }) => k.id === created.id);
    assert.equal(listed.prefix, created.prefix);
    assert.ok(!('key' in listed));
    assert.ok(!list.body.includes(created.key));
    const one = await h.call('GET', `/api/v1/api-keys/${created.id}`, { token: h.adminToken });
    assert.ok(!('key' in one.json()));
  });

  // The seed SDK: the integration guide's Node.js SDK sample (docs/integration-guide.md).
  it('an admin key manages users like an admin, as X-API-Key or Bearer (the seed SDK does this)', async () => {
    const { key } = await h.apiKey('admin');
    const viaHeader = await h.call('POST', '/api/v1/users', { headers: { 'x-api-key': key }, body: { username: 'bykey1', email: 'bykey1@example.com' } });
    assert.equal(viaHeader.statusCode, 201, viaHeader.body);
    const viaBearer = await h.call('GET', '/api/v1/users?page=1&limit=10', { token: key });
    assert.equal(viaBearer.statusCode, 200);
    const audit = (await h.call('GET', `/api/v1/audit-logs?action=user.create&targetId=${viaHeader.json().id}`, { token: h.adminToken })).json();
    assert.equal(audit.data[0].actorType, 'api_key');
  });

  it('records lastUsedAt when a key is used', async () => {
    const { id, key } = await h.apiKey('server');
    assert.equal((await h.call('GET', `/api/v1/api-keys/${id}`, { token: h.adminToken })).json().lastUsedAt, null);
    await h.call('GET', '/api/v1/users', { headers: { 'x-api-key': key } }); // 403 for a server key, but the key was used
    for (let i = 0; i < 50; i++) {
      const k = (await h.call('GET', `/api/v1/api-keys/${id}`, { token: h.adminToken })).json();
      if (k.lastUsedAt) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.fail('lastUsedAt was never recorded');
  });

  it('revoking a key stops it at once', async () => {
    const { id, key } = await h.apiKey('admin');
    assert.equal((await h.call('GET', '/api/v1/users', { headers: { 'x-api-key': key } })).statusCode, 200);
    assert.equal((await h.call('DELETE', `/api/v1/api-keys/${id}`, { token: h.adminToken })).statusCode, 204);
    const after = await h.call('GET', '/api/v1/users', { headers: { 'x-api-key': key } });
    assert.equal(after.statusCode, 401);
    assert.equal(after.json().code, 'invalid_credentials');
    assert.ok((await h.call('GET', `/api/v1/api-keys/${id}`, { token: h.adminToken })).json().revokedAt);
    const listed = (await h.call('GET', '/api/v1/api-keys', { token: h.adminToken })).json().data.map((k: { id: number }) => k.id);
    assert.ok(!listed.includes(id), 'revoked keys are hidden unless includeRevoked=true');
    const all = (await h.call('GET', '/api/v1/api-keys?includeRevoked=true', { token: h.adminToken })).json().data.map((k: { id: number }) => k.id);
    assert.ok(all.includes(id));
  });

  it('a burst of calls with a key not in the cache reads it once; a revocation makes the next call read again', async () => {
    const reads = new KeyReads();
    const node = createApiKeysService({ ...h.ctx, db: h.ctx.db.withPlugin(reads) }, createChangeFeed(pino({ level: 'silent' }), createLocalBus()));
    const { id, key } = await h.apiKey('client');
    const burst = await Promise.all(Array.from({ length: 50 }, () => Promise.resolve(node.authenticate(key))));
    assert.ok(burst.every((p) => p?.kind === 'apiKey' && p.keyId === id));
    assert.equal(reads.count, 1, 'one read for the 50 calls');
    assert.equal((node.authenticate(key) as { keyId: number } | undefined)?.keyId, id, 'then answered from memory');
    assert.equal(reads.count, 1);
    await node.revoke(id, {});
    node.forgetCached(); // what a node's wiring does when the revocation is published (app/services.ts)
    const before = reads.count; // the revocation reads the key too
    assert.equal(await node.authenticate(key), undefined);
    assert.equal(reads.count, before + 1);
  });

  it('an expired key is refused; expiresAt in the past is rejected at creation', async () => {
    const soon = new Date(clock.now().getTime() + 60_000).toISOString();
    const r = await h.call('POST', '/api/v1/api-keys', { token: h.adminToken, body: { name: 'short', type: 'admin', expiresAt: soon } });
    assert.equal(r.statusCode, 201);
    const key = r.json().key;
    assert.equal((await h.call('GET', '/api/v1/users', { headers: { 'x-api-key': key } })).statusCode, 200);
    clock.advance(61_000);
    assert.equal((await h.call('GET', '/api/v1/users', { headers: { 'x-api-key': key } })).statusCode, 401);
    const past = await h.call('POST', '/api/v1/api-keys', { token: h.adminToken, body: { name: 'old', type: 'admin', expiresAt: '2000-01-01T00:00:00Z' } });
    assert.equal(past.statusCode, 400);
    assert.equal(past.json().errors[0].path, 'expiresAt');
  });

  it('rejects an unknown key type and unknown fields', async () => {
    const r = await h.call('POST', '/api/v1/api-keys', { token: h.adminToken, body: { name: 'x', type: 'superuser' } });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().errors[0].path, 'type');
    const extra = await h.call('POST', '/api/v1/api-keys', { token: h.adminToken, body: { name: 'x', type: 'client', key: 'chosen' } });
    assert.equal(extra.statusCode, 400);
    assert.equal(extra.json().errors[0].path, 'key');
  });

  it('operators and viewers read keys but cannot create or revoke them', async () => {
    for (const role of ['operator', 'viewer'] as const) {
      const { token } = await h.userToken(role);
      assert.equal((await h.call('GET', '/api/v1/api-keys', { token })).statusCode, 200);
      assert.equal((await h.call('POST', '/api/v1/api-keys', { token, body: { name: 'n', type: 'client' } })).statusCode, 403);
      assert.equal((await h.call('DELETE', '/api/v1/api-keys/1', { token })).statusCode, 403);
    }
  });
  it('unusedForDays lists the keys not used for that many days (never-used keys count from their creation)', async () => {
    const DAY = 86_400_000;
    const create = async (name: string) => (await h.call('POST', '/api/v1/api-keys', { token: h.adminToken, body: { name, type: 'server' } })).json().id as number;
    const neverUsed = await create('never used');
    const usedLater = await create('used later');
    const recent = await create('recent');
    // Back-dated (the access token would expire if the clock moved on): created 35 and 15 days ago, used 15 days ago.
    const ago = (days: number) => new Date(clock.now().getTime() - days * DAY).toISOString();
    await h.db.db.updateTable('api_keys').set({ created_at: ago(35) }).where('id', 'in', [neverUsed, usedLater]).execute();
    await h.db.db.updateTable('api_keys').set({ last_used_at: ago(15) }).where('id', '=', usedLater).execute();
    await h.db.db.updateTable('api_keys').set({ created_at: ago(15) }).where('id', '=', recent).execute();
    const unused = async (days: number) =>
      (await h.call('GET', `/api/v1/api-keys?unusedForDays=${days}&limit=100`, { token: h.adminToken })).json().data.map((k: { id: number }) => k.id) as number[];
    const ours = (ids: number[]) => ids.filter((id) => [neverUsed, usedLater, recent].includes(id));
    assert.deepEqual(ours(await unused(30)), [neverUsed]);
    assert.deepEqual(ours(await unused(10)), [neverUsed, usedLater, recent]);
    const count = (await h.call('GET', '/api/v1/api-keys?unusedForDays=30', { token: h.adminToken })).json().pagination.total;
    assert.ok(count >= 1 && count < (await h.call('GET', '/api/v1/api-keys', { token: h.adminToken })).json().pagination.total);
    const bad = await h.call('GET', '/api/v1/api-keys?unusedForDays=0', { token: h.adminToken });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].path, 'query.unusedForDays');
  });
});
