import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { readEventsAfter } from '../src/events/outbox.ts';
import { eachDatabase, startHarness, type Harness } from './helpers.ts';

eachDatabase('game worlds', (kind) => {
  let h: Harness;
  before(async () => {
    h = await startHarness(kind);
  });
  after(() => h.close());

  const lastSeq = async () => Number((await h.db.db.selectFrom('outbox_events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst())?.m ?? 0);
  const events = async (since: number) => (await readEventsAfter(h.db.db, since)).map((e) => e.envelope);
  const create = (body: object) => h.call('POST', '/api/v1/game-worlds', { token: h.adminToken, body });

  // The seed body and call: the integration guide's game-world samples (docs/integration-guide.md).
  it('creates a world with the seed body and emits world.created', async () => {
    const seq = await lastSeq();
    const r = await create({ worldId: 'world_001', name: '메인 월드', description: '기본 게임 월드', visible: true, maintenance: false });
    assert.equal(r.statusCode, 201, r.body);
    const w = r.json();
    assert.equal(w.worldId, 'world_001');
    assert.equal(w.name, '메인 월드');
    assert.equal(w.visible, true);
    assert.equal(w.maintenance, false);
    assert.deepEqual(w.tags, []);
    assert.equal(w.customPayload, null);
    const [e] = await events(seq);
    assert.equal(e.event, 'world.created');
    assert.deepEqual(e.data, { id: w.id, worldId: 'world_001', world: w });
    const list = (await h.call('GET', '/api/v1/game-worlds', { token: h.adminToken })).json();
    assert.equal(list.data[0].worldId, 'world_001');
    assert.equal(list.pagination.total, 1);
  });

  it('the seed maintenance call starts maintenance now, exactly one world.maintenance_started', async () => {
    const w = (await create({ worldId: 'seedmaint', name: 'Seed' })).json();
    const seq = await lastSeq();
    const r = await h.call('PUT', `/api/v1/game-worlds/${w.id}/maintenance`, {
      token: h.adminToken,
      body: { enabled: true, message: '서버 점검 중입니다. 2시간 후 정상화 예정입니다.' },
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().maintenance, true);
    assert.equal(r.json().maintenanceMessage, '서버 점검 중입니다. 2시간 후 정상화 예정입니다.');
    const evs = await events(seq);
    const started = evs.filter((e) => e.event === 'world.maintenance_started');
    assert.equal(started.length, 1);
    assert.equal((started[0].data as { worldId: string }).worldId, 'seedmaint');
    assert.equal((started[0].data as { message: string }).message, '서버 점검 중입니다. 2시간 후 정상화 예정입니다.');
    // Enabling again changes nothing that would start it twice.
    const seq2 = await lastSeq();
    await h.call('PUT', `/api/v1/game-worlds/${w.id}/maintenance`, { token: h.adminToken, body: { enabled: true, message: 'still' } });
    assert.equal((await events(seq2)).filter((e) => e.event.startsWith('world.maintenance')).length, 0);
    const seq3 = await lastSeq();
    const off = await h.call('PUT', `/api/v1/game-worlds/${w.id}/maintenance`, { token: h.adminToken, body: { enabled: false } });
    assert.equal(off.json().maintenance, false);
    assert.deepEqual((await events(seq3)).filter((e) => e.event.startsWith('world.maintenance')).map((e) => e.event), ['world.maintenance_ended']);
  });

  it('PUT is partial; updating fields keeps the rest; the maintenance flag toggles it', async () => {
    const w = (await create({ worldId: 'partialw', name: 'P', region: 'kr', tags: ['pvp', 'new'], customPayload: { cap: 5000 }, maintenanceMessage: 'soon back' })).json();
    const r = await h.call('PUT', `/api/v1/game-worlds/${w.id}`, { token: h.adminToken, body: { name: 'P2' } });
    assert.equal(r.statusCode, 200);
    assert.deepEqual({ ...r.json<object>(), updatedAt: 0 }, { ...w, name: 'P2', updatedAt: 0 });
    const m = await h.call('PATCH', `/api/v1/game-worlds/${w.id}`, { token: h.adminToken, body: { maintenance: true } });
    assert.equal(m.json().maintenance, true);
    assert.equal(m.json().maintenanceMessage, 'soon back');
    const noMsg = (await create({ worldId: 'nomsg', name: 'N' })).json();
    const refused = await h.call('PATCH', `/api/v1/game-worlds/${noMsg.id}`, { token: h.adminToken, body: { maintenance: true } });
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().errors[0].path, 'message');
  });

  it('filters by visible, maintenance, q and tag', async () => {
    await create({ worldId: 'hidden1', name: 'Hidden', visible: false, tags: ['event'] });
    await create({ worldId: 'tagged1', name: 'Tagged', tags: ['event', 'pvp'] });
    const hidden = (await h.call('GET', '/api/v1/game-worlds?visible=false', { token: h.adminToken })).json();
    assert.deepEqual(hidden.data.map((w: { worldId: string }) => w.worldId), ['hidden1']);
    const tagged = (await h.call('GET', '/api/v1/game-worlds?tag=event', { token: h.adminToken })).json();
    assert.deepEqual(tagged.data.map((w: { worldId: string }) => w.worldId).sort(), ['hidden1', 'tagged1']);
    const ev = (await h.call('GET', '/api/v1/game-worlds?tag=even', { token: h.adminToken })).json();
    assert.equal(ev.pagination.total, 0, 'tags match whole elements');
    const q = (await h.call('GET', '/api/v1/game-worlds?q=TAGG', { token: h.adminToken })).json();
    assert.deepEqual(q.data.map((w: { worldId: string }) => w.worldId), ['tagged1']);
    const inMaint = (await h.call('GET', '/api/v1/game-worlds?maintenance=true', { token: h.adminToken })).json();
    assert.ok(inMaint.data.every((w: { maintenance: boolean }) => w.maintenance));
  });

  it('duplicate worldId (any case) under concurrency: one 201, the rest 409, nothing half-written', async () => {
    const seq = await lastSeq();
    const rs = await Promise.all(Array.from({ length: 8 }, () => create({ worldId: 'RaceWorld', name: 'R' })));
    assert.deepEqual(rs.map((r) => r.statusCode).sort(), [201, ...Array(7).fill(409)]);
    const conflict = rs.find((r) => r.statusCode === 409)!.json();
    assert.equal(conflict.code, 'worldId_taken');
    assert.deepEqual(conflict.errors, [{ path: 'worldId', message: 'worldId is already taken' }]);
    assert.equal((await create({ worldId: 'raceworld', name: 'again' })).statusCode, 409);
    assert.equal((await events(seq)).filter((e) => e.event === 'world.created').length, 1);
  });

  it('rejects bad input naming the field', async () => {
    const cases: [object, string][] = [
      [{ worldId: '', name: 'x' }, 'worldId'],
      [{ worldId: 'bad id', name: 'x' }, 'worldId'],
      [{ worldId: 'ok1' }, 'name'],
      [{ worldId: 'ok2', name: 'x', tags: ['a', 'a'] }, 'tags'],
      [{ worldId: 'ok3', name: 'x', customPayload: { blob: 'x'.repeat(17_000) } }, 'customPayload'],
      [{ worldId: 'ok4', name: 'x', customPayload: [1, 2] }, 'customPayload'],
      [{ worldId: 'ok5', name: 'x', maintenanceMessages: { 'not a lang!': 'x' } }, 'maintenanceMessages'],
      [{ worldId: 'ok6', name: 'x', visible: 'yes' }, 'visible'],
    ];
    for (const [body, path] of cases) {
      const r = await create(body);
      assert.equal(r.statusCode, 400, `${JSON.stringify(body).slice(0, 80)} → ${r.body.slice(0, 200)}`);
      assert.ok(r.json().errors[0].path.startsWith(path), `${path} vs ${r.json().errors[0].path}`);
    }
    const w = (await create({ worldId: 'badmaint', name: 'B' })).json();
    const badWindows: [object, string][] = [
      [{ enabled: true, message: 'm', startsAt: '2030-01-02T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' }, 'endsAt'],
      [{ enabled: true, message: 'm', endsAt: '2001-01-01T00:00:00Z' }, 'endsAt'],
      [{ enabled: true }, 'message'],
      [{ enabled: true, messages: { ko: '' } }, 'messages.ko'],
      [{ enabled: 'yes' }, 'enabled'],
    ];
    for (const [body, path] of badWindows) {
      const r = await h.call('PUT', `/api/v1/game-worlds/${w.id}/maintenance`, { token: h.adminToken, body });
      assert.equal(r.statusCode, 400, JSON.stringify(body));
      assert.equal(r.json().errors[0].path, path, r.body);
    }
    assert.equal((await h.call('GET', `/api/v1/game-worlds/${w.id}`, { token: h.adminToken })).json().maintenance, false);
  });

  it('reorders worlds: listed first, the rest after; an unknown id is a 400 naming it', async () => {
    const all = (await h.call('GET', '/api/v1/game-worlds?limit=100', { token: h.adminToken })).json().data.map((w: { id: number }) => w.id);
    const last = all[all.length - 1];
    const r = await h.call('PUT', '/api/v1/game-worlds/order', { token: h.adminToken, body: { ids: [last] } });
    assert.equal(r.statusCode, 200, r.body);
    const after = (await h.call('GET', '/api/v1/game-worlds?limit=100', { token: h.adminToken })).json().data.map((w: { id: number }) => w.id);
    assert.deepEqual(after, [last, ...all.slice(0, -1)]);
    const bad = await h.call('PUT', '/api/v1/game-worlds/order', { token: h.adminToken, body: { ids: [last, 999999] } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].path, 'ids.1');
  });

  it('deletes a world with world.deleted; If-Match guards writes', async () => {
    const created = await create({ worldId: 'todelete', name: 'D' });
    const w = created.json();
    const stale = await h.call('DELETE', `/api/v1/game-worlds/${w.id}`, { token: h.adminToken, headers: { 'if-match': '"nope"' } });
    assert.equal(stale.statusCode, 412);
    const seq = await lastSeq();
    const del = await h.call('DELETE', `/api/v1/game-worlds/${w.id}`, { token: h.adminToken, headers: { 'if-match': String(created.headers.etag) } });
    assert.equal(del.statusCode, 204);
    assert.deepEqual((await events(seq)).map((e) => e.event), ['world.deleted']);
    assert.equal((await h.call('GET', `/api/v1/game-worlds/${w.id}`, { token: h.adminToken })).json().code, 'world_not_found');
  });

  it('viewers and server keys read; only admin/operator/admin key write', async () => {
    const viewer = await h.userToken('viewer');
    const operator = await h.userToken('operator');
    const server = await h.apiKey('server');
    const client = await h.apiKey('client');
    assert.equal((await h.call('GET', '/api/v1/game-worlds', { token: viewer.token })).statusCode, 200);
    assert.equal((await h.call('GET', '/api/v1/game-worlds', { token: server.key })).statusCode, 200);
    assert.equal((await h.call('GET', '/api/v1/game-worlds', { token: client.key })).statusCode, 403);
    assert.equal((await h.call('POST', '/api/v1/game-worlds', { token: viewer.token, body: { worldId: 'v', name: 'v' } })).statusCode, 403);
    assert.equal((await h.call('POST', '/api/v1/game-worlds', { token: server.key, body: { worldId: 'v', name: 'v' } })).statusCode, 403);
    assert.equal((await h.call('POST', '/api/v1/game-worlds', { token: operator.token, body: { worldId: 'byop', name: 'op' } })).statusCode, 201);
  });
});
