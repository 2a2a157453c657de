import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') return;
  // A `q` search reads indexes, not the table (docs/performance.md, "User search on PostgreSQL"):
  // - the two prefix indexes carry id, role and status (and the column itself, which PostgreSQL's planner wants
  //   before it reads lower(column) from an index alone): a search collects and counts its matching ids from them;
  // - the role and status indexes by id carry username and email: a common prefix under a role or status that few
  //   users have is walked in id order through them, where walking the table read one scattered page per user.
  // Rebuilding holds writes to users for a few seconds per million rows.
  const rebuild = async (name: string, definition: ReturnType<typeof sql>) => {
    await sql`drop index ${sql.ref(name)}`.execute(db);
    await sql`create index ${sql.ref(name)} on users ${definition}`.execute(db);
  };
  for (const column of ['username', 'email']) {
    const name = `users_${column}_prefix_idx`;
    await rebuild(name, sql`(lower(${sql.ref(column)}) text_pattern_ops) include (id, ${sql.ref(column)}, role, status)`);
    await sql`alter index ${sql.ref(name)} alter column 1 set statistics 1000`.execute(db);
  }
  await rebuild('users_role_id_idx', sql`(role, id) include (username, email, status)`);
  await rebuild('users_status_id_idx', sql`(status, id) include (username, email, role)`);
  await rebuild('users_role_status_id_idx', sql`(role, status, id) include (username, email)`);
  await sql`analyze users`.execute(db);
}
