import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, it } from 'node:test';
import type { Socket } from 'socket.io-client';
import { accessTokens } from '../src/modules/auth/tokens.ts';
import type { ApiKeyType, Permission, Role } from '../src/core/permissions.ts';
import { eachDatabase, startHarness, type Harness } from './helpers.ts';
import { ALL_GRANTS, EXPECTED, type Grant } from './permission-matrix.ts';
import { closed, listener, recoverAfter, until } from './realtime-helpers.ts';

const require = createRequire(import.meta.url);
const { GatrixWebSocketClient } = require('./fixtures/seed-ws-client.cjs') as { GatrixWebSocketClient: new (url: string, token: string) => { socket: Socket } };

/** The seed's client (the integration guide's Socket.IO sample, docs/integration-guide.md), with the integrator's own helper methods recording what the seed's handlers pass them. */
class RecordingSeedClient extends GatrixWebSocketClient {
  calls: [string, ...unknown[]][] = [];
  sendWelcomeEmail(user: unknown) { this.calls.push(['sendWelcomeEmail', user]); }
  updateAnalytics(name: string, data: unknown) { this.calls.push(['updateAnalytics', name, data]); }
  updateUserActivity(userId: unknown) { this.calls.push(['updateUserActivity', userId]); }
  logSecurityEvent(name: string, data: unknown) { this.calls.push(['logSecurityEvent', name, data]); }
  notifyUsers(worldId: unknown, what: string) { this.calls.push(['notifyUsers', worldId, what]); }
  updateWorldStatus(worldId: unknown, status: string) { this.calls.push(['updateWorldStatus', worldId, status]); }
}

