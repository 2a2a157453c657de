import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The user list filtered by role and status together, in id order (its default), and the count of that filter
  // (bounded: docs/users.md), read as one index range. Role alone and status alone keep their (x, id) indexes of 0001;
  // time ranges use the (created_at, id) and (last_login_at, id) indexes of 0009. EXPLAIN output: docs/performance.md.
  await db.schema.createIndex('users_role_status_id_idx').on('users').columns(['role', 'status', 'id']).execute();
  // The list sorted by username (case as written, like the sort) reads it in order, and a keyset cursor is a range of it.
  await db.schema.createIndex('users_username_id_idx').on('users').columns(['username', 'id']).execute();
}
