/**
 * The event feed (GET /api/v1/events) on both databases, through the real app: the envelopes webhooks carry, in
 * feed order, paged by cursor, filtered by type and by what each caller may hear; long polls woken by a commit,
 * released by a client that hangs up, bounded in number; retention; and, on PostgreSQL, an event that commits
 * after a later one is still read (feed positions follow commit order, not seq).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { startBackground } from '../src/app/background.ts';
import { buildApp } from '../src/app/build-app.ts';
import type { Services } from '../src/app/services.ts';
import { openDatabase } from '../src/db/index.ts';
import type { EventEnvelope } from '../src/events/catalog.ts';
import { newEventId } from '../src/events/outbox.ts';
import type { App } from '../src/http/types.ts';
import { eachDatabase, PG_SKIP, REDIS_SKIP, startHarness, TEST_REDIS_URL, TestClock, until, type Harness } from './helpers.ts';

interface Page {
  data: EventEnvelope[];
  nextCursor: string | null;
  hasMore: boolean;
}

/** A real HTTP GET of the feed with `auth` as the credential. */
async function feed(base: string, auth: string, query: string, signal?: AbortSignal): Promise<{ status: number; body: Page & { code?: string; errors?: { path: string }[] }; headers: Headers }> {
  const r = await fetch(`${base}/api/v1/events${query}`, { headers: { authorization: `Bearer ${auth}` }, signal });
  return { status: r.status, body: (await r.json()) as Page & { code?: string }, headers: r.headers };
}

