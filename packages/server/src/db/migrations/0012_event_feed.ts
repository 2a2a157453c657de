import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  // The event feed (GET /api/v1/events) serves dispatched events by the position the dispatcher gives each one
  // when it claims it, one claim at a time: unlike seq (taken at insert), positions grow in commit order.
  await db.schema.alterTable('outbox_events').addColumn('feed_position', 'integer').execute();
  // Events dispatched before the feed existed keep their order: their seq is their position.
  await sql`update outbox_events set feed_position = seq where dispatched_at is not null`.execute(db);
  await db.schema.createIndex('outbox_events_feed_position_uq').unique().on('outbox_events').column('feed_position').execute();
  // Retention deletes dispatched events by age.
  await db.schema.createIndex('outbox_events_created_at_idx').on('outbox_events').column('created_at').execute();
}
