import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * The webhook health figures (modules/webhooks/health.ts) from indexes instead of every retained attempt: 30 days
 * of a busy endpoint are millions of rows, and on SQLite a read of them all holds the node's event loop (measured
 * at 1,000,000 deliveries: 2.75 s for the health of three endpoints; docs/performance.md, "Webhook health at a
 * million deliveries").
 * - Attempts by time: the success rates of the last hour and day read that window only. New attempts append at
 *   its end.
 * - Failed attempts (no answer, or not 2xx), by id: an endpoint's last failure is found among failures, however
 *   many successes came after it. Successes, nearly all attempts, are not in it.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await sql`create index webhook_attempts_created_idx on webhook_attempts (created_at)`.execute(db);
  await sql`create index webhook_attempts_failed_idx on webhook_attempts (id) where ${FAILED_ATTEMPT}`.execute(db);
}

/**
 * An attempt that failed, as the partial index and the queries that use it write it: the same text, with
 * literals, so that both databases' planners see that a query's condition implies the index's.
 */
export const FAILED_ATTEMPT = sql.raw('(response_status is null or response_status < 200 or response_status > 299)');
