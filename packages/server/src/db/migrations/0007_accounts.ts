import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Failed-login counters are keyed by the account's epoch: `gatrix admin unlock` (and a password reset) bumps
  // it, which lifts the account's lockout on every node at once, whatever holds the counters.
  await db.schema.alterTable('users').addColumn('lockout_epoch', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
