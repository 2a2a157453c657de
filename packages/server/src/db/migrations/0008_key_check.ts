import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per key (`jwt`, `encryption`): an HMAC of a fixed text under the key, never the key (src/app/keys.ts).
  await db.schema
    .createTable('key_checks')
    .addColumn('name', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('check_value', 'varchar(128)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  // A database that already holds webhook secrets was set up with the encryption key that opens them: a row
  // without a value says so, and the first start records the key only if it opens one of them.
  await sql`insert into key_checks (name, check_value, created_at)
    select 'encryption', null, ${new Date().toISOString()} where exists (select 1 from webhooks)`.execute(db);
}
