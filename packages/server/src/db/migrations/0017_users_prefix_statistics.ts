import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') return;
  // `q` searches by a prefix of lower(username) / lower(email). With the default 100-bucket statistics the planner
  // took a prefix shared by 2,486 of a million users ("wildvi…") for one row, read every match and sorted them:
  // 35–290 ms. A finer histogram of the two expressions brought a run of 300 seeded prefixes from p99 131 ms to
  // 47 ms (docs/performance.md). ANALYZE (autovacuum's, or the one below) builds it.
  for (const index of ['users_username_prefix_idx', 'users_email_prefix_idx']) {
    await sql`alter index ${sql.ref(index)} alter column 1 set statistics 1000`.execute(db);
  }
  await sql`analyze users`.execute(db);
}
