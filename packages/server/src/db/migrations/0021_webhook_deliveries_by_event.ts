import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * An endpoint's deliveries by event type, newest first: the deliveries list filtered by `event` (an operator looking
 * for one kind of event, or a bulk retry's preview) reads that event's deliveries only, and counts them from the
 * index. Without it, the filter walked all of the endpoint's retained deliveries: 250–610 ms at 1,000,000 on SQLite,
 * where the node's event loop waits for it (docs/performance.md, "Webhook health at a million deliveries"). A
 * delivery's event type never changes, so the index is written once, with the delivery.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await sql`create index webhook_deliveries_event_type_idx on webhook_deliveries (webhook_id, event_type, id)`.execute(db);
}
