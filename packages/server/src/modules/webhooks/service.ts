import { inTransaction, sharedCacheMaxAgeMs, type AppContext } from '../../context.ts';
import { toInt } from '../../db/columns.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { checkIfMatch } from '../../core/etag.ts';
import { newEventId } from '../../events/outbox.ts';
import type { ClaimedEvent, DispatchConsumer } from '../../events/dispatcher.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { writeAudit } from '../audit/store.ts';
import { checkEventFilters, matchesEvent } from './event-filters.ts';
import { sealHeaders } from './headers.ts';
import type {
  CreateWebhookInput,
  ListDeliveriesFilter,
  ListWebhooksFilter,
  PublicAttempt,
  PublicDelivery,
  PublicWebhook,
  UpdateWebhookInput,
} from './schemas.ts';
import { generateSecret } from './signer.ts';
import { checkWebhookUrl, type SsrfOptions } from './ssrf.ts';
import { toPublicWebhook, webhooksStore, type WebhookRow } from './store.ts';
import { type Actor } from '../../core/permissions.ts';
import { page, type Page } from '../../core/paging.ts';

/**
 * Header names an endpoint's own headers may not use: the ones HTTP framing and the connection depend on, and
 * the ones Gatrix sets on every delivery (a custom copy would travel beside the real one or replace it).
 */
const RESERVED_HEADERS = new Set([
  'host',
  'transfer-encoding',
  'content-length',
  'connection',
  'te',
  'upgrade',
  'keep-alive',
  'trailer',
  'x-gatrix-event',
  'x-gatrix-delivery',
  'x-gatrix-signature',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

function checkHeaders(headers: Record<string, string> | undefined): void {
  for (const name of Object.keys(headers ?? {})) {
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower) || lower.startsWith('proxy-')) throw new ValidationError(`headers.${name}`, 'is set by Gatrix or by HTTP itself and cannot be a custom header');
  }
}

/** How many of a delivery's attempts (the last ones) its detail shows; all of them are paged by `attempts`. */
export const ATTEMPTS_SHOWN = 20;

export interface WebhookSettings {
  ssrf: SsrfOptions;
  /** How long the previous secret keeps signing after a rotation. */
  rotationGraceMs: number;
}

