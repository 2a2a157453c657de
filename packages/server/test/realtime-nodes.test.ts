/**
 * Two Gatrix nodes sharing one PostgreSQL schema and one Redis, each listening on its own port and running its
 * background work (dispatcher, webhook worker) as main.ts does. Changes made through node A's HTTP API reach
 * live sockets on node B and on node A, and a webhook endpoint, each exactly once and in outbox order; changes
 * made through both nodes at once, each exactly once. An event is claimed by one node's dispatcher and emitted
 * once cluster-wide through the Redis Streams adapter. A node that shuts down says so to its own sockets only.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { io as connect, type Socket } from 'socket.io-client';
import { startBackground } from '../src/app/background.ts';
import { closeRedis, connectRedis } from '../src/cluster/redis.ts';
import type { DispatchConsumer } from '../src/events/dispatcher.ts';
import { buildApp } from '../src/app/build-app.ts';
import type { Services } from '../src/app/services.ts';
import { openDatabase } from '../src/db/index.ts';
import '../src/app/events.ts';
import { EVENT_CATALOG, type EventEnvelope, type EventName } from '../src/events/catalog.ts';
import { EVENT_AUDIENCE } from '../src/modules/realtime/audience.ts';
import type { App } from '../src/http/types.ts';
import type { RealtimeGateway } from '../src/modules/realtime/gateway.ts';
import { PG_SKIP, REDIS_SKIP, startHarness, TEST_REDIS_URL, WAIT_MS, type Harness } from './helpers.ts';
import { listener as recordingListener, recoverAfter } from './realtime-helpers.ts';

const PG = process.env.TEST_DATABASE_URL;
const REDIS = REDIS_SKIP ? undefined : TEST_REDIS_URL;
/** How long to keep listening after the last expected arrival, for late duplicates (B's dispatcher polls every 1 s). */
const SETTLE_MS = 2_000;

interface Heard {
  event: string;
  eventId: string | undefined;
}

/** A socket.io-client that records every event it hears. */
function listener(url: string, token: string) {
  const socket = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false });
  const heard: Heard[] = [];
  socket.onAny((event: string, data: { eventId?: unknown } | undefined) => heard.push({ event, eventId: typeof data?.eventId === 'string' ? data.eventId : undefined }));
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  /** Event ids already checked by an earlier test. */
  const checked = new Set<string>();
  return { socket, heard, connected, checked };
}

