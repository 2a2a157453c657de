/**
 * GET /api/v1/server/snapshot: one versioned document with every world, global maintenance, the enabled
 * whitelist and every client version, from the game-client API's memory; a strong ETag and 304; gzip when asked.
 */
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { after, before, it } from 'node:test';
import { eachDatabase, startHarness, type Harness } from './helpers.ts';

interface Snapshot {
  version: string;
  generatedAt: string;
  worlds: { worldId: string; visible: boolean; maintenance: boolean }[];
  maintenance: { active: boolean; message: string | null };
  whitelist: { value: string; enabled: boolean }[];
  clientVersions: { version: string; minPatchVersion: string | null; gameServerAddressForWhitelist: string | null }[];
  notices: { title: string }[];
}

eachDatabase('server snapshot', (kind) => {
  let h: Harness;
  let server: string;
  let admin: string;
  before(async () => {
    h = await startHarness(kind);
    server = (await h.apiKey('server')).key;
    admin = (await h.apiKey('admin')).key;
    const writes: [string, string, unknown][] = [
      ['POST', '/api/v1/game-worlds', { worldId: 'w1', name: 'World 1' }],
      ['POST', '/api/v1/game-worlds', { worldId: 'hidden', name: 'Hidden', visible: false, maintenance: true, maintenanceMessage: 'down' }],
      ['POST', '/api/v1/whitelist', { type: 'ip', value: '10.0.0.0/8' }],
      ['POST', '/api/v1/whitelist', { type: 'account', value: 'off', enabled: false }],
      ['POST', '/api/v1/notices', { title: 'Hello', body: 'World' }],
      ['POST', '/api/v1/notices', { title: 'Off', body: 'Disabled', enabled: false }],
      ['POST', '/api/v1/client-versions', { channel: 'PC', subChannel: 'Steam', version: '1.2', status: 'ONLINE', gameServerAddress: 'g:1', gameServerAddressForWhitelist: 'qa:1', patchAddress: 'p', minPatchVersion: '1.0041' }],
    ];
    for (const [method, url, body] of writes) assert.equal((await h.call(method, url, { token: admin, body })).statusCode, 201);
  });
  after(() => h.close());

  const get = (headers: Record<string, string> = {}, token = server) => h.app.inject({ method: 'GET', url: '/api/v1/server/snapshot', headers: { 'x-api-key': token, ...headers } });

  it('answers everything a game server needs, with the ETag its version quotes', async () => {
    const r = await get();
    assert.equal(r.statusCode, 200, r.body);
    const s = r.json<Snapshot>();
    assert.equal(r.headers.etag, `"${s.version}"`);
    assert.deepEqual(s.worlds.map((w) => [w.worldId, w.visible, w.maintenance]), [['w1', true, false], ['hidden', false, true]]);
    assert.equal(s.maintenance.active, false);
    assert.deepEqual(s.whitelist.map((e) => e.value), ['10.0.0.0/8'], 'disabled entries are left out');
    assert.deepEqual(s.clientVersions.map((v) => [v.version, v.minPatchVersion, v.gameServerAddressForWhitelist]), [['1.2', '1.0041', 'qa:1']]);
    assert.deepEqual(s.notices.map((n) => n.title), ['Hello'], 'disabled notices are left out');
    assert.ok(Date.parse(s.generatedAt) > 0);
  });

  it('answers 304 with no body to If-None-Match while nothing changed, even after the memory is rebuilt', async () => {
    const first = await get();
    h.services.client.invalidate();
    const again = await get({ 'if-none-match': first.headers.etag as string });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
    assert.equal(again.headers.etag, first.headers.etag);
    const same = await get();
    assert.equal(same.body, first.body, 'a rebuild with the same content sends the same bytes (a strong ETag)');
  });

  it('changes version after a change, and answers 200 to the old ETag', async () => {
    const before = await get();
    assert.equal((await h.call('PUT', '/api/v1/maintenance', { token: admin, body: { enabled: true, message: 'Back soon' } })).statusCode, 200);
    const after = await get({ 'if-none-match': before.headers.etag as string });
    assert.equal(after.statusCode, 200);
    assert.notEqual(after.headers.etag, before.headers.etag);
    assert.deepEqual(after.json<Snapshot>().maintenance.active, true);
    assert.equal((await h.call('PUT', '/api/v1/maintenance', { token: admin, body: { enabled: false } })).statusCode, 200);
  });

  it('is gzip-encoded when the request accepts gzip', async () => {
    const plain = await get();
    const r = await get({ 'accept-encoding': 'br, gzip' });
    assert.equal(r.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(r.rawPayload).toString(), plain.body);
  });

  it('is refused to client keys and players (ops.read), and to no credential', async () => {
    assert.equal((await get({}, (await h.apiKey('client')).key)).statusCode, 403);
    const player = await h.userToken('player');
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/server/snapshot', headers: { authorization: `Bearer ${player.token}` } })).statusCode, 403);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/server/snapshot' })).statusCode, 401);
  });
});