/** Endpoints, secrets and custom header values (sealed at rest), deliveries and their queue operations. The worker sends them. */
export function createWebhooksService(ctx: AppContext, box: SecretBox, settings: WebhookSettings, wakeWorker: () => void) {
  const { db, clock } = ctx;
  let activeCache: WebhookRow[] | undefined;
  let activeLoadedAt = 0;
  // Endpoints changed on another node reach this cache over the Redis bus; without one (PostgreSQL, no Redis) only
  // its age bounds how long this node fans out to an old list.
  const activeMaxAgeMs = sharedCacheMaxAgeMs(ctx, Infinity);
  const listeners: (() => void)[] = [];
  const changed = () => {
    activeCache = undefined;
    for (const l of listeners) l();
  };

  async function load(id: number): Promise<WebhookRow> {
    const row = await webhooksStore(db).find(id);
    if (!row) throw new NotFoundError(`Webhook ${id}`, 'webhook_not_found');
    return row;
  }

  function checkUrl(url: string): string {
    return checkWebhookUrl(url, settings.ssrf).toString();
  }

  /** Fans claimed outbox events out to matching active endpoints: one delivery row each, in the claim's transaction. */
  const fanOut: DispatchConsumer = {
    async claimed(trx, events: ClaimedEvent[], now) {
      if (!activeCache || Date.now() - activeLoadedAt >= activeMaxAgeMs) {
        activeLoadedAt = Date.now();
        activeCache = await webhooksStore(trx).active();
      }
      if (activeCache.length === 0) return;
      const at = now.toISOString();
      const rows = [];
      for (const e of events) {
        for (const w of activeCache) {
          if (!matchesEvent(JSON.parse(w.events) as string[], e.envelope.event)) continue;
          rows.push({
            webhook_id: w.id,
            event_id: e.envelope.id,
            event_type: e.envelope.event,
            payload: e.json,
            status: 'pending',
            attempts: 0,
            next_attempt_at: at,
            lease_until: null,
            leased_by: null,
            last_status_code: null,
            last_error: null,
            event_created_at: e.envelope.timestamp,
            created_at: at,
            updated_at: at,
            delivered_at: null,
          });
        }
      }
      if (rows.length > 0) await webhooksStore(trx).insertDeliveries(rows);
    },
    committed(events) {
      if (events.length > 0 && activeCache?.length) wakeWorker();
    },
  };

  return {
    fanOut,
    /** Drop cached endpoints (the worker disabled one, or another node changed one). */
    forgetCached(): void {
      activeCache = undefined;
    },
    /** Called after this node changed an endpoint. */
    onChange(listener: () => void): void {
      listeners.push(listener);
    },

    async list(f: ListWebhooksFilter): Promise<Page<PublicWebhook>> {
      const now = clock.now();
      const { rows, total } = await webhooksStore(db).list(f);
      return page(
        rows.map((r) => toPublicWebhook(r, now)),
        f.page,
        f.limit,
        total,
      );
    },

    async get(id: number): Promise<PublicWebhook> {
      return toPublicWebhook(await load(id), clock.now());
    },

    async create(input: CreateWebhookInput, actor: Actor): Promise<PublicWebhook & { secret: string }> {
      const url = checkUrl(input.url);
      checkEventFilters(input.events);
      checkHeaders(input.headers);
      const secret = input.secret ?? generateSecret();
      const now = clock.now();
      const at = now.toISOString();
      const created = await inTransaction(db, async (trx) => {
        const store = webhooksStore(trx);
        const id = await store.insert({
          url,
          events: JSON.stringify(input.events),
          secret_enc: box.seal(secret),
          previous_secret_enc: null,
          previous_secret_expires_at: null,
          active: toInt(input.active ?? true),
          description: input.description ?? null,
          headers: sealHeaders(box, input.headers ?? {}),
          disabled_reason: null,
          failing_since: null,
          created_at: at,
          updated_at: at,
        });
        const w = toPublicWebhook((await store.find(id))!, now);
        await writeAudit(trx, at, actor, { action: 'webhook.create', targetType: 'webhook', targetId: id, after: w });
        return w;
      });
      changed();
      return { ...created, secret };
    },

    async update(id: number, input: UpdateWebhookInput, actor: Actor, ifMatch?: string): Promise<PublicWebhook> {
      const url = input.url === undefined ? undefined : checkUrl(input.url);
      if (input.events) checkEventFilters(input.events);
      checkHeaders(input.headers);
      const now = clock.now();
      const at = now.toISOString();
      const after = await inTransaction(db, async (trx) => {
        const store = webhooksStore(trx);
        const row = await store.find(id);
        if (!row) throw new NotFoundError(`Webhook ${id}`, 'webhook_not_found');
        const before = toPublicWebhook(row, now);
        checkIfMatch(ifMatch, before);
        const reenabled = input.active === true && !before.active;
        await store.update(id, {
          ...(url !== undefined ? { url } : {}),
          ...(input.events ? { events: JSON.stringify(input.events) } : {}),
          ...(input.active !== undefined ? { active: toInt(input.active) } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.headers ? { headers: sealHeaders(box, input.headers, row.headers) } : {}),
          // Re-enabling is one call: it forgets why the endpoint was disabled.
          ...(reenabled ? { disabled_reason: null, failing_since: null } : {}),
          updated_at: at,
        });
        const w = toPublicWebhook((await store.find(id))!, now);
        await writeAudit(trx, at, actor, { action: 'webhook.update', targetType: 'webhook', targetId: id, before, after: w });
        return w;
      });
      changed();
      return after;
    },

    async delete(id: number, actor: Actor, ifMatch?: string): Promise<void> {
      const now = clock.now();
      await inTransaction(db, async (trx) => {
        const store = webhooksStore(trx);
        const row = await store.find(id);
        if (!row) throw new NotFoundError(`Webhook ${id}`, 'webhook_not_found');
        const before = toPublicWebhook(row, now);
        checkIfMatch(ifMatch, before);
        await store.delete(id);
        await writeAudit(trx, now.toISOString(), actor, { action: 'webhook.delete', targetType: 'webhook', targetId: id, before });
      });
      changed();
    },

    /**
     * A new secret; the old one keeps signing for the grace period (webhook-signature carries both, x-gatrix-signature
     * the old one). An old secret that cannot be decrypted (sealed with another encryption key) cannot sign: it is
     * dropped and the new one signs alone at once.
     */
    async rotateSecret(id: number, actor: Actor): Promise<PublicWebhook & { secret: string }> {
      const secret = generateSecret();
      const now = clock.now();
      const at = now.toISOString();
      const w = await inTransaction(db, async (trx) => {
        const store = webhooksStore(trx);
        const row = await store.find(id);
        if (!row) throw new NotFoundError(`Webhook ${id}`, 'webhook_not_found');
        const readable = box.tryOpen(row.secret_enc) !== undefined;
        await store.update(id, {
          secret_enc: box.seal(secret),
          previous_secret_enc: readable ? row.secret_enc : null,
          previous_secret_expires_at: readable ? new Date(now.getTime() + settings.rotationGraceMs).toISOString() : null,
          updated_at: at,
        });
        const after = toPublicWebhook((await store.find(id))!, now);
        await writeAudit(trx, at, actor, { action: 'webhook.rotate_secret', targetType: 'webhook', targetId: id, after });
        return after;
      });
      changed();
      return { ...w, secret };
    },

    /** Queues a `webhook.test` delivery to this endpoint only. */
    async test(id: number, actor: Actor): Promise<PublicDelivery> {
      const now = clock.now();
      const at = now.toISOString();
      const delivery = await inTransaction(db, async (trx) => {
        const store = webhooksStore(trx);
        if (!(await store.find(id))) throw new NotFoundError(`Webhook ${id}`, 'webhook_not_found');
        const eventId = newEventId(now);
        const payload = JSON.stringify({ id: eventId, event: 'webhook.test', timestamp: at, data: { webhookId: id } });
        await store.insertDeliveries([
          {
            webhook_id: id,
            event_id: eventId,
            event_type: 'webhook.test',
            payload,
            status: 'pending',
            attempts: 0,
            next_attempt_at: at,
            lease_until: null,
            leased_by: null,
            last_status_code: null,
            last_error: null,
            event_created_at: at,
            created_at: at,
            updated_at: at,
            delivered_at: null,
          },
        ]);
        const row = await trx.selectFrom('webhook_deliveries').select('id').where('webhook_id', '=', id).where('event_id', '=', eventId).executeTakeFirstOrThrow();
        await writeAudit(trx, at, actor, { action: 'webhook.test', targetType: 'webhook', targetId: id });
        return (await store.delivery(Number(row.id)))!;
      });
      wakeWorker();
      const { payload: _payload, ...rest } = delivery;
      return rest;
    },

    async deliveries(id: number, f: ListDeliveriesFilter): Promise<Page<PublicDelivery>> {
      await load(id);
      const { data, total } = await webhooksStore(db).deliveries(id, f);
      return page(data, f.page, f.limit, total);
    },

    async delivery(id: number): Promise<PublicDelivery & { payload: unknown; attemptsLog: PublicAttempt[] }> {
      const store = webhooksStore(db);
      const d = await store.delivery(id);
      if (!d) throw new NotFoundError(`Delivery ${id}`, 'delivery_not_found');
      return { ...d, payload: JSON.parse(d.payload) as unknown, attemptsLog: await store.lastAttempts(id, ATTEMPTS_SHOWN) };
    },

    async attempts(id: number, f: { page: number; limit: number }): Promise<Page<PublicAttempt>> {
      const store = webhooksStore(db);
      if (!(await store.delivery(id))) throw new NotFoundError(`Delivery ${id}`, 'delivery_not_found');
      const { data, total } = await store.attempts(id, f);
      return page(data, f.page, f.limit, total);
    },

    async retry(id: number, actor: Actor): Promise<PublicDelivery> {
      const at = clock.now().toISOString();
      await inTransaction(db, async (trx) => {
        const store = webhooksStore(trx);
        const d = await store.delivery(id);
        if (!d) throw new NotFoundError(`Delivery ${id}`, 'delivery_not_found');
        if (d.status === 'delivering') throw new ValidationError('id', 'is being delivered right now');
        await store.requeue({ statuses: ['pending', 'failed', 'delivered'], id }, at);
        await writeAudit(trx, at, actor, { action: 'webhook.retry', targetType: 'webhook_delivery', targetId: id });
      });
      wakeWorker();
      const { payload: _payload, ...rest } = (await webhooksStore(db).delivery(id))!;
      return rest;
    },

    /** Re-queues every failed delivery of the endpoint created in [since, until). */
    async recover(id: number, since: string, until: string | undefined, actor: Actor): Promise<{ requeued: number }> {
      const s = new Date(since).toISOString();
      const u = until ? new Date(until).toISOString() : undefined;
      if (u && u <= s) throw new ValidationError('until', 'must be after since');
      const at = clock.now().toISOString();
      const requeued = await inTransaction(db, async (trx) => {
        if (!(await webhooksStore(trx).find(id))) throw new NotFoundError(`Webhook ${id}`, 'webhook_not_found');
        const n = await webhooksStore(trx).requeue({ statuses: ['failed'], webhookId: id, since: s, until: u }, at);
        await writeAudit(trx, at, actor, { action: 'webhook.recover', targetType: 'webhook', targetId: id, after: { since: s, until: u ?? null, requeued: n } });
        return n;
      });
      wakeWorker();
      return { requeued };
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
