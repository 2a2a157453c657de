/**
 * World instances: heartbeats register and keep them up (one UPDATE, no audit entry or event per heartbeat), the
 * sweep marks overdue ones down exactly once even with several nodes, deregistration, pruning, the live figures of
 * the admin world list, the game-client population (both paths) and the Prometheus gauges.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { buildApp } from '../src/app/build-app.ts';
import { openDatabase } from '../src/db/index.ts';
import { readEventsAfter } from '../src/events/outbox.ts';
import { createLogger } from '../src/logger.ts';
import { PRUNE_AFTER_MS } from '../src/modules/game-worlds/instances.ts';
import { eachDatabase, PG_SKIP, startHarness, TestClock, until, type Harness } from './helpers.ts';

const TTL_MS = 30_000;
const beat = { address: '10.0.0.1:7777', region: 'kr', capacity: 100, players: 10, status: 'online', version: '1.0.0', tags: ['pvp'] };

eachDatabase('world instances', (kind) => {
  let h: Harness;
  const clock = new TestClock();
  let serverKey: string;
  let adminKey: string;
  /** The server's log at the default level (info), one JSON line each. */
  const logLines: string[] = [];
  const logger = createLogger(
    { logLevel: 'info', logPretty: false },
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        cb();
      },
    }),
  );
  before(async () => {
    h = await startHarness(kind, { clock, listen: true, logger });
    serverKey = (await h.apiKey('server')).key;
    adminKey = (await h.apiKey('admin')).key;
  });
  // Tests move the clock by hours, past any access token's life: API keys do not expire.
  const viewer = () => h.userToken('viewer').then((u) => u.token);
  /** Starts from no instances, so that the sweep counts only the test's own. */
  const fresh = () => h.db.db.deleteFrom('world_instances').execute();
  after(() => h.close());

  const lastSeq = async () => Number((await h.db.db.selectFrom('outbox_events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst())?.m ?? 0);
  const events = async (since: number) => (await readEventsAfter(h.db.db, since)).map((e) => e.envelope).filter((e) => e.event.startsWith('world.instance'));
  const auditCount = async () => Number((await h.db.db.selectFrom('audit_logs').select((eb) => eb.fn.countAll().as('n')).where('action', 'like', 'world.instance%').executeTakeFirstOrThrow()).n);
  const world = async (worldId: string) => (await h.call('POST', '/api/v1/game-worlds', { headers: { 'x-api-key': adminKey }, body: { worldId, name: worldId } })).json<{ id: number }>();
  const put = (worldId: string, instanceId: string, body: object, key = serverKey) =>
    h.call('PUT', `/api/v1/game-worlds/${worldId}/instances/${instanceId}`, { headers: { 'x-api-key': key }, body });
  const list = async (worldId: string) => (await h.call('GET', `/api/v1/game-worlds/${worldId}/instances`, { headers: { 'x-api-key': serverKey } })).json<{ data: Record<string, unknown>[] }>().data;

  it('the first heartbeat registers the instance (world.instance_up, audited); later ones write neither', async () => {
    await world('reg-1');
    const seq = await lastSeq();
    const audits = await auditCount();
    const first = await put('reg-1', 'a', beat);
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(first.json(), { registered: true, ttlSeconds: TTL_MS / 1000 });
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      const r = await put('reg-1', 'a', { ...beat, players: 11 + i });
      assert.deepEqual(r.json(), { registered: false, ttlSeconds: TTL_MS / 1000 });
    }
    const evs = await events(seq);
    assert.deepEqual(evs.map((e) => [e.event, (e.data as { reason: string }).reason]), [['world.instance_up', 'registered']]);
    assert.equal((evs[0].data as { instance: { address: string } }).instance.address, '10.0.0.1:7777');
    assert.equal(await auditCount(), audits + 1);
    const [i] = await list('reg-1');
    assert.equal(i.players, 15);
    assert.equal(i.up, true);
    assert.equal(i.lastSeenAt, clock.now().toISOString());
    assert.deepEqual(i.tags, ['pvp']);
    // The worldId is matched without regard to case, as its unique index does.
    assert.equal((await put('REG-1', 'a', beat)).statusCode, 200);
  });

  it('refuses bad heartbeats with a 4xx naming the field, and unknown worlds with 404', async () => {
    await world('val-1');
    const cases: [object, string][] = [
      [{ ...beat, players: -1 }, 'players'],
      [{ ...beat, status: 'sleeping' }, 'status'],
      [{ ...beat, capacity: 'many' }, 'capacity'],
      [{ ...beat, address: '' }, 'address'],
      [{ ...beat, extra: 1 }, 'extra'],
      [{ region: 'kr' }, 'address'],
    ];
    for (const [body, field] of cases) {
      const r = await put('val-1', 'a', body);
      assert.equal(r.statusCode, 400, JSON.stringify(body));
      assert.match(r.headers['content-type'] as string, /problem\+json/);
      assert.ok(r.json<{ errors: { path: string }[] }>().errors.some((e) => e.path === field), `${JSON.stringify(body)}: ${r.body}`);
    }
    const badId = await put('val-1', 'has space', beat);
    assert.equal(badId.statusCode, 400);
    assert.equal(badId.json().errors[0].path, 'params.instanceId');
    const unknown = await put('no-such-world', 'a', beat);
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'world_not_found');
    assert.equal((await h.call('GET', '/api/v1/game-worlds/no-such-world/instances', { headers: { 'x-api-key': serverKey } })).json().code, 'world_not_found');
  });

  it('server keys and admins register; operators, viewers and client keys may not; viewers and server keys list', async () => {
    await world('perm-1');
    const operator = (await h.userToken('operator')).token;
    const viewerToken = await viewer();
    const client = (await h.apiKey('client')).key;
    assert.equal((await put('perm-1', 'a', beat, client)).statusCode, 403);
    assert.equal((await h.call('PUT', '/api/v1/game-worlds/perm-1/instances/a', { token: operator, body: beat })).statusCode, 403);
    assert.equal((await h.call('PUT', '/api/v1/game-worlds/perm-1/instances/a', { token: viewerToken, body: beat })).statusCode, 403);
    assert.equal((await h.call('PUT', '/api/v1/game-worlds/perm-1/instances/b', { token: h.adminToken, body: beat })).statusCode, 200);
    assert.equal((await h.call('GET', '/api/v1/game-worlds/perm-1/instances', { headers: { 'x-api-key': serverKey } })).statusCode, 200);
    assert.equal((await h.call('GET', '/api/v1/game-worlds/perm-1/instances', { headers: { 'x-api-key': client } })).statusCode, 403);
  });

  it('an instance silent for the TTL is marked down once (world.instance_down expired); its next heartbeat brings it back', async () => {
    await fresh();
    await world('ttl-1');
    await put('ttl-1', 'quiet', beat);
    await put('ttl-1', 'busy', beat);
    const seq = await lastSeq();
    // "busy" keeps beating; "quiet" stops. Past the TTL and the coalescing window (half the TTL), quiet is down.
    for (let t = 0; t < TTL_MS * 1.5; t += 5000) {
      clock.advance(5000);
      await put('ttl-1', 'busy', { ...beat, players: t % 7 });
      assert.equal(await h.services.instances.sweep(), 0, `nothing is overdue ${t} ms in`);
    }
    clock.advance(5001);
    await put('ttl-1', 'busy', beat);
    assert.equal(await h.services.instances.sweep(), 1);
    assert.equal(await h.services.instances.sweep(), 0, 'a second sweep finds nothing');
    const evs = await events(seq);
    assert.deepEqual(evs.map((e) => [e.event, (e.data as { instanceId: string }).instanceId, (e.data as { reason: string }).reason]), [['world.instance_down', 'quiet', 'expired']]);
    const byId = Object.fromEntries((await list('ttl-1')).map((i) => [i.instanceId, i]));
    assert.equal(byId.quiet.up, false);
    assert.equal(byId.quiet.downAt, clock.now().toISOString());
    assert.equal(byId.busy.up, true);
    const seq2 = await lastSeq();
    const back = await put('ttl-1', 'quiet', beat);
    assert.equal(back.json().registered, true);
    assert.deepEqual((await events(seq2)).map((e) => [e.event, (e.data as { reason: string }).reason]), [['world.instance_up', 'returned']]);
  });

  it('a heartbeat that changes nothing within half the TTL of the last write is not written; a change always is', async () => {
    await world('coal-1');
    await put('coal-1', 'a', beat);
    const seenAt = (await list('coal-1'))[0].lastSeenAt;
    clock.advance(TTL_MS / 2 - 1);
    await put('coal-1', 'a', beat);
    assert.equal((await list('coal-1'))[0].lastSeenAt, seenAt, 'coalesced');
    await put('coal-1', 'a', { ...beat, players: 12 });
    const changed = (await list('coal-1'))[0];
    assert.equal(changed.players, 12);
    assert.equal(changed.lastSeenAt, clock.now().toISOString());
    clock.advance(TTL_MS / 2);
    await put('coal-1', 'a', { ...beat, players: 12 });
    assert.equal((await list('coal-1'))[0].lastSeenAt, clock.now().toISOString(), 'written again after half the TTL');
  });

  it('heartbeats of an up instance are answered at once and written together within the flush interval; reads see them', async () => {
    const w = await world('batch-1');
    assert.equal((await put('batch-1', 'a', beat)).json().registered, true);
    assert.equal((await put('batch-1', 'b', beat)).json().registered, true);
    const row = (id: string) => h.db.db.selectFrom('world_instances').select(['players', 'last_seen_at']).where('world_id', '=', w.id).where('instance_id', '=', id).executeTakeFirstOrThrow();
    const registeredAt = (await row('a')).last_seen_at;
    clock.advance(1000);
    const seq = await lastSeq();
    assert.deepEqual((await put('batch-1', 'a', { ...beat, players: 41 })).json(), { registered: false, ttlSeconds: TTL_MS / 1000 });
    assert.deepEqual((await put('batch-1', 'b', { ...beat, players: 42 })).json(), { registered: false, ttlSeconds: TTL_MS / 1000 });
    const queuedAt = clock.now().toISOString();
    // Queued, not written: the answer came before the UPDATE.
    assert.equal((await row('a')).last_seen_at, registeredAt);
    await until(async () => Number((await row('b')).players) === 42, 'the queued heartbeats written (by the flush timer)');
    assert.deepEqual(await row('a'), { players: 41, last_seen_at: queuedAt });
    assert.deepEqual(await events(seq), [], 'plain heartbeats write no event');
    // A read on this node writes what is queued first.
    clock.advance(1000);
    await put('batch-1', 'a', { ...beat, players: 43 });
    assert.equal((await list('batch-1')).find((i) => i.instanceId === 'a')?.players, 43);
  });

  it('a queued heartbeat of an instance removed meanwhile (by another node) is dropped; its next heartbeat registers it again', async () => {
    const w = await world('batch-2');
    await put('batch-2', 'a', beat);
    clock.advance(1000);
    await put('batch-2', 'a', { ...beat, players: 50 });
    // As a node that does not share this one's change feed would: the row goes while the heartbeat is queued.
    await h.db.db.deleteFrom('world_instances').where('world_id', '=', w.id).where('instance_id', '=', 'a').execute();
    await h.services.instances.list('batch-2'); // flushes the queue
    const seq = await lastSeq();
    clock.advance(1000);
    const again = await put('batch-2', 'a', { ...beat, players: 51 });
    assert.equal(again.json().registered, true, 'the full path, not the queue');
    assert.deepEqual((await events(seq)).map((e) => [e.event, (e.data as { reason: string }).reason]), [['world.instance_up', 'registered']]);
  });

  it('successful heartbeats are logged at debug, not info; refused ones and other routes keep their info line', async () => {
    await world('log-1');
    const reqIdOf = (r: { headers: Record<string, unknown> }) => r.headers['x-request-id'] as string;
    const ok = [await put('log-1', 'a', beat), await put('log-1', 'a', { ...beat, players: 3 })].map(reqIdOf);
    const refused = reqIdOf(await put('log-1', 'a', { ...beat, players: -1 }));
    const listed = reqIdOf(await h.call('GET', '/api/v1/game-worlds/log-1/instances', { headers: { 'x-api-key': serverKey } }));
    const requestLines = new Map(
      logLines
        .map((l) => JSON.parse(l) as { msg: string; reqId?: string; status?: number })
        .filter((l) => l.msg === 'request')
        .map((l) => [l.reqId, l]),
    );
    for (const id of ok) assert.equal(requestLines.get(id), undefined, 'no info line for a heartbeat answered 200');
    assert.equal(requestLines.get(refused)?.status, 400);
    assert.equal(requestLines.get(listed)?.status, 200);
  });

  it('DELETE deregisters (world.instance_down deregistered); a second DELETE is 404 instance_not_found', async () => {
    await world('dereg-1');
    await put('dereg-1', 'a', beat);
    const seq = await lastSeq();
    const r = await h.call('DELETE', '/api/v1/game-worlds/dereg-1/instances/a', { headers: { 'x-api-key': serverKey, 'x-audit-reason': 'rolling restart' } });
    assert.equal(r.statusCode, 204, r.body);
    assert.deepEqual((await events(seq)).map((e) => [e.event, (e.data as { reason: string }).reason]), [['world.instance_down', 'deregistered']]);
    const audit = await h.db.db.selectFrom('audit_logs').select(['action', 'reason']).where('action', '=', 'world.instance_deregister').executeTakeFirstOrThrow();
    assert.equal(audit.reason, 'rolling restart');
    assert.deepEqual(await list('dereg-1'), []);
    const again = await h.call('DELETE', '/api/v1/game-worlds/dereg-1/instances/a', { headers: { 'x-api-key': serverKey } });
    assert.equal(again.statusCode, 404);
    assert.equal(again.json().code, 'instance_not_found');
    // It registers again with its next heartbeat, even though this node had just written it.
    assert.equal((await put('dereg-1', 'a', beat)).json().registered, true);
  });

  it('down instances are pruned an hour after they went down; deleting a world deletes its instances', async () => {
    await fresh();
    const w = await world('prune-1');
    await put('prune-1', 'a', beat);
    clock.advance(TTL_MS * 2);
    await h.services.instances.sweep();
    assert.equal((await list('prune-1')).length, 1);
    clock.advance(PRUNE_AFTER_MS + 1);
    await h.services.instances.sweep();
    assert.deepEqual(await list('prune-1'), []);
    await put('prune-1', 'b', beat);
    assert.equal((await h.call('DELETE', `/api/v1/game-worlds/${w.id}`, { headers: { 'x-api-key': adminKey } })).statusCode, 204);
    const left = await h.db.db.selectFrom('world_instances').select('instance_id').where('world_id', '=', w.id).execute();
    assert.deepEqual(left, []);
  });

  it('the admin world list carries live players and instance counts; the client list a coarse population; /metrics a gauge per world', async () => {
    await fresh();
    const w = await world('live-1');
    await world('live-empty');
    await put('live-1', 'a', { ...beat, capacity: 100, players: 20 });
    await put('live-1', 'b', { ...beat, capacity: 100, players: 30 });
    await put('live-1', 'gone', { ...beat, capacity: 100, players: 90 });
    clock.advance(TTL_MS * 2);
    await put('live-1', 'a', { ...beat, capacity: 100, players: 20 });
    await put('live-1', 'b', { ...beat, capacity: 100, players: 30 });
    await h.services.instances.sweep();
    const page = (await h.call('GET', '/api/v1/game-worlds?q=live-', { token: await viewer() })).json<{ data: { worldId: string; live: object }[] }>();
    const live = Object.fromEntries(page.data.map((x) => [x.worldId, x.live]));
    assert.deepEqual(live['live-1'], { players: 50, capacity: 200, instancesUp: 2, instancesDown: 1 });
    assert.deepEqual(live['live-empty'], { players: 0, capacity: 0, instancesUp: 0, instancesDown: 0 });

    const client = (await h.apiKey('client')).key;
    // Over real HTTP (the fast path) and through Fastify (inject): the same answer.
    const populations = async () => {
      const fast = await (await fetch(`${h.baseUrl}/api/v1/client/game-worlds`, { headers: { 'x-api-key': client } })).json() as { data: { id: number; population: string | null }[] };
      const slow = (await h.call('GET', '/api/v1/client/game-worlds', { headers: { 'x-api-key': client } })).json<typeof fast>();
      assert.deepEqual(fast, slow);
      return Object.fromEntries(fast.data.map((x) => [x.id, x.population]));
    };
    assert.equal((await populations())[w.id], null, 'not known until the background pass computes it');
    await h.services.instances.refreshPopulation();
    assert.equal((await populations())[w.id], 'low'); // 50 / 200
    await put('live-1', 'a', { ...beat, capacity: 100, players: 90 });
    await h.services.instances.refreshPopulation();
    assert.equal((await populations())[w.id], 'normal'); // 120 / 200
    await put('live-1', 'b', { ...beat, capacity: 100, players: 60 });
    await h.services.instances.refreshPopulation();
    assert.equal((await populations())[w.id], 'busy'); // 150 / 200
    await put('live-1', 'b', { ...beat, capacity: 100, players: 100 });
    await h.services.instances.refreshPopulation();
    assert.equal((await populations())[w.id], 'full'); // 190 / 200

    const metrics = (await h.call('GET', '/metrics', { headers: { 'x-api-key': adminKey } })).body;
    assert.match(metrics, /^gatrix_world_players\{world="live-1"\} 190$/m);
    assert.match(metrics, /^gatrix_world_instances_up\{world="live-1"\} 2$/m);
    assert.match(metrics, /^gatrix_world_players\{world="live-empty"\} 0$/m);
  });

  it('population changes leave the rest of the client snapshot cached', async () => {
    let loads = 0;
    const worldsSource = h.services.worlds.all;
    // Counts snapshot loads through the worlds source the client service reads.
    Object.assign(h.services.worlds, { all: () => (loads++, worldsSource()) });
    await world('snap-1');
    const client = (await h.apiKey('client')).key;
    await h.call('GET', '/api/v1/client/game-worlds', { headers: { 'x-api-key': client } });
    loads = 0;
    await put('snap-1', 'a', { ...beat, players: 99 });
    await h.services.instances.refreshPopulation();
    const r = await h.call('GET', '/api/v1/client/game-worlds', { headers: { 'x-api-key': client } });
    assert.equal(r.json<{ data: { worldId: string; population: string }[] }>().data.find((x) => x.worldId === 'snap-1')?.population, 'full');
    assert.equal(loads, 0);
    Object.assign(h.services.worlds, { all: worldsSource });
  });
});

