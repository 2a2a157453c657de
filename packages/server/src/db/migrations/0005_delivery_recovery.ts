import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  // Each running webhook worker (one per node) and its heartbeat: a delivery leased by a node whose heartbeat
  // stopped is taken over by another node without waiting for its lease to run out.
  await db.schema
    .createTable('webhook_nodes')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('started_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('heartbeat_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('webhook_deliveries').addColumn('leased_by', 'varchar(64)').execute();
}
