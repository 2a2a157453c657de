/**
 * client.worlds.registerInstance against a real Gatrix with a short GATRIX_INSTANCE_TTL and its background
 * sweep running: heartbeats on a timer, update(), close() deregistering, expiry of an instance that stops, and
 * the events of all of it over a real Socket.IO client and a real, signed webhook delivery.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GatrixClient, GatrixError, verifyWebhook, type GatrixSocket, type InstanceHandle } from '../src/index.ts';
import { startGatrix, testServer, until, type Gatrix, type TestServer } from './helpers.ts';

describe('world instances from the Node SDK against a real Gatrix', () => {
  let g: Gatrix;
  let admin: GatrixClient;
  let server: GatrixClient;
  let receiver: TestServer;
  let secret: string;
  let socket: GatrixSocket;
  const heard: { event: string; data: { instanceId: string; reason: string } }[] = [];
  const handles: InstanceHandle[] = [];
  const delivered = () =>
    receiver.received.map((r) => verifyWebhook(r.raw, r.headers, secret)).map((e) => ({ event: e.event, data: e.data as { instanceId: string; reason: string } }));
  const seen = (list: typeof heard, event: string, instanceId: string, reason: string) => list.some((e) => e.event === event && e.data.instanceId === instanceId && e.data.reason === reason);

  before(async () => {
    g = await startGatrix({ GATRIX_INSTANCE_TTL: '1' });
    g.services.worker.start(50);
    g.services.instances.start((err) => console.error(err));
    admin = new GatrixClient({ apiKey: g.adminKey, baseURL: g.baseUrl });
    server = new GatrixClient({ apiKey: (await g.apiKey('server')).key, baseURL: g.baseUrl });
    await admin.worlds.create({ worldId: 'sdk-world', name: 'SDK world' });
    receiver = await testServer();
    secret = (await admin.webhooks.create({ url: `${receiver.url}/instances`, events: ['world.instance_up', 'world.instance_down'] })).secret;
    socket = admin.realtime.connect();
    socket.onAny((event: string, data: { instanceId: string; reason: string }) => heard.push({ event, data }));
    await until(() => socket.connected, 'the socket connected');
  });
  after(async () => {
    socket.disconnect();
    for (const h of handles) await h.close().catch(() => undefined);
    await g.services.instances.stop();
    await receiver.close();
    await g.close();
  });

  it('registers, heartbeats on its own past the TTL, updates at once, and deregisters on close()', async () => {
    const instance = await server.worlds.registerInstance({ worldId: 'sdk-world', instanceId: 'node-a', address: '10.0.0.1:7777', capacity: 100, players: 5, status: 'starting', intervalMs: 200 });
    handles.push(instance);
    await until(() => seen(heard, 'world_instance_up', 'node-a', 'registered'), 'world_instance_up on the socket');
    await until(() => seen(delivered(), 'world.instance_up', 'node-a', 'registered'), 'world.instance_up delivered');

    await instance.update({ players: 42, status: 'online' });
    const [listed] = await server.worlds.listInstances('sdk-world');
    assert.equal(listed.players, 42);
    assert.equal(listed.status, 'online');
    assert.equal(listed.up, true);

    // Three TTLs of its own heartbeats (the last written lastSeenAt moves on), and it never went down.
    const start = Date.parse(listed.lastSeenAt);
    await until(async () => Date.parse((await server.worlds.listInstances('sdk-world'))[0].lastSeenAt) > start + 3000, 'heartbeats for 3 s');
    assert.equal((await server.worlds.listInstances('sdk-world'))[0].up, true);
    assert.ok(!heard.some((e) => e.event === 'world_instance_down' && e.data.instanceId === 'node-a'));
    assert.equal(instance.lastError, undefined);

    await instance.close();
    await until(() => seen(heard, 'world_instance_down', 'node-a', 'deregistered'), 'world_instance_down (deregistered) on the socket');
    await until(() => seen(delivered(), 'world.instance_down', 'node-a', 'deregistered'), 'world.instance_down (deregistered) delivered');
    assert.deepEqual(await server.worlds.listInstances('sdk-world'), []);
    await instance.close(); // twice is fine
  });

  it('an instance that stops heartbeating is marked down after the TTL and comes back with its next heartbeat', async () => {
    const report = { address: '10.0.0.2:7777', capacity: 100, players: 1, status: 'online' as const };
    assert.deepEqual(await server.worlds.heartbeat('sdk-world', 'crashy', report), { registered: true, ttlSeconds: 1 });
    await until(() => seen(heard, 'world_instance_down', 'crashy', 'expired'), 'world_instance_down (expired) on the socket');
    await until(() => seen(delivered(), 'world.instance_down', 'crashy', 'expired'), 'world.instance_down (expired) delivered');
    assert.equal((await server.worlds.listInstances('sdk-world')).find((i) => i.instanceId === 'crashy')?.up, false);
    const back = await server.worlds.registerInstance({ worldId: 'sdk-world', instanceId: 'crashy', ...report });
    handles.push(back);
    await until(() => seen(heard, 'world_instance_up', 'crashy', 'returned'), 'world_instance_up (returned) on the socket');
  });

  it('registerInstance rejects what Gatrix refuses, naming the problem', async () => {
    await assert.rejects(
      server.worlds.registerInstance({ worldId: 'no-such-world', instanceId: 'x', address: 'a:1', capacity: 1, players: 0, status: 'online' }),
      (err: unknown) => err instanceof GatrixError && err.status === 404 && err.code === 'world_not_found',
    );
    await assert.rejects(
      server.worlds.registerInstance({ worldId: 'sdk-world', instanceId: 'x', address: 'a:1', capacity: 1, players: -1, status: 'online' }),
      (err: unknown) => err instanceof GatrixError && err.status === 400 && err.errors.some((e) => e.path === 'players'),
    );
  });
});
