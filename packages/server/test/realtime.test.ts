import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, it } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import { eachDatabase, startHarness, type Harness } from './helpers.ts';

const require = createRequire(import.meta.url);
const { GatrixWebSocketClient } = require('./fixtures/seed-ws-client.cjs') as { GatrixWebSocketClient: new (url: string, token: string) => { socket: Socket } };

/** The seed's client, with the integrator's own helper methods recording what the seed's handlers pass them. */
class RecordingSeedClient extends GatrixWebSocketClient {
  calls: [string, ...unknown[]][] = [];
  sendWelcomeEmail(user: unknown) { this.calls.push(['sendWelcomeEmail', user]); }
  updateAnalytics(name: string, data: unknown) { this.calls.push(['updateAnalytics', name, data]); }
  updateUserActivity(userId: unknown) { this.calls.push(['updateUserActivity', userId]); }
  logSecurityEvent(name: string, data: unknown) { this.calls.push(['logSecurityEvent', name, data]); }
  notifyUsers(worldId: unknown, what: string) { this.calls.push(['notifyUsers', worldId, what]); }
  updateWorldStatus(worldId: unknown, status: string) { this.calls.push(['updateWorldStatus', worldId, status]); }
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** A client that records every event it hears. */
function listener(url: string, token: string, transports: ('websocket' | 'polling')[] = ['websocket']) {
  const socket = connect(url, { auth: { token }, transports, reconnectionDelay: 100, reconnectionDelayMax: 200 });
  const heard: { event: string; data: Record<string, unknown> }[] = [];
  socket.onAny((event: string, data: Record<string, unknown>) => heard.push({ event, data }));
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, heard, connected };
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

  it('each role and key type hears exactly the events it may see', async () => {
    const player = await h.userToken('player');
    const otherPlayer = await h.userToken('player');
    const callers = {
      admin: open(h.adminToken),
      viewer: open((await h.userToken('viewer')).token),
      player: open(player.token),
      serverKey: open((await h.apiKey('server')).key),
      clientKey: open((await h.apiKey('client')).key),
    };
    await Promise.all(Object.values(callers).map((c) => c.connected));
    const base = Object.fromEntries(Object.entries(callers).map(([k, c]) => [k, c.heard.length]));

    await h.call('PATCH', `/api/v1/users/${player.id}`, { token: admin, body: { displayName: 'Me' } }); // user_updated: the player's own
    await h.call('PATCH', `/api/v1/users/${otherPlayer.id}`, { token: admin, body: { displayName: 'Them' } }); // someone else's
    await h.call('POST', '/api/v1/game-worlds', { token: admin, body: { worldId: 'matrixworld', name: 'M' } }); // world_created
    await h.call('POST', '/api/v1/client-versions', { token: admin, body: { channel: 'PC', subChannel: 'Steam', version: '9.9', status: 'ONLINE', gameServerAddress: 'g', patchAddress: 'p' } });
    await h.call('POST', '/api/v1/whitelist', { token: admin, body: { type: 'account', value: 'matrix-qa' } });
    await h.call('PUT', '/api/v1/maintenance', { token: admin, body: { enabled: true, message: 'down' } });
    await h.call('PUT', '/api/v1/maintenance', { token: admin, body: { enabled: false } });

    const all = ['user_updated', 'user_updated', 'world_created', 'client_version_created', 'whitelist_updated', 'maintenance_started', 'maintenance_ended'];
    const expected: Record<string, string[]> = {
      admin: all,
      viewer: all,
      serverKey: all,
      player: ['user_updated', 'world_created', 'maintenance_started', 'maintenance_ended'],
      clientKey: ['world_created', 'client_version_created', 'maintenance_started', 'maintenance_ended'],
    };
    await until(() => callers.admin.heard.length - base.admin === all.length, 'the admin to hear everything');
    await new Promise((r) => setTimeout(r, 100));
    for (const [name, c] of Object.entries(callers)) {
      assert.deepEqual(c.heard.slice(base[name]).map((e) => e.event), expected[name], name);
    }
    const own = callers.player.heard.slice(base.player).find((e) => e.event === 'user_updated')!;
    assert.equal(own.data.userId, player.id);
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

  it('suspending a user or revoking a key closes its sockets within a second', async () => {
    const p = await h.userToken('operator');
    const userSocket = open(p.token);
    const key = await h.apiKey('client');
    const keySocket = open(key.key);
    await Promise.all([userSocket.connected, keySocket.connected]);
    const closed = (s: Socket) => new Promise<string>((r) => s.once('disconnect', (reason) => r(reason)));
    const userClosed = closed(userSocket.socket);
    const keyClosed = closed(keySocket.socket);
    const t0 = Date.now();
    await h.call('PATCH', `/api/v1/users/${p.id}`, { token: admin, body: { status: 'suspended' } });
    await h.call('DELETE', `/api/v1/api-keys/${key.id}`, { token: admin });
    assert.equal(await userClosed, 'io server disconnect');
    assert.equal(await keyClosed, 'io server disconnect');
    assert.ok(Date.now() - t0 < 1000);
  });
});
