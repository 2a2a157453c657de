/**
 * PostgreSQL: the event dispatcher's claim walks the pending-events index in order and stops after its batch,
 * whatever the table's statistics say. (The webhook claim's counterpart is in webhook-recording.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { systemClock } from '../src/core/clock.ts';
import { createDispatcher } from '../src/events/dispatcher.ts';
import { indexReads, openTestDatabase, PG_SKIP } from './helpers.ts';

describe('outbox claim plan [postgres]', { skip: PG_SKIP }, () => {
  it('the dispatcher drains a backlog the statistics do not know of, each batch reading its own rows', async () => {
    // Its own schema and one connection: the index statistics read below are this test's alone.
    const t = await openTestDatabase('postgres', 1);
    try {
      const { db, dialect } = t;
      // A backlog in a table never analyzed (a fresh install, or a burst faster than autovacuum's rounds).
      await sql`alter table outbox_events set (autovacuum_enabled = false)`.execute(db);
      await sql`
        insert into outbox_events (id, type, payload, created_at)
        select 'evt_' || g, 'world.updated',
          json_build_object('id', 'evt_' || g, 'event', 'world.updated', 'timestamp', '2026-12-01T00:00:00.000Z', 'data', json_build_object('note', repeat('x', 400)))::text,
          '2026-12-01T00:00:00.000Z'
        from generate_series(1, 10000) g`.execute(db);
      const dispatched: number[] = [];
      const dispatcher = createDispatcher({ db, dialect, clock: systemClock, log: pino({ level: 'silent' }) }, [
        { committed: (events) => dispatched.push(...events.map((e) => e.seq)) },
      ]);
      await dispatcher.notify();
      await dispatcher.stop();
      assert.equal(dispatched.length, 10_000, 'every event dispatched');
      assert.deepEqual(dispatched, [...dispatched].sort((a, b) => a - b), 'in seq order');
      const pending = await indexReads(db, 'outbox_events_pending_idx');
      // In order, each batch's scan fetches its own rows and stops: 10,000 rows in all. Sorting the remaining
      // backlog for each of the 50 batches fetches ~250,000 through a plain index scan, or none through a bitmap
      // scan. (Entries read, as against fetched, are no measure: while any other transaction in the database holds
      // a snapshot, as the other test files' do, the dead entries of earlier batches are read again by each batch.)
      assert.ok(
        pending.fetched >= 10_000 && pending.fetched <= 10_000 + pending.scans,
        `draining 10,000 events in ${pending.scans} scans fetched ${pending.fetched} rows through the index`,
      );
    } finally {
      await t.drop();
    }
  });
});
