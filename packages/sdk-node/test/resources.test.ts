import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GatrixClient, type GatrixError, type User } from '../src/index.ts';
import { startGatrix, type Gatrix } from './helpers.ts';

/** A client whose requests are recorded (method and URL), to see what the SDK sends. */
function recordingClient(g: Gatrix, options: Partial<ConstructorParameters<typeof GatrixClient>[0]> = {}) {
  const requests: { method: string; url: URL }[] = [];
  const client = new GatrixClient({
    apiKey: g.adminKey,
    baseURL: g.baseUrl,
    ...options,
    fetch: (input, init) => {
      requests.push({ method: init?.method ?? 'GET', url: new URL(String(input)) });
      return fetch(input, init);
    },
  });
  return { client, requests };
}

describe('every resource against a real Gatrix', () => {
  let g: Gatrix;
  let client: GatrixClient;
  before(async () => {
    g = await startGatrix();
    client = new GatrixClient({ apiKey: g.adminKey, baseURL: g.baseUrl, timeout: 30_000 });
  });
  after(() => g.close());

  it('users: create, get, partial update (PUT keeps unsent fields), list with filters, delete', async () => {
    const created = await client.users.create({ username: 'crud_user', email: 'crud@example.com', displayName: 'Crud', role: 'operator' });
    assert.equal(created.username, 'crud_user');
    assert.equal(created.role, 'operator');
    assert.deepEqual(await client.users.get(created.id), created);

    const at = new Date().toISOString();
    const updated = await client.users.update(created.id, { status: 'suspended', lastLoginAt: at });
    assert.equal(updated.status, 'suspended');
    assert.equal(updated.lastLoginAt, at);
    assert.equal(updated.displayName, 'Crud', 'a field not sent is kept');
    assert.equal(updated.role, 'operator');

    const page = await client.users.list({ role: 'operator', status: 'suspended', q: 'crud_' });
    assert.deepEqual(page.data.map((u) => u.id), [created.id]);
    assert.deepEqual(page.pagination, { page: 1, limit: 50, total: 1, totalPages: 1, totalExact: true });

    await client.users.delete(created.id);
    await assert.rejects(client.users.get(created.id), (err: GatrixError) => err.status === 404);
  });

  it('users: list() pages through 250 users and iterate() yields each exactly once, one request per page', async () => {
    const ids: number[] = [];
    for (let batch = 0; batch < 25; batch++) {
      const made = await Promise.all(
        Array.from({ length: 10 }, (_, i) => client.users.create({ username: `pg_${String(batch * 10 + i).padStart(3, '0')}`, email: `pg${batch * 10 + i}@example.com` })),
      );
      ids.push(...made.map((u) => u.id));
    }
    const { client: rec, requests } = recordingClient(g);

    const first = await rec.users.list({ q: 'pg_', limit: 100, sort: 'username' });
    assert.equal(first.data.length, 100);
    assert.deepEqual(first.pagination, { page: 1, limit: 100, total: 250, totalPages: 3, totalExact: true });
    const last = await rec.users.list({ q: 'pg_', limit: 100, page: 3, sort: 'username' });
    assert.equal(last.data.length, 50);
    assert.equal(last.data[49].username, 'pg_249');
    assert.equal(requests[1].url.searchParams.get('page'), '3');

    requests.length = 0;
    const seen: User[] = [];
    for await (const user of rec.users.iterate({ q: 'pg_' })) seen.push(user);
    assert.equal(seen.length, 250);
    assert.deepEqual(new Set(seen.map((u) => u.id)), new Set(ids));
    // By the answers' nextCursor: the second and third requests carry the cursor of the page before.
    assert.deepEqual(
      requests.map((r) => [r.url.pathname, r.url.searchParams.get('page'), r.url.searchParams.get('limit'), r.url.searchParams.get('q'), r.url.searchParams.has('cursor')]),
      [1, 2, 3].map((p) => ['/api/v1/users', String(p), '100', 'pg_', p > 1]),
    );

    // From page 2 of 50: the last 200, and stopping early fetches no further page.
    requests.length = 0;
    let n = 0;
    for await (const _ of rec.users.iterate({ q: 'pg_', page: 2, limit: 50 })) n++;
    assert.equal(n, 200);
    requests.length = 0;
    for await (const u of rec.users.iterate({ q: 'pg_', limit: 100 })) if (u) break;
    assert.equal(requests.length, 1);
  });

  it('users (console calls): cursor paging, bulk, suspend/unsuspend, unlock, resetPassword, sessions', async () => {
    for (let i = 0; i < 3; i++) await client.users.create({ username: `cur_${i}`, email: `cur${i}@example.com` });
    const first = await client.users.list({ q: 'cur_', limit: 2, sort: 'username' });
    assert.deepEqual(first.data.map((u) => u.username), ['cur_0', 'cur_1']);
    assert.ok(first.nextCursor);
    const second = await client.users.list({ q: 'cur_', limit: 2, sort: 'username', cursor: first.nextCursor });
    assert.deepEqual(second.data.map((u) => u.username), ['cur_2']);
    assert.equal(second.nextCursor, null);

    const bulk = await client.users.bulk({ action: 'setRole', role: 'viewer', filter: { q: 'cur_' }, reason: 'sdk test' });
    assert.deepEqual([bulk.total, bulk.succeeded, bulk.failed], [3, 3, 0]);

    const u = await client.users.create({ username: 'sdk_suspend', email: 'sdk_suspend@example.com', password: 'sdk-suspend-pass-1' });
    const suspended = await client.users.suspend(u.id, { reason: 'SDK test', until: new Date(Date.now() + 3_600_000).toISOString() });
    assert.equal(suspended.status, 'suspended');
    assert.equal(suspended.suspendedReason, 'SDK test');
    assert.equal((await client.users.unsuspend(u.id)).status, 'active');
    assert.equal(await client.users.unlock(u.id), undefined);
    const { temporaryPassword } = await client.users.resetPassword(u.id);
    assert.equal(temporaryPassword.length, 24);
    const signedIn = await new GatrixClient({ baseURL: g.baseUrl }).auth.login({ username: 'sdk_suspend', password: temporaryPassword });
    assert.ok(signedIn.refreshToken);
    const sessions = await client.users.sessions(u.id);
    assert.equal(sessions.length, 1);
    await client.users.revokeSession(u.id, sessions[0].id);
    assert.deepEqual(await client.users.sessions(u.id), []);
  });

  it('worlds: create, get, update, list filters, setMaintenance, reorder, delete', async () => {
    const a = await client.worlds.create({ worldId: 'res_a', name: 'A', tags: ['pvp'], region: 'kr' });
    const b = await client.worlds.create({ worldId: 'res_b', name: 'B', visible: false });
    assert.equal(a.worldId, 'res_a');
    assert.deepEqual(a.tags, ['pvp']);
    assert.deepEqual(await client.worlds.get(a.id), a);

    const renamed = await client.worlds.update(a.id, { name: 'A2' });
    assert.equal(renamed.name, 'A2');
    assert.equal(renamed.region, 'kr', 'a field not sent is kept');

    assert.deepEqual((await client.worlds.list({ tag: 'pvp' })).data.map((w) => w.id), [a.id]);
    assert.deepEqual((await client.worlds.list({ visible: false })).data.map((w) => w.id), [b.id]);

    const down = await client.worlds.setMaintenance(a.id, { enabled: true, message: '서버 점검 중입니다.', messages: { en: 'Under maintenance' } });
    assert.equal(down.maintenance, true);
    assert.equal(down.maintenanceMessage, '서버 점검 중입니다.');
    assert.deepEqual((await client.worlds.list({ maintenance: true })).data.map((w) => w.id), [a.id]);
    assert.equal((await client.worlds.setMaintenance(a.id, { enabled: false })).maintenance, false);

    const ordered = await client.worlds.reorder([b.id, a.id]);
    assert.deepEqual(ordered.slice(0, 2).map((w) => w.id), [b.id, a.id]);
    const all: number[] = [];
    for await (const w of client.worlds.iterate({ limit: 1 })) all.push(w.id);
    assert.deepEqual(all.slice(0, 2), [b.id, a.id]);

    await client.worlds.delete(a.id);
    await client.worlds.delete(b.id);
    assert.equal((await client.worlds.list({ q: 'res_' })).pagination.total, 0);
  });

  // The seed: the integration guide's Node.js SDK sample (docs/integration-guide.md).
  it("versions: the seed's list({ channel, subChannel }) filters exactly, in numeric version order; CRUD", async () => {
    const base = { status: 'ONLINE' as const, gameServerAddress: 'gs.example.com:7000', patchAddress: 'https://patch.example.com' };
    const v110 = await client.versions.create({ channel: 'PC', subChannel: 'Steam', version: '1.10.0', ...base });
    const v19 = await client.versions.create({ channel: 'PC', subChannel: 'Steam', version: '1.9.0', ...base });
    await client.versions.create({ channel: 'PC', subChannel: 'Epic', version: '1.0.0', ...base });
    await client.versions.create({ channel: 'Mobile', subChannel: 'Steam', version: '1.0.0', ...base });

    const steam = await client.versions.list({ channel: 'PC', subChannel: 'Steam' });
    assert.deepEqual(steam.data.map((v) => v.version), ['1.9.0', '1.10.0']);
    assert.equal(steam.pagination.total, 2);

    const forced = await client.versions.update(v19.id, { status: 'FORCED_UPDATE', memo: 'too old' });
    assert.equal(forced.status, 'FORCED_UPDATE');
    assert.equal(forced.gameServerAddress, base.gameServerAddress, 'a field not sent is kept');
    assert.deepEqual((await client.versions.list({ status: 'FORCED_UPDATE' })).data.map((v) => v.id), [v19.id]);
    assert.deepEqual(await client.versions.get(v110.id), v110);

    let count = 0;
    for await (const v of client.versions.iterate({ channel: 'PC', limit: 1 })) if (v.channel === 'PC') count++;
    assert.equal(count, 3);
    await client.versions.delete(v110.id);
    assert.deepEqual((await client.versions.list({ channel: 'PC', subChannel: 'Steam' })).data.map((v) => v.version), ['1.9.0']);
  });

  it('maintenance: set now, read back, end', async () => {
    const on = await client.maintenance.set({ enabled: true, message: '전체 점검', messages: { en: 'Maintenance' } });
    assert.equal(on.enabled, true);
    assert.equal(on.active, true);
    assert.equal((await client.maintenance.get()).message, '전체 점검');
    const off = await client.maintenance.set({ enabled: false });
    assert.equal(off.active, false);
  });

  it('whitelist: CRUD, filters and iterate()', async () => {
    const ip = await client.whitelist.create({ type: 'ip', value: '10.1.2.3/8', memo: 'office' });
    assert.equal(ip.value, '10.0.0.0/8', 'stored canonically');
    const account = await client.whitelist.create({ type: 'account', value: 'tester-1', enabled: false });
    assert.deepEqual(await client.whitelist.get(ip.id), ip);
    assert.equal((await client.whitelist.update(account.id, { enabled: true })).enabled, true);
    assert.deepEqual((await client.whitelist.list({ type: 'account' })).data.map((e) => e.id), [account.id]);
    const ids: number[] = [];
    for await (const e of client.whitelist.iterate({ limit: 1 })) ids.push(e.id);
    assert.deepEqual(ids.sort(), [ip.id, account.id].sort());
    const dry = await client.whitelist.import({ text: '10.9.9.9/24 # lab\ntester-1', dryRun: true });
    assert.deepEqual(dry.counts, { lines: 2, valid: 2, invalid: 0, created: 0, skipped: 1, warnings: 2 });
    assert.equal(dry.results[0].entry?.value, '10.9.9.0/24');
    const tested = await client.whitelist.test({ accountId: 'tester-1', ip: '10.200.0.1' });
    assert.equal(tested.allowed, true);
    assert.deepEqual(tested.matched.map((m) => m.matchedBy).sort(), ['account', 'ip']);
    await client.whitelist.delete(ip.id);
    await client.whitelist.delete(account.id);
    assert.equal((await client.whitelist.list()).pagination.total, 0);
  });

  it('notices: CRUD, filters and iterate(); a game client gets the ones aimed at it, in its language', async () => {
    const all = await client.notices.create({ title: 'For all', body: 'Hello', translations: { ko: { title: '모두에게', body: '안녕' } } });
    const steam = await client.notices.create({ title: 'Steam event', body: 'XP', category: 'event', priority: 5, channels: ['steam'], minVersion: '2.0' });
    assert.deepEqual(await client.notices.get(all.id), all);
    assert.equal((await client.notices.update(steam.id, { priority: 7 })).priority, 7);
    assert.deepEqual((await client.notices.list({ category: 'event' })).data.map((n) => n.id), [steam.id]);
    const ids: number[] = [];
    for await (const n of client.notices.iterate({ limit: 1 })) ids.push(n.id);
    assert.deepEqual(ids, [steam.id, all.id], 'priority first');

    const game = new GatrixClient({ apiKey: (await client.apiKeys.create({ name: 'notices client', type: 'client' })).key, baseURL: g.baseUrl });
    const seen = await game.client.notices({ platform: 'steam', version: '2.1', lang: 'ko-KR' });
    assert.deepEqual(seen.map((n) => [n.title, n.lang]), [['Steam event', null], ['모두에게', 'ko']]);
    assert.deepEqual((await game.client.notices()).map((n) => n.id), [all.id]);
    await client.notices.delete(steam.id);
    await client.notices.delete(all.id);
    assert.deepEqual(await game.client.notices(), []);
  });

  it('apiKeys: create shows the key once, list/get show the prefix, revoke locks the key out', async () => {
    const created = await client.apiKeys.create({ name: 'partner', type: 'server' });
    assert.ok(created.key.startsWith(created.prefix));
    const listed = (await client.apiKeys.list({ type: 'server' })).data.find((k) => k.id === created.id);
    assert.ok(listed);
    assert.equal('key' in listed, false, 'the key is never listed');
    assert.equal((await client.apiKeys.get(created.id)).name, 'partner');

    const server = new GatrixClient({ apiKey: created.key, baseURL: g.baseUrl });
    assert.equal((await server.worlds.list()).pagination.page, 1, 'a server key reads worlds');
    await client.apiKeys.revoke(created.id);
    await assert.rejects(server.worlds.list(), (err: GatrixError) => err.status === 401);
    const withRevoked = await client.apiKeys.list({ includeRevoked: true });
    assert.ok(withRevoked.data.find((k) => k.id === created.id)?.revokedAt);
    let n = 0;
    for await (const _ of client.apiKeys.iterate({ includeRevoked: true, limit: 1 })) n++;
    assert.equal(n, withRevoked.pagination.total);
  });

  it("auditLogs: the SDK's changes are audited with their actor and request id, and filter by action prefix", async () => {
    const world = await client.worlds.create({ worldId: 'audited', name: 'Audited' }, { headers: { 'x-request-id': 'sdk-audit-1' } });
    const byRequest = await client.auditLogs.list({ requestId: 'sdk-audit-1' });
    assert.equal(byRequest.data.length, 1);
    assert.equal(byRequest.data[0].action, 'world.create');
    assert.equal(byRequest.data[0].actorType, 'api_key');
    assert.equal(byRequest.data[0].targetId, String(world.id));
    const worldActions: string[] = [];
    for await (const entry of client.auditLogs.iterate({ action: 'world.*', limit: 5 })) worldActions.push(entry.action);
    assert.ok(worldActions.length > 1 && worldActions.every((a) => a.startsWith('world.')), worldActions.join());
  });

  it('client: the game-client endpoints answer a client key', async () => {
    const key = (await client.apiKeys.create({ name: 'game client', type: 'client' })).key;
    const game = new GatrixClient({ apiKey: key, baseURL: g.baseUrl });
    await client.versions.create({ channel: 'PC', subChannel: 'GameClient', version: '2.0.0', status: 'ONLINE', gameServerAddress: 'gs:1', patchAddress: 'https://p', minPatchVersion: '2.0.1' });
    const answer = await game.client.clientVersion({ channel: 'PC', subChannel: 'GameClient', version: '2.0.0', patchVersion: '2.0.0' });
    assert.equal(answer.status, 'FORCED_UPDATE', 'a patch below minPatchVersion must update');
    assert.equal((await game.client.clientVersion({ channel: 'PC', subChannel: 'GameClient', version: '2.0.0', patchVersion: '2.0.1' })).status, 'ONLINE');
    await client.versions.create({ channel: 'PC', subChannel: 'GameClient', version: '2.0.10', status: 'RECOMMENDED_UPDATE', gameServerAddress: 'gs:1', patchAddress: 'https://p' });
    assert.deepEqual((await game.client.clientVersions({ platform: 'PC', subChannel: 'GameClient' })).map((v) => [v.version, v.status]), [['2.0.10', 'RECOMMENDED_UPDATE'], ['2.0.0', 'ONLINE']]);
    assert.equal((await game.client.clientVersion({ platform: 'PC', subChannel: 'GameClient', version: 'latest' })).version, '2.0.10');
    assert.deepEqual(await game.client.status(), { maintenance: false, message: null, startsAt: null, endsAt: null, upcoming: null });
    const w = await client.worlds.create({ worldId: 'client_visible', name: 'Visible' });
    assert.ok((await game.client.gameWorlds({ lang: 'ko' })).some((x) => x.worldId === 'client_visible'));
    await client.worlds.delete(w.id);
    await assert.rejects(game.users.list(), (err: GatrixError) => err.status === 403, 'a client key reaches only /client/*');
  });

  it('server: snapshot() with a server key, null to its own ETag while unchanged', async () => {
    const key = (await client.apiKeys.create({ name: 'game server', type: 'server' })).key;
    const server = new GatrixClient({ apiKey: key, baseURL: g.baseUrl });
    const snapshot = await server.server.snapshot();
    assert.ok(snapshot && typeof snapshot.version === 'string' && Array.isArray(snapshot.clientVersions));
    assert.equal(await server.server.snapshot({ ifNoneMatch: `"${snapshot.version}"` }), null);
    assert.ok(await server.server.snapshot({ ifNoneMatch: '"other"' }));
  });

  it('auth: login, me, refresh, changePassword and logout; accessToken may be a function', async () => {
    await client.users.create({ username: 'signer', email: 'signer@example.com', role: 'viewer', password: 'password-123' });
    const anonymous = new GatrixClient({ baseURL: g.baseUrl, apiKey: '' });
    const tokens = await anonymous.auth.login({ username: 'signer', password: 'password-123' });
    assert.equal(tokens.tokenType, 'Bearer');
    assert.equal(tokens.user.username, 'signer');

    let current = tokens.accessToken;
    const viewer = new GatrixClient({ baseURL: g.baseUrl, accessToken: () => current });
    assert.equal((await viewer.auth.me()).username, 'signer');
    assert.equal((await viewer.users.list({ q: 'signer' })).pagination.total, 1, 'a viewer reads users');

    const refreshed = await anonymous.auth.refresh(tokens.refreshToken);
    current = refreshed.accessToken;
    assert.equal((await viewer.auth.me()).username, 'signer', 'the token function is read on each request');

    await viewer.auth.changePassword({ currentPassword: 'password-123', newPassword: 'password-456' });
    await assert.rejects(anonymous.auth.login({ username: 'signer', password: 'password-123' }), (err: GatrixError) => err.status === 401);
    const again = await anonymous.auth.login({ username: 'signer', password: 'password-456' });
    await new GatrixClient({ baseURL: g.baseUrl, accessToken: again.accessToken }).auth.logout(again.refreshToken);
    await assert.rejects(anonymous.auth.refresh(again.refreshToken), (err: GatrixError) => err.status === 401);
  });

  it('webhooks: CRUD, event types, secret rotation, test deliveries listed and fetched', async () => {
    const hook = await client.webhooks.create({ url: 'http://127.0.0.1:9/hook', events: ['user.*'], description: 'nowhere' });
    assert.match(hook.secret, /^whsec_/);
    assert.equal((await client.webhooks.get(hook.id)).url, 'http://127.0.0.1:9/hook');
    assert.equal('secret' in (await client.webhooks.get(hook.id)), false, 'the secret is shown on create only');
    const paused = await client.webhooks.update(hook.id, { active: false, events: ['world.*'] });
    assert.equal(paused.active, false);
    assert.deepEqual(paused.events, ['world.*']);
    assert.equal(paused.description, 'nowhere', 'a field not sent is kept');
    assert.deepEqual((await client.webhooks.list({ active: false })).data.map((w) => w.id), [hook.id]);
    for await (const w of client.webhooks.iterate()) assert.equal(w.id, hook.id);

    const rotated = await client.webhooks.rotateSecret(hook.id);
    assert.notEqual(rotated.secret, hook.secret);
    assert.ok(rotated.secretRotationEndsAt);

    const types = await client.webhooks.eventTypes();
    const created = types.find((t) => t.event === 'user.created');
    assert.equal(created?.socketEvent, 'user_registered');

    const delivery = await client.webhooks.test(hook.id);
    assert.equal(delivery.event, 'webhook.test');
    const page = await client.webhooks.deliveries(hook.id, { event: 'webhook.test' });
    assert.deepEqual(page.data.map((d) => d.id), [delivery.id]);
    const ids: number[] = [];
    for await (const d of client.webhooks.iterateDeliveries(hook.id)) ids.push(d.id);
    assert.deepEqual(ids, [delivery.id]);
    const detail = await client.webhooks.getDelivery(delivery.id);
    assert.equal(detail.id, delivery.id);
    assert.ok(Array.isArray(detail.attemptsLog));
    const recovered = await client.webhooks.recover(hook.id, { since: new Date(Date.now() - 3_600_000).toISOString() });
    assert.equal(typeof recovered.requeued, 'number');
    assert.deepEqual(await client.webhooks.retryDeliveries(hook.id, { eventType: 'no.such_event' }), { retried: 0 });
    const health = await client.webhooks.health(hook.id);
    assert.equal(health.webhookId, hook.id);
    assert.ok((await client.webhooks.healthAll()).some((x) => x.webhookId === hook.id));
    await client.webhooks.delete(hook.id);
    await assert.rejects(client.webhooks.get(hook.id), (err: GatrixError) => err.status === 404);
  });

  it('request(): any route, with the same authentication and errors', async () => {
    const me = await client.request<{ data: { event: string }[] }>('GET', '/api/v1/event-types');
    assert.ok(me.data.length > 10);
    await assert.rejects(client.request('GET', '/api/v1/nope'), (err: GatrixError) => err.status === 404 && err.code === 'route_not_found');
  });
});