/** A webhook endpoint on loopback that records each request's `webhook-id` and body event, and answers 200. */
async function startReceiver() {
  const requests: { webhookId: string; event: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; event: string };
      assert.equal(req.headers['webhook-id'], body.id, 'webhook-id is the event id');
      requests.push({ webhookId: String(req.headers['webhook-id']), event: body.event });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

async function until(check: () => boolean, what: () => string, ms = WAIT_MS): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out after ${ms} ms waiting for ${what()}`);
}

describe('live events across two nodes on PostgreSQL + Redis', { skip: PG_SKIP || REDIS_SKIP }, () => {
  let a: Harness;
  let b: { app: App; services: Services; realtime: RealtimeGateway };
  let baseB: string;
  const stops: (() => Promise<void>)[] = [];
  let stopB: () => Promise<void>;
  const sockets: Socket[] = [];
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let admin: string;
  let clientKey: string;

  before(async () => {
    const env = { REDIS_URL: REDIS!, GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', GATRIX_WEBHOOK_RETRY_SCHEDULE: '0.2,0.5,1' };
    a = await startHarness('postgres', { env, listen: true });
    // Node B: the same configuration and schema, its own pool, services, socket server and Redis connections.
    const dbB = openDatabase({ url: PG, pgSchema: a.db.schema });
    b = await buildApp({ config: a.config, database: dbB, logger: pino({ level: 'silent' }) });
    baseB = await b.app.listen({ port: 0, host: '127.0.0.1' });
    // Both nodes run their dispatcher (commit wake-up + 1 s poll) and webhook worker, as main.ts starts them.
    const log = pino({ level: 'silent' });
    const stopA = startBackground(a.services, log);
    const stopBackgroundB = startBackground(b.services, log);
    let closingB: Promise<void> | undefined;
    // Node B stops as main.ts stops it: background work, then the app (its socket server says server_shutdown).
    stopB = () =>
      (closingB ??= (async () => {
        await stopBackgroundB();
        await b.app.close();
        await dbB.close();
      })());
    stops.push(stopA, () => stopB());
    admin = (await a.apiKey('admin')).key;
    clientKey = (await a.apiKey('client')).key;
    receiver = await startReceiver();
  });
  after(async () => {
    for (const s of sockets) s.disconnect();
    for (const stop of stops) await stop();
    await a?.close();
    await receiver?.close();
  });

  /** A real HTTP call to a node, with the admin key. */
  const httpCall = (base: () => string) => async (method: string, route: string, body?: unknown) => {
    const r = await fetch(`${base()}${route}`, {
      method,
      headers: { 'x-api-key': admin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    assert.ok(r.status >= 200 && r.status < 300, `${method} ${base()}${route}: ${r.status} ${text}`);
    return text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
  };
  const onA = httpCall(() => a.baseUrl);
  const onB = httpCall(() => baseB);

  type Listener = ReturnType<typeof listener>;
  let listeners: { onB: Listener; clientOnB: Listener; onNodeA: Listener };
  const maxSeq = async () => Number((await a.db.db.selectFrom('outbox_events').select((eb) => eb.fn.max('seq').as('n')).executeTakeFirstOrThrow()).n ?? 0);
  const socketName = (e: EventEnvelope) => EVENT_CATALOG[e.event as EventName].socketEvent;

  /**
   * Checks the events committed after `seq0` against what the listeners and the endpoint got: each event once, in
   * outbox order, under its Socket.IO name, to the callers that may hear it; then listens SETTLE_MS longer, so a
   * late second emission (another node's dispatcher) or a repeated delivery would be caught. With `origin` (the node
   * an event was written through), order is only reported, per node: see the second test.
   */
  async function verify(seq0: number, origin?: (e: EventEnvelope) => string): Promise<{ live: number; webhook: number; inversions: string[] }> {
    const inversions: string[] = [];
    const rows = await a.db.db.selectFrom('outbox_events').select(['seq', 'payload']).where('seq', '>', seq0).orderBy('seq').execute();
    const events = rows.map((r) => JSON.parse(r.payload) as EventEnvelope);
    const live = events.filter((e) => socketName(e) !== null);
    const expected = {
      onB: live.map((e) => e.id),
      onNodeA: live.map((e) => e.id),
      clientOnB: live.filter((e) => EVENT_AUDIENCE[e.event as EventName].includes('client.read')).map((e) => e.id),
    };
    assert.ok(expected.clientOnB.length > 0 && expected.clientOnB.length < live.length, 'the client key hears part of the stream');
    const expectedIds = new Set(events.map((e) => e.id));

    // Other test runs may share this Redis, and so the Socket.IO stream: only events of this schema count (those
    // checked by an earlier test left aside).
    const ours = new Set((await a.db.db.selectFrom('outbox_events').select('id').execute()).map((r) => r.id));
    const heardOurs = (l: Listener) => l.heard.filter((h) => h.eventId !== undefined && ours.has(h.eventId) && !l.checked.has(h.eventId));
    const hooksOurs = () => receiver.requests.filter((r) => expectedIds.has(r.webhookId));
    const entries = Object.entries(listeners) as [keyof typeof expected, Listener][];
    await until(
      () => entries.every(([k, l]) => heardOurs(l).length >= expected[k].length) && hooksOurs().length >= events.length,
      () => entries.map(([k, l]) => `${k} ${heardOurs(l).length}/${expected[k].length}`).join(', ') + `, webhook ${hooksOurs().length}/${events.length}`,
    );
    await new Promise((r) => setTimeout(r, SETTLE_MS));

    const byId = new Map(events.map((e) => [e.id, e]));
    for (const [name, l] of entries) {
      const got = heardOurs(l);
      const ids = got.map((h) => h.eventId!);
      const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
      assert.deepEqual(twice, [], `${name}: no event heard twice`);
      if (origin) {
        assert.deepEqual([...ids].sort(), [...expected[name]].sort(), `${name}: every event it may hear, once`);
        // Not asserted: both nodes' dispatchers claim whatever is pending when their own commits wake them, and a
        // node delivers its own emits before the ones it reads back from Redis, so neighbours can swap.
        for (const node of new Set(events.map(origin))) {
          const fromNode = (list: string[]) => list.filter((id) => origin(byId.get(id)!) === node);
          const want = fromNode(expected[name]);
          const swapped = fromNode(ids).filter((id, i) => id !== want[i]).length;
          if (swapped > 0) inversions.push(`${name} ${swapped}/${want.length} of node ${node}'s events out of place`);
        }
      } else {
        assert.deepEqual(ids, expected[name], `${name}: every event it may hear, once, in outbox order`);
      }
      for (const h of got) assert.equal(h.event, socketName(byId.get(h.eventId!)!), `${name}: ${h.eventId} under its Socket.IO name`);
      assert.ok(l.socket.connected, `${name} stayed connected`);
      for (const id of ids) l.checked.add(id);
    }
    const perHook = new Map<string, number>();
    for (const r of hooksOurs()) perHook.set(r.webhookId, (perHook.get(r.webhookId) ?? 0) + 1);
    assert.deepEqual(
      events.filter((e) => perHook.get(e.id) !== 1).map((e) => `${e.event} ${e.id} ×${perHook.get(e.id) ?? 0}`),
      [],
      'the endpoint got every event exactly once',
    );
    return { live: live.length, webhook: events.length, inversions };
  }

  it('changes made through node A reach sockets on both nodes and the webhook endpoint once each, in order', async (t) => {
    await onA('POST', '/api/v1/webhooks', { url: receiver.url, events: ['*'] });
    listeners = { onB: listener(baseB, a.adminToken), clientOnB: listener(baseB, clientKey), onNodeA: listener(a.baseUrl, a.adminToken) };
    for (const l of Object.values(listeners)) sockets.push(l.socket);
    await Promise.all(Object.values(listeners).map((l) => l.connected));
    const seq0 = await maxSeq();
    const emittedByB = b.realtime.stats.emitted;

    // Sequential changes, as an operator makes them; the reorder and a world's maintenance each commit several
    // events in one transaction.
    const w1 = (await onA('POST', '/api/v1/game-worlds', { worldId: 'nodes-w1', name: 'One' }))!;
    const w2 = (await onA('POST', '/api/v1/game-worlds', { worldId: 'nodes-w2', name: 'Two' }))!;
    const w3 = (await onA('POST', '/api/v1/game-worlds', { worldId: 'nodes-w3', name: 'Three' }))!;
    await onA('PUT', `/api/v1/game-worlds/${w1.id}/maintenance`, { enabled: true, message: 'patching' });
    await onA('PATCH', `/api/v1/game-worlds/${w2.id}`, { name: 'Two, renamed' });
    await onA('PUT', '/api/v1/game-worlds/order', { ids: [w3.id, w2.id, w1.id] });
    await onA('PUT', '/api/v1/maintenance', { enabled: true, message: 'everything down' });
    await onA('POST', '/api/v1/client-versions', { channel: 'PC', subChannel: 'Steam', version: '7.0', status: 'ONLINE', gameServerAddress: 'g:1', patchAddress: 'p' });
    await onA('POST', '/api/v1/users', { username: 'nodes_user', email: 'nodes_user@example.com' });
    await onA('PUT', '/api/v1/maintenance', { enabled: false });
    await onA('PUT', `/api/v1/game-worlds/${w1.id}/maintenance`, { enabled: false });
    await onA('DELETE', `/api/v1/game-worlds/${w3.id}`);

    const n = await verify(seq0);
    assert.ok(n.live >= 14, `${n.live} live events`);
    t.diagnostic(`${n.live} live events, ${n.webhook} webhook events; node B's dispatcher emitted ${b.realtime.stats.emitted - emittedByB}`);
  });

  it('changes made through both nodes at once reach every socket and the endpoint exactly once each', async (t) => {
    const seq0 = await maxSeq();
    const emittedByB = b.realtime.stats.emitted;
    // One writer per node, both at once: both nodes' dispatchers are woken by their commits and claim (SKIP LOCKED)
    // what is pending, so both emit, and every socket must still get each event once.
    const writer = async (node: 'a' | 'b') => {
      const call = node === 'a' ? onA : onB;
      const w = (await call('POST', '/api/v1/game-worlds', { worldId: `nodes-w${node}`, name: node }))!;
      for (let i = 0; i < 40; i++) {
        await call('POST', '/api/v1/users', { username: `nodes_${node}${i}`, email: `nodes_${node}${i}@example.com` });
        await call('PATCH', `/api/v1/game-worlds/${w.id}`, { name: `${node} ${i}` });
      }
    };
    await Promise.all([writer('a'), writer('b')]);

    /** The node an event was written through: `nodes-wa` / `nodes_a12` → a. */
    const origin = (e: EventEnvelope) => {
      const d = e.data as { worldId?: string; user?: { username: string } };
      return /^nodes[-_]w?([ab])/.exec(d.worldId ?? d.user?.username ?? '')?.[1] ?? '?';
    };
    const n = await verify(seq0, origin);
    assert.equal(n.live, 162);
    t.diagnostic(`${n.live} live events; node B's dispatcher emitted ${b.realtime.stats.emitted - emittedByB}, node A's the rest`);
    t.diagnostic(`order within each writer's events: ${n.inversions.length === 0 ? 'kept on every socket' : n.inversions.join('; ')}`);
  });

  it('an event is in the Redis stream, where every node reads it, before its claim commits', async () => {
    // A node killed between the commit and its emits would otherwise have claimed events no socket ever gets.
    const redis = await connectRedis(REDIS!, pino({ level: 'silent' }), { waitMs: 0, purpose: 'test' });
    const stream = `${a.config.redisPrefix}:socket.io`;
    let active = true;
    const missing: string[] = [];
    let checked = 0;
    // Runs inside the claim's transaction, after the gateway (consumers run in the order they joined).
    const probe: DispatchConsumer = {
      async claimed(_trx, events) {
        if (!active) return;
        const entries = await redis.xRevRange(stream, '+', '-', { COUNT: 1000 });
        const published = entries.map((e) => JSON.stringify(e.message)).join('\n');
        for (const e of events) {
          if (!EVENT_CATALOG[e.envelope.event as EventName]?.socketEvent) continue;
          checked++;
          if (!published.includes(e.envelope.id)) missing.push(`${e.envelope.event} ${e.envelope.id}`);
        }
      },
    };
    a.services.dispatcher.use(probe);
    b.services.dispatcher.use(probe);
    try {
      for (let i = 0; i < 5; i++) {
        await onA('POST', '/api/v1/game-worlds', { worldId: `stream-a${i}`, name: `A ${i}` });
        await onB('POST', '/api/v1/game-worlds', { worldId: `stream-b${i}`, name: `B ${i}` });
      }
      await until(() => checked >= 10, () => `10 claimed events (${checked})`);
      assert.deepEqual(missing, [], 'every claimed event was published before the claim committed');
    } finally {
      active = false;
      await closeRedis(redis);
    }
  });

  it('a socket of a user demoted while it was away, recovered on the other node, gets only what a player may hear', async () => {
    const op = await a.userToken('operator');
    const l = recordingListener(a.baseUrl, op.token);
    const watcher = recordingListener(a.baseUrl, a.adminToken);
    sockets.push(l.socket, watcher.socket);
    await Promise.all([l.connected, watcher.connected]);
    await recoverAfter(
      a,
      l,
      watcher,
      async () => {
        await onA('PATCH', `/api/v1/users/${op.id}`, { role: 'player' });
        return (await a.call('POST', '/api/v1/auth/login', { body: { username: op.username, password: 'password-123' } })).json().accessToken;
      },
      baseB,
    );
    assert.ok(b.realtime.io.of('/').sockets.has(l.socket.id!), 'the socket is on node B now');
  });

  it("a node that shuts down tells its own sockets to reconnect elsewhere, not the other node's", async () => {
    const shutdownHeard = (l: Listener) => l.heard.filter((h) => h.event === 'server_shutdown').length;
    const closedB = new Promise<string>((r) => listeners.onB.socket.once('disconnect', (reason) => r(reason)));
    await stopB();
    assert.equal(await closedB, 'transport close', 'B dropped the transport (the client would reconnect)');
    assert.equal(shutdownHeard(listeners.onB), 1, 'the socket on B heard server_shutdown');
    // The notice would reach A's sockets through Redis at the speed of any event: give it the same settle time.
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    assert.equal(shutdownHeard(listeners.onNodeA), 0, 'the socket on A heard no server_shutdown');
    assert.ok(listeners.onNodeA.socket.connected, 'and stays connected');
  });
});
