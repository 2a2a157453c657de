import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GatrixClient, type GatrixSocket, type SocketEventName } from '../src/index.ts';
import { startGatrix, until, type Gatrix } from './helpers.ts';

function connected(socket: GatrixSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}

describe('client.realtime.connect() against a real Gatrix', () => {
  let g: Gatrix;
  let client: GatrixClient;
  const sockets: GatrixSocket[] = [];
  const open = (c: GatrixClient, options?: Parameters<GatrixClient['realtime']['connect']>[0]) => {
    const socket = c.realtime.connect(options);
    sockets.push(socket);
    return socket;
  };
  before(async () => {
    g = await startGatrix();
    client = new GatrixClient({ apiKey: g.adminKey, baseURL: g.baseUrl });
  });
  after(async () => {
    for (const s of sockets) s.disconnect();
    await g.close();
  });

  it('hears world_created and user_registered with their data, event id and time, over WebSocket', async () => {
    const socket = open(client);
    const heard: { event: string; data: Record<string, unknown> }[] = [];
    socket.onAny((event: string, data: Record<string, unknown>) => heard.push({ event, data }));
    await connected(socket);
    assert.equal(socket.io.engine.transport.name, 'websocket');

    const world = await client.worlds.create({ worldId: 'live_world', name: '라이브' });
    const user = await client.users.create({ username: 'live_user', email: 'live@example.com' });
    const worldEvent = await until(() => heard.find((h) => h.event === 'world_created'), 'world_created');
    const userEvent = await until(() => heard.find((h) => h.event === 'user_registered'), 'user_registered');
    assert.equal(worldEvent.data.worldId, 'live_world');
    assert.equal(worldEvent.data.id, world.id);
    assert.deepEqual(worldEvent.data.world, world);
    assert.match(String(worldEvent.data.eventId), /^evt_/);
    assert.ok(!Number.isNaN(Date.parse(String(worldEvent.data.timestamp))));
    assert.equal(userEvent.data.userId, user.id);
    assert.deepEqual(userEvent.data.user, user);
  });

  // The seed: the integration guide's Socket.IO sample (docs/integration-guide.md).
  it('typed handlers: the payload has the fields the seed reads (data.worldId, data.message)', async () => {
    const socket = open(client);
    const started = new Promise<{ worldId: string; message: string | null }>((resolve) =>
      socket.on('world_maintenance_started', (data) => resolve({ worldId: data.worldId, message: data.message })),
    );
    await connected(socket);
    const world = await client.worlds.create({ worldId: 'typed_world', name: 'T' });
    await client.worlds.setMaintenance(world.id, { enabled: true, message: '점검' });
    assert.deepEqual(await started, { worldId: 'typed_world', message: '점검' });
  });

  it('events: [...] narrows the stream to those events', async () => {
    const events: SocketEventName[] = ['world_deleted'];
    const socket = open(client, { events });
    const heard: string[] = [];
    socket.onAny((event: string, data: { worldId?: string }) => heard.push(`${event}:${data.worldId}`));
    await connected(socket);
    const w = await client.worlds.create({ worldId: 'narrow_world', name: 'N' });
    await client.worlds.delete(w.id);
    await until(() => heard.includes('world_deleted:narrow_world'), 'world_deleted');
    assert.deepEqual(heard, ['world_deleted:narrow_world'], 'world_created was not sent to this socket');
  });

  it('authenticates with an access token function too, and reconnects by itself after the transport drops', async () => {
    const { token } = await g.userToken('operator');
    const operator = new GatrixClient({ baseURL: g.baseUrl, accessToken: async () => token });
    const socket = open(operator, { reconnectionDelay: 100, reconnectionDelayMax: 200 });
    const heard: string[] = [];
    socket.on('world_created', (data) => heard.push(data.worldId));
    await connected(socket);
    let reconnected = false;
    socket.io.once('reconnect', () => (reconnected = true));
    socket.io.engine.close(); // drop the transport as a network failure would
    await until(() => reconnected && socket.connected, 'reconnection');
    await operator.worlds.create({ worldId: 'after_reconnect', name: 'R' });
    await until(() => heard.includes('after_reconnect'), 'an event after reconnecting');
  });

  it('a bad credential fails the connection with connect_error "unauthorized"', async () => {
    const bad = new GatrixClient({ apiKey: 'gx_wrong', baseURL: g.baseUrl });
    const socket = open(bad, { reconnection: false });
    const err = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    assert.equal(err.message, 'unauthorized');
    assert.equal(socket.connected, false);
  });

  it('a base URL with a path prefix puts Socket.IO under that prefix', () => {
    const prefixed = new GatrixClient({ apiKey: 'k', baseURL: 'https://ops.example.com/gatrix/' });
    const socket = prefixed.realtime.connect({ autoConnect: false });
    assert.equal(socket.io.opts.path, '/gatrix/socket.io');
    assert.equal(prefixed.baseURL, 'https://ops.example.com/gatrix');
  });
});
