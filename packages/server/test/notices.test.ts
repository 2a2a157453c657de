import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { readEventsAfter } from '../src/events/outbox.ts';
import { eachDatabase, startHarness, TestClock, type Harness } from './helpers.ts';

const MIN = 60_000;

eachDatabase('notices', (kind) => {
  let h: Harness;
  // The clock moves hours ahead: act with API keys, which do not expire.
  let admin: string;
  let client: string;
  const clock = new TestClock(Date.parse('2030-03-01T00:00:00.000Z'));
  before(async () => {
    h = await startHarness(kind, { clock });
    admin = (await h.apiKey('admin')).key;
    client = (await h.apiKey('client')).key;
  });
  after(() => h.close());

  const at = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();
  const lastSeq = async () => Number((await h.db.db.selectFrom('outbox_events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst())?.m ?? 0);
  const events = async (since: number) => (await readEventsAfter(h.db.db, since)).map((e) => e.envelope);
  const create = (body: object, headers: Record<string, string> = {}) => h.call('POST', '/api/v1/notices', { token: admin, body, headers });
  const made = async (body: object) => {
    const r = await create(body);
    assert.equal(r.statusCode, 201, r.body);
    return r.json<{ id: number }>();
  };
  const ask = async (query = '') => {
    const r = await h.call('GET', `/api/v1/client/notices${query}`, { headers: { 'x-api-key': client } });
    assert.equal(r.statusCode, 200, r.body);
    return r.json<{ data: { id: number; title: string; body: string; lang: string | null; category: string; priority: number }[] }>().data;
  };
  const titles = async (query = '') => (await ask(query)).map((n) => n.title);
  const removeAll = async () => {
    const list = (await h.call('GET', '/api/v1/notices?limit=100', { token: admin })).json<{ data: { id: number }[] }>().data;
    for (const n of list) await h.call('DELETE', `/api/v1/notices/${n.id}`, { token: admin });
  };

  it('creates a notice with defaults, Location and ETag, audited with its reason, notice.created in the same change', async () => {
    const seq = await lastSeq();
    const r = await create({ title: 'Hello', body: 'World', translations: { ko: { title: '안녕', body: '세계' } } }, { 'x-audit-reason': 'launch news' });
    assert.equal(r.statusCode, 201, r.body);
    const n = r.json();
    assert.equal(r.headers.location, `/api/v1/notices/${n.id}`);
    assert.ok(r.headers.etag);
    assert.deepEqual({ ...n, id: 0, createdAt: 0, updatedAt: 0 }, {
      id: 0,
      category: 'notice',
      priority: 0,
      title: 'Hello',
      body: 'World',
      translations: { ko: { title: '안녕', body: '세계' } },
      enabled: true,
      startsAt: null,
      endsAt: null,
      channels: [],
      subChannels: [],
      worldIds: [],
      minVersion: null,
      maxVersion: null,
      createdAt: 0,
      updatedAt: 0,
    });
    const evs = await events(seq);
    assert.deepEqual(evs.map((e) => e.event), ['notice.created']);
    assert.deepEqual(evs[0].data, { id: n.id, notice: n });
    const audit = await h.db.db.selectFrom('audit_logs').select(['action', 'target_type', 'target_id', 'after', 'reason']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.deepEqual({ ...audit, after: JSON.parse(audit.after!) }, { action: 'notice.create', target_type: 'notice', target_id: String(n.id), after: n, reason: 'launch news' });
    await removeAll();
  });

  it('refuses bad input with a 400 naming the field, and writes nothing', async () => {
    const count = async () => Number((await h.db.db.selectFrom('notices').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const cases: [object, string][] = [
      [{ body: 'b' }, 'title'],
      [{ title: '', body: 'b' }, 'title'],
      [{ title: 't'.repeat(201), body: 'b' }, 'title'],
      [{ title: 't', body: 'b'.repeat(10_001) }, 'body'],
      [{ title: 't', body: 'b', category: 'news' }, 'category'],
      [{ title: 't', body: 'b', priority: 1.5 }, 'priority'],
      [{ title: 't', body: 'b', translations: { 'k o': { title: 'x', body: 'y' } } }, 'translations'],
      [{ title: 't', body: 'b', translations: { ko: { title: 'x' } } }, 'translations.ko'],
      [{ title: 't', body: 'b', startsAt: 'tomorrow' }, 'startsAt'],
      [{ title: 't', body: 'b', startsAt: at(2 * MIN), endsAt: at(MIN) }, 'endsAt'],
      [{ title: 't', body: 'b', startsAt: at(MIN), endsAt: at(MIN) }, 'endsAt'],
      [{ title: 't', body: 'b', minVersion: '1.x' }, 'minVersion'],
      [{ title: 't', body: 'b', minVersion: '1.10', maxVersion: '1.9' }, 'maxVersion'],
      [{ title: 't', body: 'b', channels: ['a', 'a'] }, 'channels'],
      [{ title: 't', body: 'b', worldIds: [''] }, 'worldIds.0'],
      [{ title: 't', body: 'b', color: 'red' }, 'color'],
    ];
    for (const [body, field] of cases) {
      const r = await create(body);
      assert.equal(r.statusCode, 400, `${JSON.stringify(body)}: ${r.body}`);
      assert.equal(r.headers['content-type'], 'application/problem+json; charset=utf-8');
      const paths = r.json<{ errors: { path: string }[] }>().errors.map((e) => e.path);
      assert.ok(paths.some((p) => p === field || p.startsWith(`${field}.`) || p.endsWith(`.${field}`) || p === `body.${field}`), `${JSON.stringify(body)} names ${field}: ${paths.join(', ')}`);
    }
    // An update is checked against what it keeps: a new end before the kept start.
    const n = await made({ title: 't', body: 'b', startsAt: at(MIN), minVersion: '2.0' });
    const early = await h.call('PATCH', `/api/v1/notices/${n.id}`, { token: admin, body: { endsAt: at(0) } });
    assert.equal(early.statusCode, 400, early.body);
    assert.equal(early.json().errors[0].path, 'endsAt');
    const low = await h.call('PATCH', `/api/v1/notices/${n.id}`, { token: admin, body: { maxVersion: '1.9' } });
    assert.equal(low.json().errors[0].path, 'maxVersion');
    assert.equal((await h.call('PATCH', `/api/v1/notices/${n.id}`, { token: admin, body: {} })).statusCode, 400, 'an empty update');
    assert.equal(await count(), before + 1);
    await removeAll();
  });

  it('updates partially and deletes, with notice.updated / notice.deleted; a stale If-Match is 412 and changes nothing', async () => {
    const r = await create({ title: 'v1', body: 'b', channels: ['steam'] });
    const n = r.json();
    const seq = await lastSeq();
    const put = await h.call('PUT', `/api/v1/notices/${n.id}`, { token: admin, headers: { 'if-match': String(r.headers.etag) }, body: { title: 'v2', priority: 5 } });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual({ ...put.json<object>(), updatedAt: 0 }, { ...n, title: 'v2', priority: 5, updatedAt: 0 });
    for (const m of ['PUT', 'PATCH', 'DELETE']) {
      const stale = await h.call(m, `/api/v1/notices/${n.id}`, { token: admin, headers: { 'if-match': String(r.headers.etag) }, ...(m === 'DELETE' ? {} : { body: { title: 'v3' } }) });
      assert.equal(stale.statusCode, 412, `${m}: ${stale.body}`);
    }
    const got = await h.call('GET', `/api/v1/notices/${n.id}`, { token: admin });
    assert.equal(got.json().title, 'v2');
    assert.equal((await h.call('GET', `/api/v1/notices/${n.id}`, { token: admin, headers: { 'if-none-match': String(got.headers.etag) } })).statusCode, 304);
    const del = await h.call('DELETE', `/api/v1/notices/${n.id}`, { token: admin, headers: { 'if-match': String(got.headers.etag) } });
    assert.equal(del.statusCode, 204, del.body);
    const missing = await h.call('GET', `/api/v1/notices/${n.id}`, { token: admin });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'notice_not_found');
    const evs = await events(seq);
    assert.deepEqual(evs.map((e) => e.event), ['notice.updated', 'notice.deleted']);
    assert.deepEqual(evs[1].data, { id: n.id, notice: got.json() });
  });

  it('lists in client order with filters and paging', async () => {
    await made({ title: 'low', body: 'x', priority: -1 });
    await made({ title: 'high event', body: 'x', priority: 9, category: 'event' });
    await made({ title: 'later', body: 'findme', startsAt: at(60 * MIN) });
    await made({ title: 'ended', body: 'x', startsAt: at(-60 * MIN), endsAt: at(-MIN) });
    await made({ title: 'off', body: 'x', enabled: false });
    const list = async (q: string) => (await h.call('GET', `/api/v1/notices${q}`, { token: admin })).json<{ data: { title: string }[]; pagination: { total: number } }>();
    assert.deepEqual((await list('')).data.map((n) => n.title), ['high event', 'later', 'ended', 'off', 'low']);
    assert.deepEqual((await list('?category=event')).data.map((n) => n.title), ['high event']);
    assert.deepEqual((await list('?enabled=false')).data.map((n) => n.title), ['off']);
    assert.deepEqual((await list('?state=scheduled')).data.map((n) => n.title), ['later']);
    assert.deepEqual((await list('?state=ended')).data.map((n) => n.title), ['ended']);
    assert.deepEqual((await list('?state=current')).data.map((n) => n.title), ['high event', 'off', 'low']);
    assert.deepEqual((await list('?q=FINDME')).data.map((n) => n.title), ['later']);
    const page2 = await list('?limit=2&page=2');
    assert.deepEqual(page2.data.map((n) => n.title), ['ended', 'off']);
    assert.equal(page2.pagination.total, 5);
    assert.equal((await h.call('GET', '/api/v1/notices?state=soon', { token: admin })).statusCode, 400);
    await removeAll();
  });

  it('viewers and server keys read, operators write, players and client keys are refused', async () => {
    const viewer = await h.userToken('viewer');
    const operator = await h.userToken('operator');
    const player = await h.userToken('player');
    const server = await h.apiKey('server');
    const body = { title: 't', body: 'b' };
    assert.equal((await h.call('GET', '/api/v1/notices', { token: viewer.token })).statusCode, 200);
    assert.equal((await h.call('GET', '/api/v1/notices', { token: server.key })).statusCode, 200);
    assert.equal((await h.call('POST', '/api/v1/notices', { token: viewer.token, body })).statusCode, 403);
    assert.equal((await h.call('GET', '/api/v1/notices', { token: player.token })).statusCode, 403);
    assert.equal((await h.call('GET', '/api/v1/notices', { token: client })).statusCode, 403);
    const r = await h.call('POST', '/api/v1/notices', { token: operator.token, body });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal((await h.call('DELETE', `/api/v1/notices/${r.json().id}`, { token: viewer.token })).statusCode, 403);
    assert.equal((await h.call('GET', '/api/v1/client/notices', { token: viewer.token })).statusCode, 403, 'staff do not call the game-client API');
    await removeAll();
  });

  it('game clients get the enabled notices in their window that target them, priority first, then the latest start', async () => {
    await made({ title: 'all', body: 'x' });
    await made({ title: 'steam', body: 'x', channels: ['steam'], priority: 1 });
    await made({ title: 'steam pc', body: 'x', channels: ['steam'], subChannels: ['pc'], priority: 1, startsAt: at(-MIN) });
    await made({ title: 'w1', body: 'x', worldIds: ['w1', 'w2'], priority: 2 });
    await made({ title: '1.2..1.10', body: 'x', minVersion: '1.2', maxVersion: '1.10' });
    await made({ title: 'from 2', body: 'x', minVersion: '2' });
    await made({ title: 'off', body: 'x', enabled: false });
    await made({ title: 'ended', body: 'x', endsAt: at(-1) });
    assert.deepEqual(await titles(), ['all']);
    assert.deepEqual(await titles('?channel=steam'), ['steam', 'all']);
    assert.deepEqual(await titles('?platform=steam&subChannel=pc'), ['steam pc', 'steam', 'all'], 'platform is an alias; the later start first at equal priority');
    assert.deepEqual(await titles('?channel=steam&platform=steam&subChannel=mobile'), ['steam', 'all']);
    assert.deepEqual(await titles('?worldId=w2'), ['w1', 'all']);
    assert.deepEqual(await titles('?version=1.9'), ['1.2..1.10', 'all'], '1.9 is inside 1.2..1.10: versions compare per segment');
    assert.deepEqual(await titles('?version=1.10.0'), ['1.2..1.10', 'all'], 'both ends inclusive');
    assert.deepEqual(await titles('?version=1.11'), ['all']);
    assert.deepEqual(await titles('?version=2.0'), ['from 2', 'all']);
    const bad = await h.call('GET', '/api/v1/client/notices?channel=a&platform=b', { headers: { 'x-api-key': client } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].path, 'query.platform');
    const badVersion = await h.call('GET', '/api/v1/client/notices?version=1.x', { headers: { 'x-api-key': client } });
    assert.equal(badVersion.statusCode, 400);
    assert.match(badVersion.json().errors[0].path, /version/);
    await removeAll();
  });

  it('each notice comes in the language asked for, naming it, with the maintenance-message fallback', async () => {
    await made({ title: 'Default', body: 'Default body', translations: { ko: { title: '한국어', body: '본문' }, 'en-US': { title: 'American', body: 'Body US' } } });
    const one = async (lang: string) => (await ask(lang ? `?lang=${lang}` : ''))[0];
    assert.deepEqual(await one('ko-KR'), { ...(await one('ko')), lang: 'ko' });
    assert.equal((await one('ko')).title, '한국어');
    assert.equal((await one('ko')).body, '본문');
    assert.equal((await one('en')).title, 'American', 'the same language');
    assert.equal((await one('en')).lang, 'en-US');
    assert.equal((await one('fr')).title, 'Default');
    assert.equal((await one('fr')).lang, null);
    assert.equal((await one('')).lang, null);
    await removeAll();
  });

  it('a change is seen by the next request; a window opens and closes on the exact millisecond', async () => {
    const n = await made({ title: 'soon', body: 'x', startsAt: at(10 * MIN), endsAt: at(20 * MIN) });
    assert.deepEqual(await titles(), []);
    clock.advance(10 * MIN - 1);
    assert.deepEqual(await titles(), [], 'not a millisecond early');
    clock.advance(1);
    assert.deepEqual(await titles(), ['soon']);
    await h.call('PATCH', `/api/v1/notices/${n.id}`, { token: admin, body: { title: 'renamed' } });
    assert.deepEqual(await titles(), ['renamed']);
    clock.advance(10 * MIN - 1);
    assert.deepEqual(await titles(), ['renamed']);
    clock.advance(1);
    assert.deepEqual(await titles(), [], 'ended');
    await removeAll();
  });

  it('scheduled maintenance is announced before it starts, and in effect from its first millisecond', async () => {
    const world = (await h.call('POST', '/api/v1/game-worlds', { token: admin, body: { worldId: 'nw1', name: 'N1' } })).json();
    const status = async (q = '') => (await h.call('GET', `/api/v1/client/status${q}`, { headers: { 'x-api-key': client } })).json();
    const worldOf = async (q = '') =>
      (await h.call('GET', `/api/v1/client/game-worlds${q}`, { headers: { 'x-api-key': client } })).json().data.find((w: { worldId: string }) => w.worldId === 'nw1');
    assert.equal((await status()).upcoming, null);
    assert.equal((await worldOf()).upcomingMaintenance, null);

    const startsAt = at(30 * MIN);
    const endsAt = at(90 * MIN);
    const g = await h.call('PUT', '/api/v1/maintenance', { token: admin, body: { enabled: true, message: 'Update', messages: { ko: '업데이트' }, startsAt, endsAt } });
    assert.equal(g.statusCode, 200, g.body);
    const w = await h.call('PUT', `/api/v1/game-worlds/${world.id}/maintenance`, { token: admin, body: { enabled: true, message: 'World down', messages: { ko: '월드 점검' }, startsAt: at(10 * MIN) } });
    assert.equal(w.statusCode, 200, w.body);

    assert.deepEqual(await status('?lang=ko'), { maintenance: false, message: null, startsAt, endsAt, upcoming: { startsAt, endsAt, message: '업데이트' } });
    assert.deepEqual((await status('?lang=fr')).upcoming.message, 'Update');
    const before = await worldOf('?lang=ko');
    assert.equal(before.maintenance, false);
    assert.deepEqual(before.upcomingMaintenance, { startsAt: at(10 * MIN), endsAt: null, message: '월드 점검' });

    // No scheduler tick: the client answers turn over by the window alone, at its first millisecond.
    clock.advance(10 * MIN - 1);
    assert.equal((await worldOf()).maintenance, false);
    clock.advance(1);
    const started = await worldOf('?lang=ko');
    assert.equal(started.maintenance, true);
    assert.equal(started.maintenanceMessage, '월드 점검');
    assert.equal(started.upcomingMaintenance, null);
    assert.equal((await worldOf('?accountId=nobody')).maintenance, true);

    clock.advance(20 * MIN - 1);
    assert.equal((await status()).maintenance, false, 'not a millisecond early');
    clock.advance(1);
    assert.equal((await status()).maintenance, true, 'at its first millisecond');
    clock.advance(1);
    const s = await status('?lang=ko');
    assert.deepEqual(s, { maintenance: true, message: '업데이트', startsAt, endsAt, upcoming: null });
    const v = await h.call('POST', '/api/v1/client-versions', { token: admin, body: { channel: 'N', subChannel: 'pc', version: '1.0', status: 'ONLINE', gameServerAddress: 'g', patchAddress: 'p' } });
    assert.equal(v.statusCode, 201, v.body);
    const cv = await h.call('GET', '/api/v1/client/client-version?channel=N&subChannel=pc&version=1.0', { headers: { 'x-api-key': client } });
    assert.equal(cv.json().status, 'MAINTENANCE');

    clock.advance(60 * MIN);
    assert.deepEqual(await status(), { maintenance: false, message: null, startsAt, endsAt, upcoming: null }, 'over at its end, before any tick');
    await h.services.scheduler.tick();
    await h.call('PUT', `/api/v1/game-worlds/${world.id}/maintenance`, { token: admin, body: { enabled: false } });
    await h.call('PUT', '/api/v1/maintenance', { token: admin, body: { enabled: false } });
    assert.equal((await worldOf()).maintenance, false);
  });
});
