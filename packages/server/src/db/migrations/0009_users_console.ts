import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  // A suspension's reason and, when it is temporary, when it ends (the scheduler lifts it then).
  await db.schema.alterTable('users').addColumn('suspended_reason', 'varchar(500)').execute();
  await db.schema.alterTable('users').addColumn('suspended_until', 'varchar(32)').execute();
  await db.schema.createIndex('users_suspended_until_idx').on('users').columns(['status', 'suspended_until']).execute();
  // The user list's search is a prefix match on lower(username) and lower(email). SQLite answers it as a range on
  // the unique lower() indexes of 0001 (users_username_uq, users_email_uq); PostgreSQL answers `lower(x) LIKE 'p%'`
  // from an index only when it compares bytes, which its default collations do not: these indexes do (docs/performance.md).
  if (dialect === 'postgres') {
    await sql`create index users_username_prefix_idx on users (lower(username) text_pattern_ops)`.execute(db);
    await sql`create index users_email_prefix_idx on users (lower(email) text_pattern_ops)`.execute(db);
  }
  // Keyset pages sorted by creation or last login read these in order.
  await db.schema.createIndex('users_created_at_idx').on('users').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('users_last_login_at_idx').on('users').columns(['last_login_at', 'id']).execute();
}
