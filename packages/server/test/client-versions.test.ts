import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { readEventsAfter } from '../src/events/outbox.ts';
import type { PublicClientVersion } from '../src/modules/client-versions/schemas.ts';
import { failOutboxInserts } from './db-faults.ts';
import { eachDatabase, startHarness, type Harness } from './helpers.ts';
import { CUSTOM_PAYLOAD_MAX_BYTES } from '../src/core/fields.ts';

const BASE = {
  channel: 'PC',
  subChannel: 'Steam',
  version: '1.0.0',
  status: 'ONLINE',
  gameServerAddress: 'game.example.com:7000',
  patchAddress: 'https://patch.example.com/pc',
};

/** A customPayload whose JSON is exactly `bytes` long. */
function payloadOfSize(bytes: number): Record<string, string> {
  const overhead = JSON.stringify({ blob: '' }).length;
  return { blob: 'x'.repeat(bytes - overhead) };
}

eachDatabase('client versions', (kind) => {
  let h: Harness;
  before(async () => {
    h = await startHarness(kind);
  });
  after(() => h.close());

  const lastSeq = async () => Number((await h.db.db.selectFrom('outbox_events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst())?.m ?? 0);
  const events = async (since: number) => (await readEventsAfter(h.db.db, since)).map((e) => e.envelope);
  const rowCount = async (table: 'client_versions' | 'audit_logs' | 'outbox_events') =>
    Number((await h.db.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const counts = async () => Promise.all([rowCount('client_versions'), rowCount('audit_logs'), rowCount('outbox_events')]);
  const create = (body: object, token = h.adminToken) => h.call('POST', '/api/v1/client-versions', { token, body });
  const created = async (body: object): Promise<PublicClientVersion> => {
    const r = await create({ ...BASE, ...body });
    assert.equal(r.statusCode, 201, r.body);
    return r.json();
  };
  const versionsOf = (r: { json(): { data: PublicClientVersion[] } }) => r.json().data.map((v) => `${v.channel}/${v.subChannel}/${v.version}`);

  it('creates a version with defaults, Location and ETag, audited, with client_version.created { id, clientVersion }', async () => {
    const seq = await lastSeq();
    const r = await create({ ...BASE, version: '0.9.0' });
    assert.equal(r.statusCode, 201, r.body);
    const v = r.json();
    assert.deepEqual({ ...v, id: 0, createdAt: 0, updatedAt: 0 }, {
      ...BASE,
      version: '0.9.0',
      id: 0,
      gameServerAddressForWhitelist: null,
      patchAddressForWhitelist: null,
      minPatchVersion: null,
      guestModeAllowed: false,
      externalClickLink: null,
      customPayload: null,
      maintenanceMessage: null,
      maintenanceMessages: {},
      memo: null,
      createdAt: 0,
      updatedAt: 0,
    });
    assert.equal(r.headers.location, `/api/v1/client-versions/${v.id}`);
    const got = await h.call('GET', `/api/v1/client-versions/${v.id}`, { token: h.adminToken });
    assert.deepEqual(got.json(), v);
    assert.equal(got.headers.etag, r.headers.etag);
    assert.deepEqual((await events(seq)).map((e) => [e.event, e.data]), [['client_version.created', { id: v.id, clientVersion: v }]]);
    const audit = await h.db.db.selectFrom('audit_logs').select(['action', 'target_type', 'target_id', 'after']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.deepEqual({ ...audit, after: JSON.parse(audit.after!) }, { action: 'client_version.create', target_type: 'client_version', target_id: String(v.id), after: v });
    await h.call('DELETE', `/api/v1/client-versions/${v.id}`, { token: h.adminToken });
  });

  // The seed: the integration guide's Node.js SDK sample (docs/integration-guide.md).
  it("the seed's versions.list({channel: 'PC', subChannel: 'Steam'}) lists that channel only, versions in numeric order", async () => {
    for (const version of ['1.10.0', '1.9.0', '1.2', '1.0.0', '2.0']) await created({ version });
    await created({ subChannel: 'Epic', version: '1.0.0' });
    await created({ channel: 'Android', subChannel: 'GooglePlay', version: '1.0.0', status: 'MAINTENANCE' });
    const r = await h.call('GET', '/api/v1/client-versions?channel=PC&subChannel=Steam', { token: h.adminToken });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(versionsOf(r), ['PC/Steam/1.0.0', 'PC/Steam/1.2', 'PC/Steam/1.9.0', 'PC/Steam/1.10.0', 'PC/Steam/2.0']);
    assert.deepEqual(r.json().pagination, { page: 1, limit: 50, total: 5, totalPages: 1 });

    const paged = await h.call('GET', '/api/v1/client-versions?channel=PC&subChannel=Steam&limit=2&page=2', { token: h.adminToken });
    assert.deepEqual(versionsOf(paged), ['PC/Steam/1.9.0', 'PC/Steam/1.10.0']);
    assert.deepEqual(paged.json().pagination, { page: 2, limit: 2, total: 5, totalPages: 3 });
    const all = await h.call('GET', '/api/v1/client-versions', { token: h.adminToken });
    assert.deepEqual(versionsOf(all).slice(0, 3), ['Android/GooglePlay/1.0.0', 'PC/Epic/1.0.0', 'PC/Steam/1.0.0']);
    const maint = await h.call('GET', '/api/v1/client-versions?status=MAINTENANCE', { token: h.adminToken });
    assert.deepEqual(versionsOf(maint), ['Android/GooglePlay/1.0.0']);
    const none = await h.call('GET', '/api/v1/client-versions?channel=pc&subChannel=Steam', { token: h.adminToken });
    assert.equal(none.json().pagination.total, 0, 'filters match exactly');
    const { pagination } = (await h.call('GET', '/api/v1/client-versions?page=9', { token: h.adminToken })).json();
    assert.equal(pagination.total, 7);
  });

  it('PUT and PATCH are partial: fields not sent are kept', async () => {
    const v = await created({
      version: '3.0.0',
      minPatchVersion: '3.0.1',
      guestModeAllowed: true,
      customPayload: { features: { pvp: true } },
      maintenanceMessages: { ko: '점검 중', en: 'Under maintenance' },
      memo: 'launch build',
      gameServerAddressForWhitelist: 'qa.example.com:7000',
    });
    const put = await h.call('PUT', `/api/v1/client-versions/${v.id}`, { token: h.adminToken, body: { status: 'MAINTENANCE', maintenanceMessage: 'Back soon' } });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual({ ...put.json<PublicClientVersion>(), updatedAt: 0 }, { ...v, status: 'MAINTENANCE', maintenanceMessage: 'Back soon', updatedAt: 0 });
    const patch = await h.call('PATCH', `/api/v1/client-versions/${v.id}`, { token: h.adminToken, body: { customPayload: null, guestModeAllowed: false } });
    assert.deepEqual({ ...patch.json<PublicClientVersion>(), updatedAt: 0 }, { ...v, status: 'MAINTENANCE', maintenanceMessage: 'Back soon', customPayload: null, guestModeAllowed: false, updatedAt: 0 });
    const empty = await h.call('PATCH', `/api/v1/client-versions/${v.id}`, { token: h.adminToken, body: {} });
    assert.equal(empty.statusCode, 400);
  });

  it('rejects bad input with 400 naming the field, and writes nothing', async () => {
    const { status: _status, ...noStatus } = BASE;
    const cases: [object, string][] = [
      [{ ...BASE, status: 'BROKEN' }, 'status'],
      [noStatus, 'status'],
      [{ ...BASE, version: '1.x' }, 'version'],
      [{ ...BASE, version: '' }, 'version'],
      [{ ...BASE, minPatchVersion: 'latest' }, 'minPatchVersion'],
      [{ ...BASE, channel: 'P C' }, 'channel'],
      [{ ...BASE, gameServerAddress: '' }, 'gameServerAddress'],
      [{ ...BASE, externalClickLink: 'javascript:alert(1)' }, 'externalClickLink'],
      [{ ...BASE, maintenanceMessages: { 'not a lang': 'x' } }, 'maintenanceMessages.not a lang'],
      [{ ...BASE, customPayload: [1, 2] }, 'customPayload'],
      [{ ...BASE, customPayload: payloadOfSize(CUSTOM_PAYLOAD_MAX_BYTES + 1) }, 'customPayload'],
      [{ ...BASE, platform: 'steam' }, 'platform'],
    ];
    const before = await counts();
    for (const [body, path] of cases) {
      const r = await create(body);
      assert.equal(r.statusCode, 400, `${JSON.stringify(body).slice(0, 200)} → ${r.body}`);
      assert.equal(r.json().errors[0].path, path, r.body);
    }
    const v = await created({ version: '4.0.0' });
    const counted = await counts();
    for (const body of [{ status: 'BROKEN' }, { customPayload: payloadOfSize(CUSTOM_PAYLOAD_MAX_BYTES + 1) }, { id: 5 }]) {
      const r = await h.call('PATCH', `/api/v1/client-versions/${v.id}`, { token: h.adminToken, body });
      assert.equal(r.statusCode, 400, JSON.stringify(body).slice(0, 100));
      assert.equal(r.json().errors[0].path, Object.keys(body)[0]);
    }
    for (const q of ['status=BROKEN', 'limit=101', 'page=0']) {
      const r = await h.call('GET', `/api/v1/client-versions?${q}`, { token: h.adminToken });
      assert.equal(r.statusCode, 400, q);
      assert.match(r.json().errors[0].path, /^query\./);
    }
    assert.deepEqual(await counts(), counted);
    assert.deepEqual(counted, [before[0] + 1, before[1] + 1, before[2] + 1]);
  });

  it('customPayload of exactly 16 KiB serialized is accepted', async () => {
    const customPayload = payloadOfSize(CUSTOM_PAYLOAD_MAX_BYTES);
    assert.equal(Buffer.byteLength(JSON.stringify(customPayload)), CUSTOM_PAYLOAD_MAX_BYTES);
    const v = await created({ version: '4.1.0', customPayload });
    assert.deepEqual(v.customPayload, customPayload);
  });

  it('a duplicate (channel, subChannel, version) is a 409 naming version; another subChannel is fine', async () => {
    const v = await created({ version: '5.0.0' });
    const dup = await create({ ...BASE, version: '5.0.0', status: 'OFFLINE' });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().code, 'version_taken');
    assert.deepEqual(dup.json().errors.map((e: { path: string }) => e.path), ['version']);
    await created({ subChannel: 'Epic', version: '5.0.0' });
    const other = await created({ version: '5.0.1' });
    const clash = await h.call('PATCH', `/api/v1/client-versions/${other.id}`, { token: h.adminToken, body: { version: '5.0.0' } });
    assert.equal(clash.statusCode, 409);
    assert.equal(clash.json().errors[0].path, 'version');
    assert.equal((await h.call('GET', `/api/v1/client-versions/${v.id}`, { token: h.adminToken })).json().status, 'ONLINE');
  });

  it('concurrent creates of one version give exactly one 201 and the rest 409', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => create({ ...BASE, channel: 'Race', version: '1.0.0' })));
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, ...Array(9).fill(409)]);
    assert.equal((await h.call('GET', '/api/v1/client-versions?channel=Race', { token: h.adminToken })).json().pagination.total, 1);
  });

  it('a change that fails after its row was written leaves no row, no audit entry and no event', async () => {
    const v = await created({ version: '6.0.0' });
    const before = await counts();
    const attempts = [
      ['client_version.created', () => create({ ...BASE, version: '6.0.1' })],
      ['client_version.updated', () => h.call('PATCH', `/api/v1/client-versions/${v.id}`, { token: h.adminToken, body: { status: 'OFFLINE' } })],
      ['client_version.deleted', () => h.call('DELETE', `/api/v1/client-versions/${v.id}`, { token: h.adminToken })],
    ] as const;
    for (const [event, attempt] of attempts) {
      const restore = await failOutboxInserts(h, event);
      try {
        const r = await attempt();
        assert.equal(r.statusCode, 500, event);
        assert.doesNotMatch(r.body, /injected|outbox/);
      } finally {
        await restore();
      }
    }
    assert.deepEqual(await counts(), before);
    assert.deepEqual((await h.call('GET', `/api/v1/client-versions/${v.id}`, { token: h.adminToken })).json(), v);
  });

  it('ETag on GET and PUT; a stale If-Match is 412 on PUT, PATCH and DELETE and changes nothing', async () => {
    const v = await created({ version: '7.0.0' });
    const tag = (await h.call('GET', `/api/v1/client-versions/${v.id}`, { token: h.adminToken })).headers.etag as string;
    const put = await h.call('PUT', `/api/v1/client-versions/${v.id}`, { token: h.adminToken, headers: { 'if-match': tag }, body: { memo: 'v2' } });
    assert.equal(put.statusCode, 200);
    assert.notEqual(put.headers.etag, tag);
    const before = await counts();
    for (const m of ['PUT', 'PATCH', 'DELETE']) {
      const r = await h.call(m, `/api/v1/client-versions/${v.id}`, { token: h.adminToken, headers: { 'if-match': tag }, ...(m === 'DELETE' ? {} : { body: { memo: 'v3' } }) });
      assert.equal(r.statusCode, 412, m);
    }
    assert.deepEqual(await counts(), before);
    const notModified = await h.call('GET', `/api/v1/client-versions/${v.id}`, { token: h.adminToken, headers: { 'if-none-match': put.headers.etag as string } });
    assert.equal(notModified.statusCode, 304);
    const del = await h.call('DELETE', `/api/v1/client-versions/${v.id}`, { token: h.adminToken, headers: { 'if-match': put.headers.etag as string } });
    assert.equal(del.statusCode, 204);
  });

  it('update and delete write client_version.updated / .deleted { id, clientVersion } and audit entries', async () => {
    const v = await created({ version: '8.0.0' });
    const seq = await lastSeq();
    const updated = (await h.call('PATCH', `/api/v1/client-versions/${v.id}`, { token: h.adminToken, body: { status: 'RECOMMENDED_UPDATE' } })).json();
    assert.equal((await h.call('DELETE', `/api/v1/client-versions/${v.id}`, { token: h.adminToken })).statusCode, 204);
    assert.deepEqual((await events(seq)).map((e) => [e.event, e.data]), [
      ['client_version.updated', { id: v.id, clientVersion: updated }],
      ['client_version.deleted', { id: v.id, clientVersion: updated }],
    ]);
    const audits = await h.db.db.selectFrom('audit_logs').select(['action', 'before', 'after']).where('target_id', '=', String(v.id)).where('target_type', '=', 'client_version').orderBy('id').execute();
    assert.deepEqual(
      audits.map((a) => [a.action, a.before && JSON.parse(a.before), a.after && JSON.parse(a.after)]),
      [
        ['client_version.create', null, v],
        ['client_version.update', v, updated],
        ['client_version.delete', updated, null],
      ],
    );
    for (const m of ['GET', 'PUT', 'DELETE']) {
      const r = await h.call(m, `/api/v1/client-versions/${v.id}`, { token: h.adminToken, ...(m === 'PUT' ? { body: { memo: 'x' } } : {}) });
      assert.equal(r.statusCode, 404, m);
      assert.equal(r.json().code, 'client_version_not_found');
    }
  });

  it('permissions: viewer and server key read, cannot write; operator writes; a client key is refused', async () => {
    const viewer = await h.userToken('viewer');
    const operator = await h.userToken('operator');
    const server = { 'x-api-key': (await h.apiKey('server')).key };
    const client = { 'x-api-key': (await h.apiKey('client')).key };
    const body = { ...BASE, channel: 'Perm' };
    assert.equal((await h.call('GET', '/api/v1/client-versions', { token: viewer.token })).statusCode, 200);
    assert.equal((await create(body, viewer.token)).statusCode, 403);
    const made = await create(body, operator.token);
    assert.equal(made.statusCode, 201);
    const id = made.json().id;
    assert.equal((await h.call('PUT', `/api/v1/client-versions/${id}`, { token: viewer.token, body: { memo: 'x' } })).statusCode, 403);
    assert.equal((await h.call('DELETE', `/api/v1/client-versions/${id}`, { token: viewer.token })).statusCode, 403);
    const seed = await h.call('GET', '/api/v1/client-versions?channel=PC&subChannel=Steam', { headers: server });
    assert.equal(seed.statusCode, 200);
    assert.equal((await h.call('GET', `/api/v1/client-versions/${id}`, { headers: server })).statusCode, 200);
    assert.equal((await h.call('PATCH', `/api/v1/client-versions/${id}`, { headers: server, body: { memo: 'x' } })).statusCode, 403);
    assert.equal((await h.call('GET', '/api/v1/client-versions', { headers: client })).statusCode, 403);
    assert.equal((await h.call('GET', `/api/v1/client-versions/${id}`, { headers: client })).statusCode, 403);
    assert.equal((await h.call('GET', '/api/v1/client-versions')).statusCode, 401);
    assert.equal((await h.call('DELETE', `/api/v1/client-versions/${id}`, { token: operator.token })).statusCode, 204);
  });

  it('all() returns every version in list order, and the change feed is told after each committed change', async () => {
    const seen: [number, PublicClientVersion | undefined][] = [];
    h.services.changes.subscribe('client-versions', ({ id, clientVersion }) => void seen.push([id, clientVersion]));
    const v = await created({ channel: 'Cache', version: '1.0' });
    const updated = (await h.call('PATCH', `/api/v1/client-versions/${v.id}`, { token: h.adminToken, body: { status: 'OFFLINE' } })).json();
    assert.equal((await create({ ...BASE, channel: 'Cache', version: '1.0' })).statusCode, 409);
    await h.call('DELETE', `/api/v1/client-versions/${v.id}`, { token: h.adminToken });
    assert.deepEqual(seen, [[v.id, v], [v.id, updated], [v.id, undefined]]);

    const all = await h.services.clientVersions.all();
    const listed = (await h.call('GET', '/api/v1/client-versions?limit=100', { token: h.adminToken })).json();
    assert.deepEqual(all, listed.data);
    assert.equal(all.length, listed.pagination.total);
  });
});
