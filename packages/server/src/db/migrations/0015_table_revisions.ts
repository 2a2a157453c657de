import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * A revision per cached table, moved by the database itself on every write: a node that caches a large table asks
 * whether it changed with one primary-key read instead of reading every row (the game-client API's whitelist: 100,000
 * entries take ~0.4 s to read, the revision ~0.1 ms). Triggers keep it true for every writer, a console operator's
 * SQL included. On PostgreSQL the trigger runs once per statement; on SQLite (one writer at a time) once per row.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('table_revisions')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into table_revisions (name, revision) values ('whitelist_entries', 1)`.execute(db);
  if (dialect === 'postgres') {
    // Qualified by the trigger's own schema, so it holds whatever search_path the writer has.
    await sql`
      create function bump_table_revision() returns trigger language plpgsql as $$
      begin
        execute format('update %I.table_revisions set revision = revision + 1 where name = %L', tg_table_schema, tg_table_name);
        return null;
      end $$`.execute(db);
    // Before the statement: a writer takes the revision row's lock before any entry's, so two transactions that
    // write several entries (an import and a create of the same value) queue on it instead of deadlocking.
    await sql`
      create trigger whitelist_entries_revision before insert or update or delete or truncate on whitelist_entries
      for each statement execute function bump_table_revision()`.execute(db);
    return;
  }
  for (const op of ['insert', 'update', 'delete']) {
    await sql`
      create trigger ${sql.raw(`whitelist_entries_revision_${op}`)} after ${sql.raw(op)} on whitelist_entries
      begin
        update table_revisions set revision = revision + 1 where name = 'whitelist_entries';
      end`.execute(db);
  }
}
