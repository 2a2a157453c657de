/**
 * Per-endpoint health for operators: HTTP attempt success rates over the last hour and day, deliveries by
 * status, the queue, and the last success and failure. Read from the deliveries and attempts the worker records
 * (kept for GATRIX_WEBHOOK_RETENTION_DAYS).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { DELIVERY_STATUSES, UNDELIVERED_STATUSES, type DeliveryStatus, type WebhookHealth } from './schemas.ts';
import type { WebhookRow } from './store.ts';
import { toBool } from '../../db/columns.ts';
import { FAILED_ATTEMPT } from '../../db/migrations/0020_webhook_health_indexes.ts';

const HOUR = 3_600_000;

/** Attempts and 2xx attempts per endpoint since `since`: the window's attempts, read through their time index. */
async function attemptRates(db: Kysely<Database>, ids: number[], since: string): Promise<Map<number, { total: number; ok: number }>> {
  const rows = await db
    .selectFrom('webhook_attempts as a')
    .innerJoin('webhook_deliveries as d', 'd.id', 'a.delivery_id')
    .select((eb) => [
      'd.webhook_id',
      eb.fn.countAll<number | string>().as('total'),
      eb.fn.sum<number | string>(sql`case when a.response_status between 200 and 299 then 1 else 0 end`).as('ok'),
    ])
    .where('d.webhook_id', 'in', ids)
    .where('a.created_at', '>=', since)
    .groupBy('d.webhook_id')
    .execute();
  return new Map(rows.map((r) => [Number(r.webhook_id), { total: Number(r.total), ok: Number(r.ok ?? 0) }]));
}

/**
 * The endpoint's last attempt that succeeded (ok) or failed (!ok), newest first: failures through the index of
 * failed attempts (migration 0020), successes from the newest attempt back. Each walks attempts from the newest,
 * in id order (a cross join keeps SQLite from starting at the endpoint's deliveries, which reads all of them and
 * sorts their attempts), and stops at the first of this endpoint's.
 */
async function lastAttempt(db: Kysely<Database>, id: number, ok: boolean) {
  return db
    .selectFrom('webhook_attempts as a')
    .crossJoin('webhook_deliveries as d')
    .select(['a.created_at', 'a.response_status', 'a.error'])
    .whereRef('d.id', '=', 'a.delivery_id')
    .where('d.webhook_id', '=', id)
    .where(ok ? sql<boolean>`a.response_status between 200 and 299` : sql<boolean>`${FAILED_ATTEMPT}`)
    .orderBy('a.id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Deliveries by status per endpoint, from indexes: all of an endpoint's from its (webhook_id, id) index, those not
 * delivered from the due index (status, next_attempt_at), which keeps the few pending, delivering and failed ones
 * apart from the many delivered; delivered is the rest. Grouping the table by status read every retained row. Both
 * reads are one statement, so they see the same rows and the rest is never negative.
 */
async function deliveryCounts(db: Kysely<Database>, ids: number[]): Promise<Map<number, Record<DeliveryStatus, number>>> {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => ['webhook_id', sql<string | null>`null`.as('status'), eb.fn.countAll<number | string>().as('n')])
    .where('webhook_id', 'in', ids)
    .groupBy('webhook_id')
    .unionAll((eb) =>
      eb
        .selectFrom('webhook_deliveries')
        .select((eb) => ['webhook_id', 'status', eb.fn.countAll<number | string>().as('n')])
        .where('status', 'in', UNDELIVERED_STATUSES)
        .where('webhook_id', 'in', ids)
        .groupBy(['webhook_id', 'status']),
    )
    .execute();
  const counts = new Map(ids.map((id) => [id, Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>]));
  for (const r of rows) {
    const c = counts.get(Number(r.webhook_id));
    if (!c) continue;
    if (r.status === null) {
      c.delivered += Number(r.n); // the endpoint's total
    } else {
      c[r.status as DeliveryStatus] = Number(r.n);
      c.delivered -= Number(r.n);
    }
  }
  return counts;
}

export async function webhookHealth(db: Kysely<Database>, endpoints: WebhookRow[], now: Date): Promise<WebhookHealth[]> {
  if (endpoints.length === 0) return [];
  const ids = endpoints.map((w) => w.id);
  const [hour, day, byStatus] = await Promise.all([
    attemptRates(db, ids, new Date(now.getTime() - HOUR).toISOString()),
    attemptRates(db, ids, new Date(now.getTime() - 24 * HOUR).toISOString()),
    deliveryCounts(db, ids),
  ]);
  const rate = (r: { total: number; ok: number } | undefined) => (r && r.total > 0 ? r.ok / r.total : null);
  return Promise.all(
    endpoints.map(async (w): Promise<WebhookHealth> => {
      const counts = byStatus.get(w.id)!;
      const [success, failure] = await Promise.all([lastAttempt(db, w.id, true), lastAttempt(db, w.id, false)]);
      return {
        webhookId: w.id,
        active: toBool(w.active),
        disabledReason: w.disabled_reason,
        failingSince: w.failing_since,
        successRate1h: rate(hour.get(w.id)),
        successRate24h: rate(day.get(w.id)),
        attempts1h: hour.get(w.id)?.total ?? 0,
        attempts24h: day.get(w.id)?.total ?? 0,
        deliveries: counts,
        queueDepth: counts.pending + counts.delivering,
        lastSuccess: success ? { at: success.created_at, statusCode: Number(success.response_status) } : null,
        lastFailure: failure
          ? { at: failure.created_at, statusCode: failure.response_status === null ? null : Number(failure.response_status), error: failure.error }
          : null,
      };
    }),
  );
}