describe('world instances on two nodes [postgres]', { skip: PG_SKIP }, () => {
  it('the sweeps of two nodes sharing the database mark each overdue instance down exactly once', async () => {
    const clock = new TestClock();
    const a = await startHarness('postgres', { clock });
    const dbB = openDatabase({ url: process.env.TEST_DATABASE_URL, pgSchema: a.db.schema });
    const b = await buildApp({ config: a.config, database: dbB, logger: pino({ level: 'silent' }), clock });
    try {
      const key = (await a.apiKey('server')).key;
      assert.equal((await a.call('POST', '/api/v1/game-worlds', { token: a.adminToken, body: { worldId: 'two-nodes', name: 'Two' } })).statusCode, 201);
      const n = 40;
      for (let i = 0; i < n; i++) {
        // Alternate nodes, as a load balancer would.
        const app = i % 2 === 0 ? a.app : b.app;
        const r = await app.inject({ method: 'PUT', url: `/api/v1/game-worlds/two-nodes/instances/i${i}`, headers: { 'x-api-key': key }, payload: beat });
        assert.equal(r.statusCode, 200, r.body);
      }
      const seq = Number((await a.db.db.selectFrom('outbox_events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst())?.m ?? 0);
      clock.advance(TTL_MS * 2);
      const [downA, downB] = await Promise.all([a.services.instances.sweep(), b.services.instances.sweep()]);
      assert.equal(downA + downB, n);
      const downs = (await readEventsAfter(a.db.db, seq)).filter((e) => e.envelope.event === 'world.instance_down');
      assert.equal(downs.length, n);
      assert.equal(new Set(downs.map((e) => (e.envelope.data as { instanceId: string }).instanceId)).size, n);
      assert.deepEqual(await Promise.all([a.services.instances.sweep(), b.services.instances.sweep()]), [0, 0]);
    } finally {
      await b.app.close();
      await dbB.close();
      await a.close();
    }
  });
});
