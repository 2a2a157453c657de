import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A role or status filter under any sort, read in order from the filter's own range: a page costs about a page of
  // rows at any depth. Without them the sort's (column, id) index drove the read and filtered on the way: for
  // operators (1 % of a million users) sorted by last login that was ~5,000 rows and 20–65 ms a page on PostgreSQL.
  // The id sort has (role, id), (status, id) and (role, status, id) already. EXPLAIN output: docs/performance.md.
  for (const filter of ['role', 'status']) {
    for (const column of ['created_at', 'last_login_at', 'username']) {
      await db.schema.createIndex(`users_${filter}_${column}_idx`).on('users').columns([filter, column, 'id']).execute();
    }
  }
}
