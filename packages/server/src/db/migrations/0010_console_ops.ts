import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  // Why an operator made a change (the X-Audit-Reason header), kept with each audit entry of that request.
  await db.schema.alterTable('audit_logs').addColumn('reason', 'varchar(2000)').execute();

  // The monitoring time series: one row per node and minute (src/monitoring/timeseries.ts), pruned after 25 hours.
  await db.schema
    .createTable('metric_minutes')
    .addColumn('node_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('minute', 'varchar(32)', (c) => c.notNull())
    .addColumn('requests', 'integer', (c) => c.notNull())
    .addColumn('errors', 'integer', (c) => c.notNull())
    .addColumn('latency', 'text', (c) => c.notNull())
    .addColumn('webhooks_delivered', 'integer', (c) => c.notNull())
    .addColumn('webhooks_failed', 'integer', (c) => c.notNull())
    .addColumn('queue_depth', 'integer', (c) => c.notNull())
    .addColumn('sockets', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('metric_minutes_pk', ['node_id', 'minute'])
    .execute();
  await db.schema.createIndex('metric_minutes_minute').on('metric_minutes').column('minute').execute();
}