eachDatabase('event feed', (kind) => {
  let h: Harness;
  let admin: string;
  const clock = new TestClock();

  before(async () => {
    h = await startHarness(kind, { listen: true, clock, env: { GATRIX_EVENT_FEED_MAX_WAITERS: '2' } });
    admin = (await h.apiKey('admin')).key;
  });
  after(() => h.close());

  let n = 0;
  const createWorld = async () => {
    const worldId = `feed_${++n}`;
    const r = await h.call('POST', '/api/v1/game-worlds', { token: admin, body: { worldId, name: worldId } });
    assert.equal(r.statusCode, 201, r.body);
    return worldId;
  };
  const createEntry = async () => {
    const r = await h.call('POST', '/api/v1/whitelist', { token: admin, body: { type: 'account', value: `feed-acct-${++n}` } });
    assert.equal(r.statusCode, 201, r.body);
  };
  /** The newest event's id once everything written so far is dispatched. */
  const settled = async () => {
    await until(async () => !(await h.db.db.selectFrom('outbox_events').select('seq').where('dispatched_at', 'is', null).executeTakeFirst()), 'every event dispatched');
    return (await feed(h.baseUrl, admin, '?newest=true&limit=1')).body.nextCursor;
  };

  it('answers the stored envelopes (the bytes webhooks send) in feed order, paged by nextCursor and hasMore', async () => {
    const start = await settled();
    for (let i = 0; i < 5; i++) await createWorld();
    await settled();
    const rows = await h.db.db.selectFrom('outbox_events').select(['payload', 'feed_position']).where('type', '=', 'world.created').orderBy('feed_position').execute();
    const stored = rows.slice(-5).map((r) => JSON.parse(r.payload) as EventEnvelope);

    const first = await feed(h.baseUrl, admin, `?after=${start}&types=world.created&limit=3`);
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.data, stored.slice(0, 3));
    assert.equal(first.body.nextCursor, stored[2].id);
    assert.equal(first.body.hasMore, true);
    const second = await feed(h.baseUrl, admin, `?after=${first.body.nextCursor}&types=world.created&limit=3`);
    assert.deepEqual(second.body.data, stored.slice(3));
    assert.equal(second.body.hasMore, false);
    const empty = await feed(h.baseUrl, admin, `?after=${second.body.nextCursor}&types=world.created`);
    assert.deepEqual(empty.body, { data: [], nextCursor: second.body.nextCursor, hasMore: false });

    const newest = await feed(h.baseUrl, admin, '?newest=true&types=world.created&limit=2');
    assert.deepEqual(newest.body.data, stored.slice(3), 'newest: the last two, oldest first');
    assert.equal(newest.body.nextCursor, stored[4].id);
  });

  it('filters by types, with prefix.* wildcards as webhooks take them', async () => {
    const start = await settled();
    await createWorld();
    await createEntry();
    await settled();
    const names = async (types: string) => (await feed(h.baseUrl, admin, `?after=${start}&types=${types}`)).body.data.map((e) => e.event);
    assert.deepEqual(await names('world.*'), ['world.created']);
    assert.deepEqual(await names('whitelist.updated'), ['whitelist.updated']);
    assert.deepEqual(await names('world.created,whitelist.*'), ['world.created', 'whitelist.updated']);
    assert.deepEqual(await names('*'), ['world.created', 'whitelist.updated']);
  });

  it('refuses bad input with 400 naming the field, and a cursor no longer kept with 410', async () => {
    const cases: [string, string][] = [
      ['?types=nope.*', 'query.types.0'],
      ['?types=world.created,,user.login', 'query.types'],
      ['?limit=0', 'query.limit'],
      ['?limit=1001', 'query.limit'],
      ['?wait=31', 'query.wait'],
      ['?after=not-an-event-id', 'query.after'],
      [`?after=${newEventId(new Date())}&newest=true`, 'query.newest'],
    ];
    for (const [query, path] of cases) {
      const r = await feed(h.baseUrl, admin, query);
      assert.equal(r.status, 400, `${query}: ${JSON.stringify(r.body)}`);
      assert.match(String(r.headers.get('content-type')), /^application\/problem\+json/);
      assert.equal(r.body.errors?.[0]?.path, path, query);
    }
    const gone = await feed(h.baseUrl, admin, `?after=${newEventId(new Date())}`);
    assert.equal(gone.status, 410);
    assert.equal(gone.body.code, 'event_cursor_gone');
    assert.match(String(gone.headers.get('content-type')), /^application\/problem\+json/);
  });

  it('shows each caller only the events it may hear on the live stream', async () => {
    const player = await h.userToken('player');
    const other = await h.userToken('player');
    const viewer = await h.userToken('viewer');
    const server = (await h.apiKey('server')).key;
    const client = (await h.apiKey('client')).key;
    const start = await settled();
    await createWorld();
    await createEntry();
    for (const u of [player, other]) await h.call('POST', '/api/v1/auth/login', { body: { username: u.username, password: 'password-123' } });
    await settled();
    const seen = async (token: string) =>
      (await feed(h.baseUrl, token, `?after=${start}`)).body.data.map((e) => `${e.event}${typeof (e.data as { userId?: number }).userId === 'number' ? `:${(e.data as { userId: number }).userId}` : ''}`);
    const logins = [`user.login:${player.id}`, `user.login:${other.id}`];
    assert.deepEqual(await seen(admin), ['world.created', 'whitelist.updated', ...logins]);
    assert.deepEqual(await seen(viewer.token), ['world.created', 'whitelist.updated', ...logins]);
    assert.deepEqual(await seen(server), ['world.created', 'whitelist.updated'], 'a server key hears no user events');
    assert.deepEqual(await seen(client), ['world.created'], 'a client key: worlds and versions');
    assert.deepEqual(await seen(player.token), ['world.created', `user.login:${player.id}`], 'a player: worlds and its own account');
    // A player asking only for user events still moves on past the others' (the cursor is the last event looked at).
    const own = await feed(h.baseUrl, other.token, `?after=${start}&types=user.*`);
    assert.deepEqual(
      own.body.data.map((e) => e.event),
      ['user.login'],
    );
  });

  it('wait: an empty answer is held until a matching event is dispatched; other events do not end it', async () => {
    const start = await settled();
    const t0 = Date.now();
    const pending = feed(h.baseUrl, admin, `?after=${start}&types=whitelist.updated&wait=30`);
    await until(() => h.services.eventFeed.waiting === 1, 'the request waits');
    await createWorld(); // not a type it asked for
    await createEntry();
    const r = await pending;
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.body.data.map((e) => e.event),
      ['whitelist.updated'],
    );
    assert.ok(Date.now() - t0 < 30_000, 'answered before the wait ended');
    assert.equal(h.services.eventFeed.waiting, 0);
  });

  it('wait: with no event the answer comes empty when the seconds pass, with the cursor it was given', async () => {
    const start = await settled();
    const r = await feed(h.baseUrl, admin, `?after=${start}&types=client_version.*&wait=1`);
    assert.deepEqual(r.body, { data: [], nextCursor: start, hasMore: false });
  });

  it('a client that hangs up releases its waiting request; past GATRIX_EVENT_FEED_MAX_WAITERS a waiting request gets 429', async () => {
    const start = await settled();
    const aborts = [new AbortController(), new AbortController()];
    const held = aborts.map((ac) => feed(h.baseUrl, admin, `?after=${start}&types=client_version.*&wait=30`, ac.signal).catch((err: unknown) => err));
    await until(() => h.services.eventFeed.waiting === 2, 'two requests wait');
    const refused = await feed(h.baseUrl, admin, `?after=${start}&types=client_version.*&wait=30`);
    assert.equal(refused.status, 429);
    assert.equal(refused.body.code, 'rate_limited');
    assert.ok(refused.headers.get('retry-after'));
    assert.equal((await feed(h.baseUrl, admin, `?after=${start}&types=client_version.*`)).status, 200, 'without wait it answers');
    for (const ac of aborts) ac.abort();
    await Promise.all(held);
    await until(() => h.services.eventFeed.waiting === 0, 'the hung-up requests are released');
  });

  it('retention: a prune deletes dispatched events older than GATRIX_EVENT_RETENTION in batches, keeps the newest; their cursors answer 410', async () => {
    const old = await settled();
    assert.ok(old);
    // More than one batch of old events.
    await h.ctx.db.transaction().execute(async (trx) => {
      const at = clock.now().toISOString();
      const rows = Array.from({ length: 1500 }, () => {
        const id = newEventId(clock.now());
        return { id, type: 'whitelist.updated', payload: JSON.stringify({ id, event: 'whitelist.updated', timestamp: at, data: {} }), created_at: at, dispatched_at: null };
      });
      for (let i = 0; i < rows.length; i += 500) await trx.insertInto('outbox_events').values(rows.slice(i, i + 500)).execute();
    });
    await h.services.dispatcher.notify();
    await settled();
    clock.advance(7 * 86_400_000 + 60_000);
    await createWorld();
    const recent = await settled();
    const pruned = await h.services.eventFeed.prune();
    assert.ok(pruned >= 1501, `pruned ${pruned}`);
    const left = await h.db.db.selectFrom('outbox_events').select(['id', 'created_at']).execute();
    assert.ok(left.every((r) => r.created_at >= new Date(clock.now().getTime() - 7 * 86_400_000).toISOString()), 'only recent events are left');
    assert.ok(left.some((r) => r.id === recent));
    assert.equal((await feed(h.baseUrl, admin, `?after=${old}`)).status, 410);
    assert.equal((await feed(h.baseUrl, admin, `?after=${recent}`)).status, 200);

    // Everything old: the newest dispatched event stays, so positions go on from it.
    clock.advance(8 * 86_400_000);
    await h.services.eventFeed.prune();
    assert.deepEqual((await h.db.db.selectFrom('outbox_events').select('id').execute()).map((r) => r.id), [recent]);
    await createWorld();
    await settled();
    const next = await feed(h.baseUrl, admin, `?after=${recent}`);
    assert.deepEqual(
      next.body.data.map((e) => e.event),
      ['world.created'],
    );
  });

  if (kind === 'postgres') {
    it('an event whose transaction commits after a later event is still read after that later event (PostgreSQL)', async () => {
      const start = await settled();
      // Transaction 1 writes an event (the lower seq) and stays open…
      const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await c.connect();
      try {
        await c.query(`set search_path to ${h.db.schema}`);
        await c.query('begin');
        const late = newEventId(clock.now());
        const at = clock.now().toISOString();
        await c.query('insert into outbox_events (id, type, payload, created_at) values ($1, $2, $3, $4)', [
          late,
          'whitelist.updated',
          JSON.stringify({ id: late, event: 'whitelist.updated', timestamp: at, data: {} }),
          at,
        ]);
        // …while transaction 2 (a higher seq) commits and is dispatched, and a reader reads past it.
        await createEntry();
        let cursor = start;
        await until(async () => {
          const r = await feed(h.baseUrl, admin, `?after=${cursor}&types=whitelist.updated`);
          cursor = r.body.nextCursor;
          return r.body.data.length > 0;
        }, 'the later event is read');
        const seqs = await h.db.db.selectFrom('outbox_events').select(['id', 'seq']).where('id', '=', late).execute();
        assert.equal(seqs.length, 0, 'the first transaction is not committed yet');
        await c.query('commit');
        await h.services.dispatcher.notify();
        const r = await feed(h.baseUrl, admin, `?after=${cursor}&types=whitelist.updated&wait=30`);
        assert.deepEqual(
          r.body.data.map((e) => e.id),
          [late],
          'the late commit comes after the cursor',
        );
        const [lateRow, laterRow] = await Promise.all([
          h.db.db.selectFrom('outbox_events').select(['seq', 'feed_position']).where('id', '=', late).executeTakeFirstOrThrow(),
          h.db.db.selectFrom('outbox_events').select(['seq', 'feed_position']).where('id', '=', cursor!).executeTakeFirstOrThrow(),
        ]);
        assert.ok(Number(lateRow.seq) < Number(laterRow.seq) && Number(lateRow.feed_position) > Number(laterRow.feed_position), 'seq and feed order differ');
      } finally {
        await c.end();
      }
    });
  }
});

