import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { eachDatabase, startHarness, TestClock, type Harness } from './helpers.ts';

const STATUSES = ['ONLINE', 'OFFLINE', 'MAINTENANCE', 'FORCED_UPDATE', 'RECOMMENDED_UPDATE', 'UNDER_REVIEW', 'BLOCKED_PATCH_ALLOWED'] as const;
const PLAYABLE = ['ONLINE', 'RECOMMENDED_UPDATE'];
const BYPASSED_BY_WHITELIST = ['MAINTENANCE', 'OFFLINE', 'UNDER_REVIEW', 'BLOCKED_PATCH_ALLOWED'];

/** Callers: who they are, where they connect from, and whether the whitelist below lets them through. */
const CALLERS = [
  { name: 'nobody', ip: '192.0.2.1', whitelisted: false },
  { name: 'account', ip: '192.0.2.1', accountId: 'qa-1', whitelisted: true },
  { name: 'disabled account', ip: '192.0.2.1', accountId: 'qa-off', whitelisted: false },
  { name: 'expired account', ip: '192.0.2.1', accountId: 'qa-old', whitelisted: false },
  { name: 'future account', ip: '192.0.2.1', accountId: 'qa-later', whitelisted: false },
  { name: 'ipv4', ip: '203.0.113.7', whitelisted: true },
  { name: 'ipv4 in cidr', ip: '198.51.100.23', whitelisted: true },
  { name: 'ipv4-mapped ipv6 in cidr', ip: '::ffff:198.51.100.23', whitelisted: true },
  { name: 'ipv6', ip: '2001:db8::1', whitelisted: true },
  { name: 'ipv6 in cidr', ip: '2001:db8:1::99', whitelisted: true },
  { name: 'ipv6 outside cidr', ip: '2001:db8:2::1', whitelisted: false },
];

/** Patch versions against minPatchVersion 1.0041 (numerically 1.41). */
const PATCHES: { patch?: string; ok: boolean }[] = [{ ok: false }, { patch: '1.0040', ok: false }, { patch: '1.0041', ok: true }, { patch: '1.41', ok: true }, { patch: '1.100', ok: true }];

function expectedStatus(status: string, global: boolean, whitelisted: boolean, patchOk: boolean): string {
  let s = global ? 'MAINTENANCE' : status;
  if (PLAYABLE.includes(s) && !patchOk) s = 'FORCED_UPDATE';
  if (whitelisted && BYPASSED_BY_WHITELIST.includes(s)) s = 'ONLINE';
  return s;
}