eachDatabase('realtime events over Socket.IO', (kind) => {
  let h: Harness;
  let admin: string;
  const sockets: Socket[] = [];
  const open = (token: string, transports?: ('websocket' | 'polling')[]) => {
    const l = listener(h.baseUrl, token, transports);
    sockets.push(l.socket);
    return l;
  };
  before(async () => {
    h = await startHarness(kind, { listen: true });
    admin = (await h.apiKey('admin')).key;
  });
  after(async () => {
    for (const s of sockets) s.disconnect();
    await h.close();
  });

  it("the seed's client receives user_registered, user_login and world maintenance events with the fields it reads", async () => {
    const seed = new RecordingSeedClient(h.baseUrl, h.adminToken);
    sockets.push(seed.socket);
    await until(() => seed.socket.connected, 'seed client connected');
    const u = (await h.call('POST', '/api/v1/users', { token: admin, body: { username: 'live1', email: 'live1@example.com', password: 'password-123' } })).json();
    await h.call('POST', '/api/v1/auth/login', { body: { username: 'live1', password: 'password-123' } });
    const w = (await h.call('POST', '/api/v1/game-worlds', { token: admin, body: { worldId: 'liveworld', name: 'L' } })).json();
    await h.call('PUT', `/api/v1/game-worlds/${w.id}/maintenance`, { token: admin, body: { enabled: true, message: '점검' } });
    await h.call('PUT', `/api/v1/game-worlds/${w.id}/maintenance`, { token: admin, body: { enabled: false } });
    await until(() => seed.calls.length === 8, 'eight handler calls');
    assert.deepEqual(seed.calls[0], ['sendWelcomeEmail', u]);
    assert.equal(seed.calls[1][1], 'user_registered');
    assert.deepEqual(seed.calls[2], ['updateUserActivity', u.id]);
    assert.deepEqual(seed.calls.slice(4).map((c) => c.slice(0, 3)), [
      ['notifyUsers', 'liveworld', 'maintenance_started'],
      ['updateWorldStatus', 'liveworld', 'maintenance'],
      ['notifyUsers', 'liveworld', 'maintenance_ended'],
      ['updateWorldStatus', 'liveworld', 'active'],
    ]);
    const registered = seed.calls[1][2] as Record<string, unknown>;
    assert.match(String(registered.eventId), /^evt_/);
    assert.ok(!Number.isNaN(Date.parse(String(registered.timestamp))));
  });

  it('works over long-polling too', async () => {
    const l = open(h.adminToken, ['polling']);
    await l.connected;
    assert.equal(l.socket.io.engine.transport.name, 'polling');
    await h.call('POST', '/api/v1/users', { token: admin, body: { username: 'poll1', email: 'poll1@example.com' } });
    await until(() => l.heard.some((e) => e.event === 'user_registered' && (e.data.user as { username: string }).username === 'poll1'), 'event over polling');
  });

  it('a missing, bad or revoked credential fails the handshake with "unauthorized"', async () => {
    const key = await h.apiKey('server');
    await h.call('DELETE', `/api/v1/api-keys/${key.id}`, { token: admin });
    for (const token of ['', 'garbage', 'gtx_admin_nope', key.key]) {
      const l = open(token);
      await assert.rejects(l.connected, (err: Error) => err.message === 'unauthorized', token);
    }
  });

  it('each role and key type hears exactly the events whose data its REST permissions may read', async () => {
    const callers = await Promise.all(
      ALL_GRANTS.map(async (grant) => {
        const user = grant.startsWith('key:') ? undefined : await h.userToken(grant as Role);
        const token = user?.token ?? (await h.apiKey(grant.slice(4) as ApiKeyType)).key;
        return { grant, userId: user?.id, l: open(token) };
      }),
    );
    await Promise.all(callers.map((c) => c.l.connected));
    const player = callers.find((c) => c.grant === 'player')!;
    // Every caller hears world events: once each has this one, the set-up's own events (logins) are behind us.
    await h.call('POST', '/api/v1/game-worlds', { token: admin, body: { worldId: 'matrixmark', name: 'M' } });
    const marked = (c: (typeof callers)[number]) => c.l.heard.findIndex((e) => e.data.worldId === 'matrixmark') + 1;
    await until(() => callers.every((c) => marked(c) > 0), 'every caller to hear the marker');
    const base = callers.map(marked);

    const u = (await h.call('POST', '/api/v1/users', { token: admin, body: { username: 'matrix1', email: 'matrix1@example.com', password: 'password-123' } })).json();
    await h.call('POST', '/api/v1/auth/login', { body: { username: 'matrix1', password: 'password-123' } });
    await h.call('PATCH', `/api/v1/users/${u.id}`, { token: admin, body: { displayName: 'Them' } });
    await h.call('PATCH', `/api/v1/users/${player.userId}`, { token: admin, body: { displayName: 'Me' } });
    await h.call('POST', '/api/v1/game-worlds', { token: admin, body: { worldId: 'matrixworld', name: 'M' } });
    await h.call('POST', '/api/v1/client-versions', { token: admin, body: { channel: 'PC', subChannel: 'Steam', version: '9.9', status: 'ONLINE', gameServerAddress: 'g', patchAddress: 'p' } });
    await h.call('POST', '/api/v1/whitelist', { token: admin, body: { type: 'account', value: 'matrix-qa' } });
    await h.call('POST', '/api/v1/notices', { token: admin, body: { title: 'Matrix', body: 'Not for players before its window' } });
    await h.call('PUT', '/api/v1/maintenance', { token: admin, body: { enabled: true, message: 'down' } });
    await h.call('PUT', '/api/v1/maintenance', { token: admin, body: { enabled: false } });

    // [event, whose user it is about, the REST permission that reads its data, who hears it beyond that]
    const sent: [string, number | undefined, Permission, Grant[]][] = [
      ['user_registered', u.id, 'users.read', []],
      ['user_login', u.id, 'users.read', []],
      ['user_updated', u.id, 'users.read', []],
      ['user_updated', player.userId, 'users.read', []],
      // What the game-client API serves anyway: client keys, and signed-in players, hear it too.
      ['world_created', undefined, 'ops.read', ['key:client', 'player']],
      ['client_version_created', undefined, 'ops.read', ['key:client']],
      ['whitelist_updated', undefined, 'ops.read', []],
      ['notice_created', undefined, 'ops.read', ['key:client']],
      ['maintenance_started', undefined, 'ops.read', ['key:client', 'player']],
      ['maintenance_ended', undefined, 'ops.read', ['key:client', 'player']],
    ];
    const expected = (c: (typeof callers)[number]) =>
      sent.filter(([, about, permission, also]) => (EXPECTED[permission] as readonly Grant[]).includes(c.grant) || also.includes(c.grant) || (about !== undefined && about === c.userId)).map(([e]) => e);
    const admins = callers.filter((c) => c.grant === 'admin' || c.grant === 'key:admin');
    await until(() => admins.every((c) => c.l.heard.length - base[callers.indexOf(c)] === sent.length), 'the admins to hear everything');
    await new Promise((r) => setTimeout(r, 200));
    for (const [i, c] of callers.entries()) assert.deepEqual(c.l.heard.slice(base[i]).map((e) => e.event), expected(c), c.grant);
    assert.deepEqual(expected(callers.find((c) => c.grant === 'key:server')!), ['world_created', 'client_version_created', 'whitelist_updated', 'notice_created', 'maintenance_started', 'maintenance_ended']);
  });

  it('subscribe refuses unknown or webhook-style names, naming them and the valid ones, and changes nothing', async () => {
    const l = open(h.adminToken);
    await l.connected;
    const ack = await l.socket.emitWithAck('subscribe', { events: ['world_created', 'user.created', 'nope'] });
    assert.equal(ack.error, 'unknown_events');
    assert.deepEqual(ack.unknown, ['user.created', 'nope']);
    assert.ok(ack.valid.includes('user_registered') && ack.valid.includes('world_created') && !ack.valid.includes('user.created'));
    assert.match(ack.message, /user\.created, nope/);
    assert.equal((await l.socket.emitWithAck('subscribe', { events: 'world_created' })).error, 'invalid_request');
    // Still the whole stream: the refused requests narrowed nothing.
    await h.call('POST', '/api/v1/users', { token: admin, body: { username: 'unknown1', email: 'unknown1@example.com' } });
    await until(() => l.heard.some((e) => e.event === 'user_registered'), 'user_registered after a refused subscribe');
  });

  it('subscribe narrows the stream to the events asked for', async () => {
    const l = open(h.adminToken);
    await l.connected;
    const ack = await l.socket.emitWithAck('subscribe', { events: ['world_created'] });
    assert.deepEqual(ack, { events: ['world_created'] });
    await h.call('POST', '/api/v1/users', { token: admin, body: { username: 'narrow1', email: 'narrow1@example.com' } });
    await h.call('POST', '/api/v1/game-worlds', { token: admin, body: { worldId: 'narrowworld', name: 'N' } });
    await until(() => l.heard.some((e) => e.event === 'world_created'), 'world_created');
    assert.deepEqual(l.heard.map((e) => e.event), ['world_created']);
  });

  it('a client that drops briefly gets what it missed, once, in order', async () => {
    const l = open(h.adminToken);
    await l.connected;
    await h.call('POST', '/api/v1/users', { token: admin, body: { username: 'rec0', email: 'rec0@example.com' } });
    await until(() => l.heard.length === 1, 'first event');
    const reconnected = new Promise<void>((r) => l.socket.io.once('reconnect', () => r()));
    l.socket.io.engine.close(); // the transport drops; the client reconnects by itself
    for (let i = 1; i <= 3; i++) await h.call('POST', '/api/v1/users', { token: admin, body: { username: `rec${i}`, email: `rec${i}@example.com` } });
    await reconnected;
    await until(() => l.heard.length >= 4, 'missed events');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(l.socket.recovered, true);
    assert.deepEqual(l.heard.map((e) => (e.data.user as { username: string }).username), ['rec0', 'rec1', 'rec2', 'rec3']);
  });

  it('a socket recovered after its user was demoted joins only the rooms of a player and gets none of the staff events it missed', async () => {
    const op = await h.userToken('operator');
    const l = open(op.token);
    await l.connected;
    const watcher = open(h.adminToken);
    await watcher.connected;
    await recoverAfter(h, l, watcher, async () => {
      await h.call('PATCH', `/api/v1/users/${op.id}`, { token: admin, body: { role: 'player' } });
      return (await h.call('POST', '/api/v1/auth/login', { body: { username: op.username, password: 'password-123' } })).json().accessToken;
    });
  });

  it('a socket ends when its access token expires: it comes back with a fresh token, and is refused with the old one', async () => {
    const u = await h.userToken('viewer');
    // Tokens that expire 8 s from now: time to sign in again for the one that renews, on a busy machine.
    const soon = () => accessTokens(h.config.jwtSecret, h.config.accessTokenTtlSeconds).sign(u.id, new Date(Date.now() - (h.config.accessTokenTtlSeconds - 8) * 1000));
    const [renewing, stuck] = [open(await soon()), open(await soon())];
    await Promise.all([renewing.connected, stuck.connected]);
    const dropped = Promise.all([closed(renewing.socket), closed(stuck.socket)]);
    const refused = new Promise<string>((r) => stuck.socket.once('connect_error', (err) => r(err.message)));
    const back = new Promise<void>((r) => renewing.socket.once('connect', () => r()));
    renewing.auth.token = (await h.call('POST', '/api/v1/auth/login', { body: { username: u.username, password: 'password-123' } })).json().accessToken;
    assert.deepEqual(await dropped, ['transport close', 'transport close']);
    await back;
    assert.ok(renewing.socket.connected, 'reconnected with the fresh token');
    assert.equal(await refused, 'unauthorized');
  });

  it("logout closes that session's sockets, a password change all of the user's, and neither token reconnects", async () => {
    const username = `sess_${Date.now()}`;
    await h.userToken('viewer', username);
    const login = async () => (await h.call('POST', '/api/v1/auth/login', { body: { username, password: 'password-123' } })).json<{ accessToken: string; refreshToken: string }>();
    const [one, two, three] = [await login(), await login(), await login()];
    const sockets = [open(one.accessToken), open(two.accessToken), open(three.accessToken)];
    await Promise.all(sockets.map((s) => s.connected));
    const oneClosed = closed(sockets[0].socket);
    assert.equal((await h.call('POST', '/api/v1/auth/logout', { token: one.accessToken, body: { refreshToken: one.refreshToken } })).statusCode, 204);
    assert.equal(await oneClosed, 'io server disconnect');
    assert.ok(sockets[1].socket.connected && sockets[2].socket.connected, 'the other sessions stay');
    await assert.rejects(open(one.accessToken).connected, (err: Error) => err.message === 'unauthorized');

    const othersClosed = Promise.all([closed(sockets[1].socket), closed(sockets[2].socket)]);
    const r = await h.call('PUT', '/api/v1/auth/password', { token: two.accessToken, body: { currentPassword: 'password-123', newPassword: 'password-456' } });
    assert.equal(r.statusCode, 204);
    assert.deepEqual(await othersClosed, ['io server disconnect', 'io server disconnect']);
    await assert.rejects(open(three.accessToken).connected, (err: Error) => err.message === 'unauthorized');
  });

  it('a role change revokes the refresh tokens of the user', async () => {
    const username = `rerole_${Date.now()}`;
    const u = await h.userToken('operator', username);
    const { refreshToken } = (await h.call('POST', '/api/v1/auth/login', { body: { username, password: 'password-123' } })).json();
    await h.call('PATCH', `/api/v1/users/${u.id}`, { token: admin, body: { role: 'viewer' } });
    const r = await h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken } });
    assert.equal(r.statusCode, 401);
  });

  it('suspending a user or revoking a key closes its sockets at once', async () => {
    const p = await h.userToken('operator');
    const userSocket = open(p.token);
    const key = await h.apiKey('client');
    const keySocket = open(key.key);
    await Promise.all([userSocket.connected, keySocket.connected]);
    const userClosed = closed(userSocket.socket);
    const keyClosed = closed(keySocket.socket);
    const t0 = Date.now();
    await h.call('PATCH', `/api/v1/users/${p.id}`, { token: admin, body: { status: 'suspended' } });
    await h.call('DELETE', `/api/v1/api-keys/${key.id}`, { token: admin });
    assert.equal(await userClosed, 'io server disconnect');
    assert.equal(await keyClosed, 'io server disconnect');
    // Nothing sweeps sockets on a timer: they close on the change itself, or never (the awaits above). The bound
    // is generous so a machine busy with other test runs does not fail it; on a quiet one it is a few ms.
    assert.ok(Date.now() - t0 < 5000, `closed ${Date.now() - t0} ms after the changes began`);
  });
});