describe('event feed across two nodes on PostgreSQL + Redis', { skip: PG_SKIP || REDIS_SKIP }, () => {
  let a: Harness;
  let b: { app: App; services: Services };
  let baseB: string;
  let stop: () => Promise<void>;

  before(async () => {
    a = await startHarness('postgres', { env: { REDIS_URL: TEST_REDIS_URL }, listen: true });
    const dbB = openDatabase({ url: process.env.TEST_DATABASE_URL, pgSchema: a.db.schema });
    b = await buildApp({ config: a.config, database: dbB, logger: pino({ level: 'silent' }) });
    baseB = await b.app.listen({ port: 0, host: '127.0.0.1' });
    // Only node A dispatches: a request waiting on B can only learn of an event over the bus.
    const stopA = startBackground(a.services, pino({ level: 'silent' }));
    stop = async () => {
      await stopA();
      await b.app.close();
      await dbB.close();
    };
  });
  after(async () => {
    await stop?.();
    await a?.close();
  });

  it("a request waiting on node B is woken by an event written and dispatched on node A (the bus), not by its wait's end", async () => {
    const admin = (await a.apiKey('admin')).key;
    const start = (await feed(baseB, admin, '?newest=true&limit=1')).body.nextCursor;
    const pending = feed(baseB, admin, `?${start ? `after=${start}&` : ''}types=world.created&wait=30`);
    await until(() => b.services.eventFeed.waiting === 1, 'the request waits on B');
    const r0 = await a.call('POST', '/api/v1/game-worlds', { token: admin, body: { worldId: 'bus_1', name: 'Bus' } });
    assert.equal(r0.statusCode, 201);
    const r = await pending;
    // A wait that ended by its clock answers empty: the event in the answer means the bus woke it.
    assert.deepEqual(
      r.body.data.map((e) => (e.data as { worldId: string }).worldId),
      ['bus_1'],
    );
  });
});
