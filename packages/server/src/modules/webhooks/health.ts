/**
 * Per-endpoint health for operators: HTTP attempt success rates over the last hour and day, deliveries by
 * status, the queue, and the last success and failure. Read from the deliveries and attempts the worker records
 * (kept for GATRIX_WEBHOOK_RETENTION_DAYS).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { DELIVERY_STATUSES, type DeliveryStatus, type WebhookHealth } from './schemas.ts';
import type { WebhookRow } from './store.ts';
import { toBool } from '../../db/columns.ts';

const HOUR = 3_600_000;

/** Attempts and 2xx attempts per endpoint since `since`. */
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

/** The last attempt of the endpoint that succeeded (ok) or failed (!ok). */
async function lastAttempt(db: Kysely<Database>, id: number, ok: boolean) {
  let q = db
    .selectFrom('webhook_attempts as a')
    .innerJoin('webhook_deliveries as d', 'd.id', 'a.delivery_id')
    .select(['a.created_at', 'a.response_status', 'a.error'])
    .where('d.webhook_id', '=', id);
  q = ok
    ? q.where('a.response_status', '>=', 200).where('a.response_status', '<=', 299)
    : q.where((eb) => eb.or([eb('a.response_status', 'is', null), eb('a.response_status', '<', 200), eb('a.response_status', '>', 299)]));
  return q.orderBy('a.id', 'desc').limit(1).executeTakeFirst();
}

export async function webhookHealth(db: Kysely<Database>, endpoints: WebhookRow[], now: Date): Promise<WebhookHealth[]> {
  if (endpoints.length === 0) return [];
  const ids = endpoints.map((w) => w.id);
  const [hour, day, byStatus] = await Promise.all([
    attemptRates(db, ids, new Date(now.getTime() - HOUR).toISOString()),
    attemptRates(db, ids, new Date(now.getTime() - 24 * HOUR).toISOString()),
    db
      .selectFrom('webhook_deliveries')
      .select((eb) => ['webhook_id', 'status', eb.fn.countAll<number | string>().as('n')])
      .where('webhook_id', 'in', ids)
      .groupBy(['webhook_id', 'status'])
      .execute(),
  ]);
  const rate = (r: { total: number; ok: number } | undefined) => (r && r.total > 0 ? r.ok / r.total : null);
  return Promise.all(
    endpoints.map(async (w): Promise<WebhookHealth> => {
      const counts = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
      for (const r of byStatus) if (Number(r.webhook_id) === w.id && r.status in counts) counts[r.status as DeliveryStatus] = Number(r.n);
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
