import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  // Stored answers are sealed from now on; those stored before were in clear (a new API key or webhook secret
  // among them) and could not be opened. A retry of one of them runs again instead of replaying.
  await db.deleteFrom('idempotency_keys' as never).execute();
}
