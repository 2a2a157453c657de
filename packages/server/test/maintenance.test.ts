import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pino from 'pino';
import type { AppContext } from '../src/context.ts';
import { openDatabase } from '../src/db/index.ts';
import { createChangeFeed } from '../src/events/changes.ts';
import { readEventsAfter } from '../src/events/outbox.ts';
import { createMaintenanceService } from '../src/modules/maintenance/service.ts';
import { createWorldsService } from '../src/modules/game-worlds/service.ts';
import { eachDatabase, startHarness, TestClock, type Harness } from './helpers.ts';

const MIN = 60_000;

eachDatabase('maintenance windows', (kind) => {
  let h: Harness;
  // The clock jumps hours ahead, past any access token's life: act with an admin API key.
  let admin: string;
  const clock = new TestClock(Date.parse('2030-01-01T00:00:00.000Z'));
  before(async () => {
    h = await startHarness(kind, { clock });
    admin = (await h.apiKey('admin')).key;
  });
  after(() => h.close());

  const lastSeq = async () => Number((await h.db.db.selectFrom('outbox_events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst())?.m ?? 0);
  const maintenanceEvents = async (since: number) =>
    (await readEventsAfter(h.db.db, since)).map((e) => e.envelope).filter((e) => /maintenance(_started|_ended|\.started|\.ended)$/.test(e.event));
  const at = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();

  it('a scheduled world window starts and ends on time, each event exactly once', async () => {
    const w = (await h.call('POST', '/api/v1/game-worlds', { token: admin, body: { worldId: 'sched1', name: 'S' } })).json();
    const seq = await lastSeq();
    const startsAt = at(10 * MIN);
    const endsAt = at(70 * MIN);
    const r = await h.call('PUT', `/api/v1/game-worlds/${w.id}/maintenance`, {
      token: admin,
      body: { enabled: true, message: 'Patch 1.2', messages: { ko: '패치 1.2', en: 'Patch 1.2' }, startsAt, endsAt },
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().maintenance, false, 'only scheduled so far');
    assert.equal(r.json().maintenanceStartsAt, startsAt);

    assert.equal(await h.services.scheduler.tick(), 0);
    clock.advance(10 * MIN - 1);
    assert.equal(await h.services.scheduler.tick(), 0, 'not a millisecond early');
    clock.advance(1);
    assert.equal(await h.services.scheduler.tick(), 1);
    assert.equal(await h.services.scheduler.tick(), 0, 'fires once');
    assert.equal((await h.call('GET', `/api/v1/game-worlds/${w.id}`, { token: admin })).json().maintenance, true);

    clock.advance(60 * MIN);
    assert.equal(await h.services.scheduler.tick(), 1);
    assert.equal(await h.services.scheduler.tick(), 0);
    const world = (await h.call('GET', `/api/v1/game-worlds/${w.id}`, { token: admin })).json();
    assert.equal(world.maintenance, false);

    const evs = await maintenanceEvents(seq);
    assert.deepEqual(evs.map((e) => e.event), ['world.maintenance_started', 'world.maintenance_ended']);
    assert.deepEqual(
      { ...(evs[0].data as object), world: undefined },
      { id: w.id, worldId: 'sched1', world: undefined, message: 'Patch 1.2', messages: { ko: '패치 1.2', en: 'Patch 1.2' }, startsAt, endsAt },
    );
    assert.equal(evs[0].timestamp, startsAt, 'the event is stamped when maintenance began');
    const audit = (await h.call('GET', `/api/v1/audit-logs?targetType=world&targetId=${w.id}&action=world.maintenance_started`, { token: admin })).json();
    assert.equal(audit.data[0].actorType, 'system');
  });

  it('an immediate window with an end: starts now, ends by itself', async () => {
    const w = (await h.call('POST', '/api/v1/game-worlds', { token: admin, body: { worldId: 'sched2', name: 'S2' } })).json();
    const seq = await lastSeq();
    const r = await h.call('PUT', `/api/v1/game-worlds/${w.id}/maintenance`, { token: admin, body: { enabled: true, message: 'quick', endsAt: at(5 * MIN) } });
    assert.equal(r.json().maintenance, true);
    clock.advance(5 * MIN);
    assert.equal(await h.services.scheduler.tick(), 1);
    assert.deepEqual((await maintenanceEvents(seq)).map((e) => e.event), ['world.maintenance_started', 'world.maintenance_ended']);
  });

  it('moving an active window to the future ends it now and starts it again then', async () => {
    const w = (await h.call('POST', '/api/v1/game-worlds', { token: admin, body: { worldId: 'sched3', name: 'S3', maintenance: true, maintenanceMessage: 'm' } })).json();
    assert.equal(w.maintenance, true);
    const seq = await lastSeq();
    const moved = await h.call('PUT', `/api/v1/game-worlds/${w.id}/maintenance`, { token: admin, body: { enabled: true, startsAt: at(MIN) } });
    assert.equal(moved.json().maintenance, false);
    clock.advance(MIN);
    await h.services.scheduler.tick();
    assert.deepEqual((await maintenanceEvents(seq)).map((e) => e.event), ['world.maintenance_ended', 'world.maintenance_started']);
  });

  it('global maintenance: GET/PUT with a window, maintenance.started/ended once each', async () => {
    const seq = await lastSeq();
    const initial = (await h.call('GET', '/api/v1/maintenance', { token: admin })).json();
    assert.equal(initial.enabled, false);
    assert.equal(initial.active, false);
    const startsAt = at(2 * MIN);
    const endsAt = at(4 * MIN);
    const r = await h.call('PUT', '/api/v1/maintenance', { token: admin, body: { enabled: true, message: 'Global', messages: { ko: '전체 점검' }, startsAt, endsAt } });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual({ ...r.json<object>(), updatedAt: 0 }, { enabled: true, active: false, message: 'Global', messages: { ko: '전체 점검' }, startsAt, endsAt, updatedAt: 0 });
    clock.advance(2 * MIN);
    await h.services.scheduler.tick();
    assert.equal((await h.call('GET', '/api/v1/maintenance', { token: admin })).json().active, true);
    clock.advance(2 * MIN);
    await h.services.scheduler.tick();
    await h.services.scheduler.tick();
    const final = (await h.call('GET', '/api/v1/maintenance', { token: admin })).json();
    assert.equal(final.active, false);
    assert.equal(final.enabled, false, 'a window that ran out is over');
    const evs = await maintenanceEvents(seq);
    assert.deepEqual(evs.map((e) => e.event), ['maintenance.started', 'maintenance.ended']);
    assert.deepEqual(evs[0].data, { message: 'Global', messages: { ko: '전체 점검' }, startsAt, endsAt });

    const viewer = await h.userToken('viewer');
    assert.equal((await h.call('GET', '/api/v1/maintenance', { token: viewer.token })).statusCode, 200);
    assert.equal((await h.call('PUT', '/api/v1/maintenance', { token: viewer.token, body: { enabled: false } })).statusCode, 403);
    const bad = await h.call('PUT', '/api/v1/maintenance', { token: admin, body: { enabled: true, message: 'x', messages: { 'k o': 'x' } } });
    assert.equal(bad.statusCode, 400);
  });

  it('a global change that neither starts nor ends maintenance is announced as maintenance.updated, once per real change', async () => {
    const seq = await lastSeq();
    const events = async () => (await readEventsAfter(h.db.db, seq)).map((e) => e.envelope).filter((e) => e.event.startsWith('maintenance.'));
    const put = async (body: object) => {
      const r = await h.call('PUT', '/api/v1/maintenance', { token: admin, body });
      assert.equal(r.statusCode, 200, r.body);
    };
    const window = { enabled: true, message: 'Later', messages: { en: 'Later' }, startsAt: at(30 * MIN), endsAt: at(60 * MIN) };
    await put(window);
    await put(window); // the same again: nothing changed
    await put({ ...window, messages: { en: 'Later', ko: '나중에' } });
    await put({ enabled: true }); // starts now: maintenance.started, not .updated
    await put({ enabled: false });
    const evs = await events();
    assert.deepEqual(evs.map((e) => e.event), ['maintenance.updated', 'maintenance.updated', 'maintenance.started', 'maintenance.ended']);
    assert.deepEqual(evs[0].data, { message: 'Later', messages: { en: 'Later' }, startsAt: window.startsAt, endsAt: window.endsAt });
    assert.deepEqual(evs[1].data, { message: 'Later', messages: { en: 'Later', ko: '나중에' }, startsAt: window.startsAt, endsAt: window.endsAt });
  });

  it('two schedulers on separate connections fire each transition once', async () => {
    const w = (await h.call('POST', '/api/v1/game-worlds', { token: admin, body: { worldId: 'twonodes', name: 'T' } })).json();
    await h.call('PUT', `/api/v1/game-worlds/${w.id}/maintenance`, { token: admin, body: { enabled: true, message: 'x', startsAt: at(MIN), endsAt: at(2 * MIN) } });
    await h.call('PUT', '/api/v1/maintenance', { token: admin, body: { enabled: true, message: 'g', startsAt: at(MIN), endsAt: at(2 * MIN) } });
    // A second "node": its own connection pool to the same database and its own services.
    const other = kind === 'postgres' ? openDatabase({ url: process.env.TEST_DATABASE_URL, pgSchema: h.db.schema }) : h.db;
    const ctx: AppContext = { ...h.ctx, db: other.db, log: pino({ level: 'silent' }) };
    const changes = createChangeFeed(ctx.log);
    const nodeB = [createWorldsService(ctx, changes), createMaintenanceService(ctx, changes)];
    const seq = await lastSeq();
    try {
      for (const step of [MIN, MIN]) {
        clock.advance(step);
        const counts = await Promise.all([h.services.scheduler.tick(), ...nodeB.map((s) => s.runDueTransitions())]);
        assert.equal(counts.reduce((a, b) => a + b, 0), 2, `two transitions in all at +${step}`);
      }
    } finally {
      if (other !== h.db) await other.close();
    }
    const evs = (await maintenanceEvents(seq)).map((e) => e.event).sort();
    assert.deepEqual(evs, ['maintenance.ended', 'maintenance.started', 'world.maintenance_ended', 'world.maintenance_started']);
  });
});
