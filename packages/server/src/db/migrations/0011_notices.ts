import type { Kysely } from 'kysely';
import { idColumn, type Dialect } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  // Service notices for players (src/modules/notices/): texts per language and targeting are JSON text.
  await db.schema
    .createTable('notices')
    .addColumn('id', 'integer', (c) => idColumn(c, dialect))
    .addColumn('category', 'varchar(16)', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('title', 'varchar(200)', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('translations', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('starts_at', 'varchar(32)')
    .addColumn('ends_at', 'varchar(32)')
    .addColumn('channels', 'text', (c) => c.notNull())
    .addColumn('sub_channels', 'text', (c) => c.notNull())
    .addColumn('world_ids', 'text', (c) => c.notNull())
    .addColumn('min_version', 'varchar(64)')
    .addColumn('max_version', 'varchar(64)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notices_order_idx').on('notices').columns(['priority', 'starts_at', 'id']).execute();
}