eachDatabase('game-client API', (kind) => {
  let h: Harness;
  let admin: string;
  let client: string;
  const clock = new TestClock();
  before(async () => {
    h = await startHarness(kind, { clock });
    admin = (await h.apiKey('admin')).key;
    client = (await h.apiKey('client')).key;
    const at = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();
    const entries = [
      { type: 'account', value: 'qa-1' },
      { type: 'account', value: 'qa-off', enabled: false },
      { type: 'account', value: 'qa-old', startsAt: at(-7200_000), endsAt: at(-3600_000) },
      { type: 'account', value: 'qa-later', startsAt: at(3600_000) },
      { type: 'ip', value: '203.0.113.7' },
      { type: 'ip', value: '198.51.100.0/24' },
      { type: 'ip', value: '2001:db8::1' },
      { type: 'ip', value: '2001:db8:1::/48' },
    ];
    for (const body of entries) {
      const r = await h.call('POST', '/api/v1/whitelist', { token: admin, body });
      assert.equal(r.statusCode, 201, r.body);
    }
    for (const [i, status] of STATUSES.entries()) {
      const r = await h.call('POST', '/api/v1/client-versions', {
        token: admin,
        body: {
          channel: 'PC',
          subChannel: 'Steam',
          version: `2.${i}`,
          status,
          gameServerAddress: 'game.example.com:7000',
          gameServerAddressForWhitelist: 'qa-game.example.com:7000',
          patchAddress: 'https://cdn.example.com/patch',
          minPatchVersion: '1.0041',
          maintenanceMessage: 'Version maintenance',
          maintenanceMessages: { ko: '버전 점검' },
        },
      });
      assert.equal(r.statusCode, 201, r.body);
    }
  });
  after(() => h.close());

  const ask = (query: string, ip = '192.0.2.1', key = client) =>
    h.app.inject({ method: 'GET', url: `/api/v1/client/client-version?${query}`, headers: { 'x-api-key': key }, remoteAddress: ip });

  it('resolves every status × global maintenance × caller × patch version as documented', async () => {
    let checked = 0;
    for (const global of [false, true]) {
      const g = await h.call('PUT', '/api/v1/maintenance', { token: admin, body: global ? { enabled: true, message: 'Global maintenance', messages: { ko: '전체 점검' } } : { enabled: false } });
      assert.equal(g.statusCode, 200, g.body);
      for (const [i, status] of STATUSES.entries()) {
        for (const caller of CALLERS) {
          for (const p of PATCHES) {
            const q = new URLSearchParams({ channel: 'PC', subChannel: 'Steam', version: `2.${i}` });
            if (p.patch) q.set('patchVersion', p.patch);
            if (caller.accountId) q.set('accountId', caller.accountId);
            const r = await ask(q.toString(), caller.ip);
            assert.equal(r.statusCode, 200, r.body);
            const a = r.json();
            const label = `${status} global=${global} ${caller.name} patch=${p.patch}`;
            const want = expectedStatus(status, global, caller.whitelisted, p.ok);
            assert.equal(a.status, want, label);
            assert.equal(a.gameServerAddress, caller.whitelisted ? 'qa-game.example.com:7000' : 'game.example.com:7000', label);
            if (want === 'MAINTENANCE') assert.equal(a.message, global ? 'Global maintenance' : 'Version maintenance', label);
            else assert.equal(a.message, null, label);
            checked++;
          }
        }
      }
    }
    assert.equal(checked, 2 * STATUSES.length * CALLERS.length * PATCHES.length);
    await h.call('PUT', '/api/v1/maintenance', { token: admin, body: { enabled: false } });
  });

  it('messages come in the requested language with fallback', async () => {
    await h.call('PUT', '/api/v1/maintenance', { token: admin, body: { enabled: true, message: 'Global maintenance', messages: { ko: '전체 점검', 'en-US': 'Global (US)' } } });
    const q = 'channel=PC&subChannel=Steam&version=2.0&patchVersion=1.0041';
    assert.equal((await ask(`${q}&lang=ko-KR`)).json().message, '전체 점검');
    assert.equal((await ask(`${q}&lang=en`)).json().message, 'Global (US)');
    assert.equal((await ask(`${q}&lang=fr`)).json().message, 'Global maintenance');
    assert.equal((await ask(q)).json().message, 'Global maintenance');
    const status = await h.app.inject({ method: 'GET', url: '/api/v1/client/status?lang=ko', headers: { 'x-api-key': client } });
    assert.equal(status.json().maintenance, true);
    assert.equal(status.json().message, '전체 점검');
    const wl = await h.app.inject({ method: 'GET', url: '/api/v1/client/status?accountId=qa-1', headers: { 'x-api-key': client } });
    assert.equal(wl.json().maintenance, false, 'a whitelisted account passes through');
    await h.call('PUT', '/api/v1/maintenance', { token: admin, body: { enabled: false } });
    assert.equal((await ask(`${q}&lang=ko`)).json().status, 'ONLINE', 'the cache saw the change');
  });

  it('an unknown version is a 404 version_not_found; bad query parameters are 400 naming them', async () => {
    const r = await ask('channel=PC&subChannel=Steam&version=9.9');
    assert.equal(r.statusCode, 404);
    assert.equal(r.json().code, 'version_not_found');
    for (const [q, path] of [
      ['subChannel=Steam&version=2.0', 'query.channel'],
      ['channel=PC&subChannel=Steam&version=abc', 'query.version'],
      ['channel=PC&subChannel=Steam&version=2.0&patchVersion=1.x', 'query.patchVersion'],
      ['channel=PC&subChannel=Steam&version=2.0&lang=not a lang', 'query.lang'],
    ]) {
      const bad = await ask(q);
      assert.equal(bad.statusCode, 400, q);
      assert.equal(bad.json().errors[0].path, path);
    }
  });

  it('the earlier Gatrix\'s calls: platform as an alias of channel, version=latest, and the version list', async () => {
    // A sub-channel of its own, with versions whose numeric order is not their text order.
    const ordered = ['1.0041', '1.10', '1.9', '1.2.5']; // newest first: 1.41, 1.10, 1.9, 1.2.5
    for (const version of ['1.9', '1.2.5', '1.0041', '1.10']) {
      const r = await h.call('POST', '/api/v1/client-versions', {
        token: admin,
        body: { channel: 'PC', subChannel: 'Compat', version, status: version === '1.0041' ? 'RECOMMENDED_UPDATE' : 'ONLINE', gameServerAddress: 'g:1', gameServerAddressForWhitelist: 'qa:1', patchAddress: `https://cdn.example.com/${version}`, memo: 'internal' },
      });
      assert.equal(r.statusCode, 201, r.body);
    }
    const byPlatform = await ask('platform=PC&subChannel=Compat&version=1.9');
    assert.equal(byPlatform.statusCode, 200, byPlatform.body);
    assert.equal(byPlatform.body, (await ask('channel=PC&subChannel=Compat&version=1.9')).body, 'platform answers as channel');
    assert.equal((await ask('channel=PC&platform=PC&subChannel=Compat&version=1.9')).body, byPlatform.body, 'both, equal');
    const differ = await ask('channel=PC&platform=Mobile&subChannel=Compat&version=1.9');
    assert.equal(differ.statusCode, 400);
    assert.equal(differ.json().errors[0].path, 'query.platform');
    const neither = await ask('subChannel=Compat&version=1.9');
    assert.equal(neither.statusCode, 400);
    assert.equal(neither.json().errors[0].path, 'query.channel');

    const latest = await ask('platform=PC&subChannel=Compat&version=latest');
    assert.equal(latest.statusCode, 200, latest.body);
    assert.equal(latest.body, (await ask('channel=PC&subChannel=Compat&version=1.0041')).body, 'latest is the newest version by numeric order');
    assert.equal(latest.json().version, '1.0041', 'the answer names the version it is for');
    assert.equal((await ask('channel=PC&subChannel=Compat&version=latest&accountId=qa-1')).json().gameServerAddress, 'qa:1', 'whitelist applies');
    for (const q of ['channel=PC&subChannel=Nope&version=latest', 'channel=Nope&subChannel=Compat&version=latest']) {
      const none = await ask(q);
      assert.equal(none.statusCode, 404, q);
      assert.equal(none.json().code, 'version_not_found', 'no version is the answer to an unknown version');
    }
    assert.equal((await ask('channel=PC&subChannel=Compat&version=newest')).statusCode, 400);

    const list = (query: string, key = client) => h.app.inject({ method: 'GET', url: `/api/v1/client/client-versions?${query}`, headers: { 'x-api-key': key } });
    const listed = await list('channel=PC&subChannel=Compat');
    assert.equal(listed.statusCode, 200, listed.body);
    const data = listed.json().data as Record<string, unknown>[];
    assert.deepEqual(data.map((v) => v.version), ordered);
    assert.deepEqual(Object.keys(data[0]!).sort(), ['channel', 'customPayload', 'externalClickLink', 'gameServerAddress', 'guestModeAllowed', 'minPatchVersion', 'patchAddress', 'status', 'subChannel', 'version']);
    assert.equal(data[0]!.status, 'RECOMMENDED_UPDATE', 'the version\'s own status');
    assert.equal((await list('platform=PC&subChannel=Compat')).body, listed.body);
    assert.deepEqual((await list('channel=PC&subChannel=Nope')).json(), { data: [] });
    assert.equal((await list('channel=PC&platform=Mobile&subChannel=Compat')).json().errors[0].path, 'query.platform');
    assert.equal((await list('channel=PC')).json().errors[0].path, 'query.subChannel');
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/client/client-versions?channel=PC&subChannel=Compat' })).statusCode, 401);
    const viewer = await h.userToken('viewer');
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/client/client-versions?channel=PC&subChannel=Compat', headers: { authorization: `Bearer ${viewer.token}` } })).statusCode, 403);

    // A new version is listed and becomes latest at once; deleting it falls back.
    const added = await h.call('POST', '/api/v1/client-versions', { token: admin, body: { channel: 'PC', subChannel: 'Compat', version: '1.100', status: 'ONLINE', gameServerAddress: 'g:1', patchAddress: 'p' } });
    assert.equal(added.statusCode, 201, added.body);
    assert.equal((await list('channel=PC&subChannel=Compat')).json().data[0].version, '1.100');
    assert.equal((await ask('channel=PC&subChannel=Compat&version=latest')).json().version, '1.100');
    assert.equal((await h.call('DELETE', `/api/v1/client-versions/${added.json().id}`, { token: admin })).statusCode, 204);
    assert.equal((await ask('channel=PC&subChannel=Compat&version=latest')).json().version, '1.0041');
  });

  it('client and server keys reach it; staff, players and admin-less callers do not', async () => {
    const q = 'channel=PC&subChannel=Steam&version=2.0&patchVersion=1.41';
    assert.equal((await ask(q, '192.0.2.1', (await h.apiKey('server')).key)).statusCode, 200);
    const viewer = await h.userToken('viewer');
    const asViewer = await h.app.inject({ method: 'GET', url: `/api/v1/client/client-version?${q}`, headers: { authorization: `Bearer ${viewer.token}` } });
    assert.equal(asViewer.statusCode, 403);
    assert.equal((await h.app.inject({ method: 'GET', url: `/api/v1/client/client-version?${q}` })).statusCode, 401);
    assert.equal((await h.call('GET', '/api/v1/users', { token: client })).statusCode, 403, 'a client key reaches only /client/*');
  });

  it('a change to a version is seen by the next request', async () => {
    const q = 'channel=PC&subChannel=Steam&version=2.0&patchVersion=1.41';
    assert.equal((await ask(q)).json().status, 'ONLINE');
    const list = (await h.call('GET', '/api/v1/client-versions?channel=PC&subChannel=Steam', { token: admin })).json();
    const v = list.data.find((x: { version: string }) => x.version === '2.0');
    await h.call('PATCH', `/api/v1/client-versions/${v.id}`, { token: admin, body: { status: 'OFFLINE' } });
    assert.equal((await ask(q)).json().status, 'OFFLINE');
    await h.call('PATCH', `/api/v1/client-versions/${v.id}`, { token: admin, body: { status: 'ONLINE', gameServerAddress: 'new.example.com:7000' } });
    const a = (await ask(q)).json();
    assert.equal(a.status, 'ONLINE');
    assert.equal(a.gameServerAddress, 'new.example.com:7000');
  });

  it("a whitelisted caller's answer never reaches anyone else", async () => {
    const q = 'channel=PC&subChannel=Steam&version=2.2&patchVersion=1.41'; // MAINTENANCE
    const before = (await ask(q)).body;
    const wl = (await ask(`${q}&accountId=qa-1`)).json();
    assert.equal(wl.status, 'ONLINE');
    assert.equal(wl.gameServerAddress, 'qa-game.example.com:7000');
    const afterAsk = (await ask(q)).body;
    assert.equal(afterAsk, before);
    assert.equal(JSON.parse(afterAsk).status, 'MAINTENANCE');
    assert.equal(JSON.parse(afterAsk).gameServerAddress, 'game.example.com:7000');
  });

  it('a whitelist entry that is disabled or deleted stops bypassing at once; a window opens on time', async () => {
    const q = 'channel=PC&subChannel=Steam&version=2.2&patchVersion=1.41';
    const created = (await h.call('POST', '/api/v1/whitelist', { token: admin, body: { type: 'account', value: 'temp-qa' } })).json();
    assert.equal((await ask(`${q}&accountId=temp-qa`)).json().status, 'ONLINE');
    await h.call('PATCH', `/api/v1/whitelist/${created.id}`, { token: admin, body: { enabled: false } });
    assert.equal((await ask(`${q}&accountId=temp-qa`)).json().status, 'MAINTENANCE');
    await h.call('DELETE', `/api/v1/whitelist/${created.id}`, { token: admin });
    assert.equal((await ask(`${q}&accountId=temp-qa`)).json().status, 'MAINTENANCE');
    // qa-later's window opens in an hour: the cached snapshot expires exactly then.
    assert.equal((await ask(`${q}&accountId=qa-later`)).json().status, 'MAINTENANCE');
    clock.advance(3600_000);
    assert.equal((await ask(`${q}&accountId=qa-later`)).json().status, 'ONLINE');
  });

  it('game worlds: visible only, in order; a scheduled window stays listed as open until it starts', async () => {
    const w1 = (await h.call('POST', '/api/v1/game-worlds', { token: admin, body: { worldId: 'w1', name: 'One', displayOrder: 2 } })).json();
    await h.call('POST', '/api/v1/game-worlds', { token: admin, body: { worldId: 'w0', name: 'Zero', displayOrder: 1 } });
    await h.call('POST', '/api/v1/game-worlds', { token: admin, body: { worldId: 'hidden', name: 'H', visible: false } });
    const list = async (query = '') =>
      (await h.app.inject({ method: 'GET', url: `/api/v1/client/game-worlds${query}`, headers: { 'x-api-key': client } })).json().data as { worldId: string; maintenance: boolean; maintenanceMessage: string | null }[];
    assert.deepEqual((await list()).map((w) => w.worldId), ['w0', 'w1']);
    await h.call('PUT', `/api/v1/game-worlds/${w1.id}/maintenance`, {
      token: admin,
      body: { enabled: true, message: 'w1 down', messages: { ko: 'w1 점검' }, startsAt: new Date(clock.now().getTime() + 60_000).toISOString() },
    });
    assert.equal((await list()).find((w) => w.worldId === 'w1')!.maintenance, false);
    clock.advance(60_000);
    await h.services.scheduler.tick();
    const after = (await list('?lang=ko')).find((w) => w.worldId === 'w1')!;
    assert.equal(after.maintenance, true);
    assert.equal(after.maintenanceMessage, 'w1 점검');
    assert.equal((await list('?accountId=qa-1')).find((w) => w.worldId === 'w1')!.maintenance, false, 'whitelisted passes');
  });
});
