import type { Kysely, UpdateQueryBuilder, UpdateResult } from 'kysely';
import { parseJson, toBool } from '../../db/columns.ts';
import type { Dialect } from '../../db/dialect.ts';
import { insertRowsKept, powerOfTwoChunks } from '../../db/prepared.ts';
import { countQuery, countRows, onePage, type Paging, type RowOf } from '../../db/records.ts';
import type { Database, WebhookAttemptsTable, WebhookDeliveriesTable, WebhooksTable } from '../../db/schema.ts';
import { maskedHeaders } from './headers.ts';
import { UNDELIVERED_STATUSES, type DeliveryStatus, type ListDeliveriesFilter, type PublicAttempt, type PublicDelivery, type PublicWebhook } from './schemas.ts';

export type WebhookRow = Omit<WebhooksTable, 'id'> & { id: number };

export function toPublicWebhook(r: WebhookRow, now: Date): PublicWebhook {
  const rotating = r.previous_secret_expires_at !== null && r.previous_secret_expires_at > now.toISOString();
  return {
    id: Number(r.id),
    url: r.url,
    events: parseJson<string[]>(r.events, []),
    active: toBool(r.active),
    description: r.description,
    headers: maskedHeaders(r.headers),
    disabledReason: r.disabled_reason,
    failingSince: r.failing_since,
    secretRotationEndsAt: rotating ? r.previous_secret_expires_at : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const DELIVERY_COLUMNS = [
  'id',
  'webhook_id',
  'event_id',
  'event_type',
  'status',
  'attempts',
  'next_attempt_at',
  'last_status_code',
  'last_error',
  'created_at',
  'delivered_at',
] as const;
type DeliveryRow = RowOf<'webhook_deliveries', typeof DELIVERY_COLUMNS>;

export function toPublicDelivery(r: DeliveryRow): PublicDelivery {
  return {
    id: Number(r.id),
    webhookId: Number(r.webhook_id),
    eventId: r.event_id,
    event: r.event_type,
    status: r.status as DeliveryStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    lastStatusCode: r.last_status_code === null ? null : Number(r.last_status_code),
    lastError: r.last_error,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
  };
}

const ATTEMPT_COLUMNS = ['attempt', 'request_headers', 'response_status', 'response_headers', 'response_body', 'duration_ms', 'error', 'created_at'] as const;

function toPublicAttempt(r: Pick<WebhookAttemptsTable, (typeof ATTEMPT_COLUMNS)[number]>): PublicAttempt {
  return {
    attempt: Number(r.attempt),
    requestHeaders: parseJson<Record<string, string>>(r.request_headers, {}),
    responseStatus: r.response_status === null ? null : Number(r.response_status),
    responseHeaders: parseJson<Record<string, string> | null>(r.response_headers, null),
    responseBody: r.response_body,
    durationMs: Number(r.duration_ms),
    error: r.error,
    createdAt: r.created_at,
  };
}

/** Every column of a new delivery row (the record type makes the list complete). */
const DELIVERY_ROW_COLUMNS = Object.keys({
  webhook_id: 1,
  event_id: 1,
  event_type: 1,
  payload: 1,
  status: 1,
  attempts: 1,
  next_attempt_at: 1,
  lease_until: 1,
  leased_by: 1,
  last_status_code: 1,
  last_error: 1,
  event_created_at: 1,
  created_at: 1,
  updated_at: 1,
  delivered_at: 1,
} satisfies Record<keyof Omit<WebhookDeliveriesTable, 'id'>, 1>) as (keyof Omit<WebhookDeliveriesTable, 'id'>)[];

/** A delivery row waiting for its first attempt. */
export function pendingDelivery(webhookId: number, event: { id: string; type: string; payload: string; createdAt: string }, at: string): Omit<WebhookDeliveriesTable, 'id'> {
  return {
    webhook_id: webhookId,
    event_id: event.id,
    event_type: event.type,
    payload: event.payload,
    status: 'pending',
    attempts: 0,
    next_attempt_at: at,
    lease_until: null,
    leased_by: null,
    last_status_code: null,
    last_error: null,
    event_created_at: event.createdAt,
    created_at: at,
    updated_at: at,
    delivered_at: null,
  };
}

export function webhooksStore(db: Kysely<Database>) {
  return {
    async find(id: number): Promise<WebhookRow | undefined> {
      const r = await db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
      return r && { ...r, id: Number(r.id) };
    },
    async list(f: { active?: boolean } & Paging): Promise<{ rows: WebhookRow[]; total: number }> {
      let q = db.selectFrom('webhooks');
      if (f.active !== undefined) q = q.where('active', '=', f.active ? 1 : 0);
      const [rows, total] = await Promise.all([onePage(q.selectAll().orderBy('id'), f).execute(), countRows(q)]);
      return { rows: rows.map((r) => ({ ...r, id: Number(r.id) })), total };
    },
    async active(): Promise<WebhookRow[]> {
      const rows = await db.selectFrom('webhooks').selectAll().where('active', '=', 1).execute();
      return rows.map((r) => ({ ...r, id: Number(r.id) }));
    },
    async insert(row: Omit<WebhooksTable, 'id'>): Promise<number> {
      return Number((await db.insertInto('webhooks').values(row).returning('id').executeTakeFirstOrThrow()).id);
    },
    async update(id: number, patch: Partial<Omit<WebhooksTable, 'id'>>): Promise<void> {
      await db.updateTable('webhooks').set(patch).where('id', '=', id).execute();
    },
    /** The same change to several endpoints, optionally only where `where` also holds. */
    async updateMany(
      ids: number[],
      patch: Partial<Omit<WebhooksTable, 'id'>>,
      where: (q: UpdateQueryBuilder<Database, 'webhooks', 'webhooks', UpdateResult>) => UpdateQueryBuilder<Database, 'webhooks', 'webhooks', UpdateResult> = (q) => q,
    ): Promise<void> {
      for (const chunk of powerOfTwoChunks(ids, 256)) await where(db.updateTable('webhooks').set(patch).where('id', 'in', chunk)).execute();
    },
    async delete(id: number): Promise<void> {
      await db.deleteFrom('webhooks').where('id', '=', id).execute();
    },

    /** New deliveries, in multi-row inserts (kept statements: a fan-out writes thousands of rows a second). */
    async insertDeliveries(dialect: Dialect, rows: Omit<WebhookDeliveriesTable, 'id'>[]): Promise<void> {
      // A fan-out repeated after a crash finds its rows already there.
      await insertRowsKept(db as never, dialect, 'webhook_deliveries', DELIVERY_ROW_COLUMNS, rows, { max: 256, conflict: ['webhook_id', 'event_id'] });
    },
    /**
     * A page of an endpoint's deliveries, newest first, and how many match. Delivered ones, nearly all of them, are
     * counted as all the matching ones less those not delivered: both counts come from indexes (the endpoint's, by
     * event type too, and the due index), where counting delivered ones read every row.
     */
    async deliveries(webhookId: number, f: ListDeliveriesFilter): Promise<{ data: PublicDelivery[]; total: number }> {
      let q = db.selectFrom('webhook_deliveries').where('webhook_id', '=', webhookId);
      if (f.event) q = q.where('event_type', '=', f.event);
      if (f.from) q = q.where('created_at', '>=', new Date(f.from).toISOString());
      if (f.to) q = q.where('created_at', '<', new Date(f.to).toISOString());
      const listed = f.status ? q.where('status', '=', f.status) : q;
      // Both counts in one statement, so they see the same rows: a delivery recorded between two reads would
      // otherwise be counted on one side and not on the other.
      const total =
        f.status === 'delivered'
          ? db
              .selectNoFrom([countQuery(q).as('all'), countQuery(q.where('status', 'in', UNDELIVERED_STATUSES)).as('undelivered')])
              .executeTakeFirstOrThrow()
              .then((r) => Number(r.all) - Number(r.undelivered))
          : countRows(listed);
      const [rows, n] = await Promise.all([onePage(listed.select(DELIVERY_COLUMNS).orderBy('id', 'desc'), f).execute(), total]);
      return { data: rows.map((r) => toPublicDelivery({ ...r, id: Number(r.id) })), total: n };
    },
    async delivery(id: number): Promise<(PublicDelivery & { payload: string }) | undefined> {
      const r = await db.selectFrom('webhook_deliveries').select([...DELIVERY_COLUMNS, 'payload']).where('id', '=', id).executeTakeFirst();
      return r && { ...toPublicDelivery({ ...r, id: Number(r.id) }), payload: r.payload };
    },
    /** A page of a delivery's attempts, oldest first. */
    async attempts(deliveryId: number, f: Paging): Promise<{ data: PublicAttempt[]; total: number }> {
      const q = db.selectFrom('webhook_attempts').where('delivery_id', '=', deliveryId);
      const [rows, total] = await Promise.all([onePage(q.select(ATTEMPT_COLUMNS).orderBy('attempt').orderBy('id'), f).execute(), countRows(q)]);
      return { data: rows.map(toPublicAttempt), total };
    },
    /** A delivery's last `n` attempts, oldest first. */
    async lastAttempts(deliveryId: number, n: number): Promise<PublicAttempt[]> {
      const rows = await db.selectFrom('webhook_attempts').select(ATTEMPT_COLUMNS).where('delivery_id', '=', deliveryId).orderBy('id', 'desc').limit(n).execute();
      return rows.reverse().map(toPublicAttempt);
    },
    /** Puts deliveries in the given statuses back in the queue, due now. */
    async requeue(where: { statuses: DeliveryStatus[]; id?: number; webhookId?: number; eventType?: string; since?: string; until?: string }, now: string): Promise<number> {
      let q = db
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', next_attempt_at: now, lease_until: null, leased_by: null, updated_at: now })
        .where('status', 'in', where.statuses);
      if (where.id !== undefined) q = q.where('id', '=', where.id);
      if (where.webhookId !== undefined) q = q.where('webhook_id', '=', where.webhookId);
      if (where.eventType !== undefined) q = q.where('event_type', '=', where.eventType);
      if (where.since) q = q.where('created_at', '>=', where.since);
      if (where.until) q = q.where('created_at', '<', where.until);
      return Number((await q.executeTakeFirst()).numUpdatedRows);
    },
  };
}
