import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') return;
  // The two prefix indexes of `q` now carry id, role and status (and the column itself, which PostgreSQL's planner
  // wants before it reads lower(column) from an index alone): a search collects its matching ids, and counts them,
  // from the indexes without visiting the table (docs/performance.md, "User search on PostgreSQL"). Rebuilding
  // holds writes to users for a few seconds per million rows.
  for (const column of ['username', 'email']) {
    const name = `users_${column}_prefix_idx`;
    await sql`drop index ${sql.ref(name)}`.execute(db);
    await sql`create index ${sql.ref(name)} on users (lower(${sql.ref(column)}) text_pattern_ops) include (id, ${sql.ref(column)}, role, status)`.execute(db);
    await sql`alter index ${sql.ref(name)} alter column 1 set statistics 1000`.execute(db);
  }
  await sql`analyze users`.execute(db);
}
