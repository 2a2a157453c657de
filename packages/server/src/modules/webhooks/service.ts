import { inTransaction, sharedCacheMaxAgeMs, type AppContext } from '../../context.ts';
import { toInt } from '../../db/columns.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { ChangeFeed } from '../../events/changes.ts';
import type { ClaimedEvent, DispatchConsumer } from '../../events/dispatcher.ts';
import { newEventId } from '../../events/outbox.ts';
import { changeExisting, createNew, recordChange } from '../../events/record.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { checkEventFilters, matchesEvent } from './event-filters.ts';
import { sealHeaders } from './headers.ts';
import { webhookHealth } from './health.ts';
import type {
  BulkRetryInput,
  WebhookHealth,
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
import { pendingDelivery, toPublicWebhook, webhooksStore, type WebhookRow } from './store.ts';
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

declare module '../../events/changes.ts' {
  interface ChangeTopics {
    /** Endpoints changed (here, or the worker disabled one): the fan-out's and the worker's cached endpoints. */
    webhooks: Record<string, never>;
  }
}

/** What the operations below work with. */
interface Deps {
  db: AppContext['db'];
  dialect: AppContext['dialect'];
  clock: AppContext['clock'];
  box: SecretBox;
  settings: WebhookSettings;
  wakeWorker: () => void;
  /** Announces, after the commit, that this node changed an endpoint. */
  changed: () => void;
}

const notFound = (id: number) => new NotFoundError(`Webhook ${id}`, 'webhook_not_found');
const deliveryNotFound = (id: number) => new NotFoundError(`Delivery ${id}`, 'delivery_not_found');

/** An endpoint as its updates and deletes find it: the row, and what it shows at `now`. */
const existing = (id: number, now: Date) => ({
  load: (trx: Deps['db']) => webhooksStore(trx).find(id),
  notFound: () => notFound(id),
  view: (row: WebhookRow) => toPublicWebhook(row, now),
});

async function load(db: Deps['db'], id: number): Promise<WebhookRow> {
  const row = await webhooksStore(db).find(id);
  if (!row) throw notFound(id);
  return row;
}

function checkUrl(settings: WebhookSettings, url: string): string {
  return checkWebhookUrl(url, settings.ssrf).toString();
}

/**
 * Fans claimed outbox events out to matching active endpoints: one delivery row each, in the claim's transaction.
 * The active endpoints are cached; `forget` drops them.
 */
function createFanOut(ctx: AppContext, wakeWorker: () => void): { consumer: DispatchConsumer; forget(): void } {
  /** The active endpoints, each with its event filters parsed. */
  let activeCache: { id: number; filters: string[] }[] | undefined;
  let activeLoadedAt = 0;
  // Endpoints changed on another node reach this cache over the Redis bus; without one (PostgreSQL, no Redis) only
  // its age bounds how long this node fans out to an old list.
  const activeMaxAgeMs = sharedCacheMaxAgeMs(ctx, Infinity);
  const consumer: DispatchConsumer = {
    async claimed(trx, events: ClaimedEvent[], now) {
      if (!activeCache || Date.now() - activeLoadedAt >= activeMaxAgeMs) {
        activeLoadedAt = Date.now();
        activeCache = (await webhooksStore(trx).active()).map((w) => ({ id: w.id, filters: JSON.parse(w.events) as string[] }));
      }
      if (activeCache.length === 0) return;
      const at = now.toISOString();
      const rows = [];
      for (const e of events) {
        const event = { id: e.envelope.id, type: e.envelope.event, payload: e.json, createdAt: e.envelope.timestamp };
        for (const w of activeCache) {
          if (matchesEvent(w.filters, e.envelope.event)) rows.push(pendingDelivery(w.id, event, at));
        }
      }
      if (rows.length > 0) await webhooksStore(trx).insertDeliveries(ctx.dialect, rows);
    },
    committed(events) {
      if (events.length > 0 && activeCache?.length) wakeWorker();
    },
  };
  return {
    consumer,
    forget() {
      activeCache = undefined;
    },
  };
}

async function createWebhook(d: Deps, input: CreateWebhookInput, actor: Actor): Promise<PublicWebhook & { secret: string }> {
  const url = checkUrl(d.settings, input.url);
  checkEventFilters(input.events);
  checkHeaders(input.headers);
  const secret = input.secret ?? generateSecret();
  const now = d.clock.now();
  const at = now.toISOString();
  const created = await createNew(d.db, d.clock, {
    async write(trx) {
      const store = webhooksStore(trx);
      const id = await store.insert({
        url,
        events: JSON.stringify(input.events),
        secret_enc: d.box.seal(secret),
        previous_secret_enc: null,
        previous_secret_expires_at: null,
        active: toInt(input.active ?? true),
        description: input.description ?? null,
        headers: sealHeaders(d.box, input.headers ?? {}),
        disabled_reason: null,
        failing_since: null,
        created_at: at,
        updated_at: at,
      });
      return toPublicWebhook((await store.find(id))!, now);
    },
    record: (w) => ({ at, actor, action: 'webhook.create', target: { type: 'webhook', id: w.id }, after: w }),
    afterCommit: d.changed,
  });
  return { ...created, secret };
}

async function updateWebhook(d: Deps, id: number, input: UpdateWebhookInput, actor: Actor, ifMatch?: string): Promise<PublicWebhook> {
  const url = input.url === undefined ? undefined : checkUrl(d.settings, input.url);
  if (input.events) checkEventFilters(input.events);
  checkHeaders(input.headers);
  const now = d.clock.now();
  const at = now.toISOString();
  return changeExisting(d.db, d.clock, existing(id, now), ifMatch, {
    async write(trx, before, row) {
      const store = webhooksStore(trx);
      const reenabled = input.active === true && !before.active;
      await store.update(id, {
        ...(url !== undefined ? { url } : {}),
        ...(input.events ? { events: JSON.stringify(input.events) } : {}),
        ...(input.active !== undefined ? { active: toInt(input.active) } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.headers ? { headers: sealHeaders(d.box, input.headers, row.headers) } : {}),
        // Re-enabling is one call: it forgets why the endpoint was disabled.
        ...(reenabled ? { disabled_reason: null, failing_since: null } : {}),
        updated_at: at,
      });
      return toPublicWebhook((await store.find(id))!, now);
    },
    record: (before, after) => ({ at, actor, action: 'webhook.update', target: { type: 'webhook', id }, before, after }),
    afterCommit: d.changed,
  });
}

async function deleteWebhook(d: Deps, id: number, actor: Actor, ifMatch?: string): Promise<void> {
  const now = d.clock.now();
  await changeExisting(d.db, d.clock, existing(id, now), ifMatch, {
    write: (trx) => webhooksStore(trx).delete(id),
    record: (before) => ({ at: now.toISOString(), actor, action: 'webhook.delete', target: { type: 'webhook', id }, before }),
    afterCommit: d.changed,
  });
}

/**
 * A new secret; the old one keeps signing for the grace period (webhook-signature carries both, x-gatrix-signature
 * the old one). An old secret that cannot be decrypted (sealed with another encryption key) cannot sign: it is
 * dropped and the new one signs alone at once.
 */
async function rotateSecret(d: Deps, id: number, actor: Actor): Promise<PublicWebhook & { secret: string }> {
  const secret = generateSecret();
  const now = d.clock.now();
  const at = now.toISOString();
  const w = await changeExisting(d.db, d.clock, existing(id, now), undefined, {
    async write(trx, _before, row) {
      const store = webhooksStore(trx);
      const readable = d.box.tryOpen(row.secret_enc) !== undefined;
      await store.update(id, {
        secret_enc: d.box.seal(secret),
        previous_secret_enc: readable ? row.secret_enc : null,
        previous_secret_expires_at: readable ? new Date(now.getTime() + d.settings.rotationGraceMs).toISOString() : null,
        updated_at: at,
      });
      return toPublicWebhook((await store.find(id))!, now);
    },
    record: (_before, after) => ({ at, actor, action: 'webhook.rotate_secret', target: { type: 'webhook', id }, after }),
    afterCommit: d.changed,
  });
  return { ...w, secret };
}

/** Queues a `webhook.test` delivery to this endpoint only. */
async function queueTest(d: Deps, id: number, actor: Actor): Promise<PublicDelivery> {
  const now = d.clock.now();
  const at = now.toISOString();
  const delivery = await inTransaction(d.db, async (trx) => {
    const store = webhooksStore(trx);
    if (!(await store.find(id))) throw notFound(id);
    const eventId = newEventId(now);
    const payload = JSON.stringify({ id: eventId, event: 'webhook.test', timestamp: at, data: { webhookId: id } });
    await store.insertDeliveries(d.dialect, [pendingDelivery(id, { id: eventId, type: 'webhook.test', payload, createdAt: at }, at)]);
    const row = await trx.selectFrom('webhook_deliveries').select('id').where('webhook_id', '=', id).where('event_id', '=', eventId).executeTakeFirstOrThrow();
    await recordChange(trx, d.clock, { at, actor, action: 'webhook.test', target: { type: 'webhook', id } });
    return (await store.delivery(Number(row.id)))!;
  });
  d.wakeWorker();
  const { payload: _payload, ...rest } = delivery;
  return rest;
}

async function retryDelivery(d: Deps, id: number, actor: Actor): Promise<PublicDelivery> {
  const at = d.clock.now().toISOString();
  await inTransaction(d.db, async (trx) => {
    const store = webhooksStore(trx);
    const delivery = await store.delivery(id);
    if (!delivery) throw deliveryNotFound(id);
    if (delivery.status === 'delivering') throw new ValidationError('id', 'is being delivered right now');
    await store.requeue({ statuses: ['pending', 'failed', 'delivered'], id }, at);
    await recordChange(trx, d.clock, { at, actor, action: 'webhook.retry', target: { type: 'webhook_delivery', id } });
  });
  d.wakeWorker();
  const { payload: _payload, ...rest } = (await webhooksStore(d.db).delivery(id))!;
  return rest;
}

/** Re-queues every failed delivery of the endpoint created in [since, until). */
async function recoverDeliveries(d: Deps, id: number, since: string, until: string | undefined, actor: Actor): Promise<{ requeued: number }> {
  const s = new Date(since).toISOString();
  const u = until ? new Date(until).toISOString() : undefined;
  if (u && u <= s) throw new ValidationError('until', 'must be after since');
  const at = d.clock.now().toISOString();
  const requeued = await inTransaction(d.db, async (trx) => {
    if (!(await webhooksStore(trx).find(id))) throw notFound(id);
    const n = await webhooksStore(trx).requeue({ statuses: ['failed'], webhookId: id, since: s, until: u }, at);
    await recordChange(trx, d.clock, { at, actor, action: 'webhook.recover', target: { type: 'webhook', id }, after: { since: s, until: u ?? null, requeued: n } });
    return n;
  });
  d.wakeWorker();
  return { requeued };
}

/**
 * Sends again, now, every delivery of the endpoint matching the filter (default: the failed ones), like retrying
 * each one: back to pending, due now, lease cleared; one being delivered is left alone. One transaction, audited.
 */
async function retryDeliveries(d: Deps, id: number, input: BulkRetryInput, actor: Actor): Promise<{ retried: number }> {
  const status = input.status ?? 'failed';
  const since = input.since ? new Date(input.since).toISOString() : undefined;
  const until = input.until ? new Date(input.until).toISOString() : undefined;
  if (since && until && until <= since) throw new ValidationError('until', 'must be after since');
  const at = d.clock.now().toISOString();
  const retried = await inTransaction(d.db, async (trx) => {
    if (!(await webhooksStore(trx).find(id))) throw notFound(id);
    const n = await webhooksStore(trx).requeue({ statuses: [status], webhookId: id, eventType: input.eventType, since, until }, at);
    await recordChange(trx, d.clock, {
      at,
      actor,
      action: 'webhook.retry_bulk',
      target: { type: 'webhook', id },
      after: { status, eventType: input.eventType ?? null, since: since ?? null, until: until ?? null, retried: n },
    });
    return n;
  });
  if (retried > 0) d.wakeWorker();
  return { retried };
}

/** Endpoints, secrets and custom header values (sealed at rest), deliveries and their queue operations. The worker sends them. */
export function createWebhooksService(ctx: AppContext, changes: ChangeFeed, box: SecretBox, settings: WebhookSettings, wakeWorker: () => void) {
  const { db, clock } = ctx;
  const fanOut = createFanOut(ctx, wakeWorker);
  const d: Deps = { db, dialect: ctx.dialect, clock, box, settings, wakeWorker, changed: () => changes.publish('webhooks', {}) };

  return {
    fanOut: fanOut.consumer,
    /** Drop cached endpoints (this node or another changed one, or the worker disabled one). */
    forgetCached: fanOut.forget,

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
      return toPublicWebhook(await load(db, id), clock.now());
    },

    create: (input: CreateWebhookInput, actor: Actor) => createWebhook(d, input, actor),
    update: (id: number, input: UpdateWebhookInput, actor: Actor, ifMatch?: string) => updateWebhook(d, id, input, actor, ifMatch),
    delete: (id: number, actor: Actor, ifMatch?: string) => deleteWebhook(d, id, actor, ifMatch),
    rotateSecret: (id: number, actor: Actor) => rotateSecret(d, id, actor),
    test: (id: number, actor: Actor) => queueTest(d, id, actor),

    async deliveries(id: number, f: ListDeliveriesFilter): Promise<Page<PublicDelivery>> {
      await load(db, id);
      const { data, total } = await webhooksStore(db).deliveries(id, f);
      return page(data, f.page, f.limit, total);
    },

    async delivery(id: number): Promise<PublicDelivery & { payload: unknown; attemptsLog: PublicAttempt[] }> {
      const store = webhooksStore(db);
      const found = await store.delivery(id);
      if (!found) throw deliveryNotFound(id);
      return { ...found, payload: JSON.parse(found.payload) as unknown, attemptsLog: await store.lastAttempts(id, ATTEMPTS_SHOWN) };
    },

    async attempts(id: number, f: { page: number; limit: number }): Promise<Page<PublicAttempt>> {
      const store = webhooksStore(db);
      if (!(await store.delivery(id))) throw deliveryNotFound(id);
      const { data, total } = await store.attempts(id, f);
      return page(data, f.page, f.limit, total);
    },

    retry: (id: number, actor: Actor) => retryDelivery(d, id, actor),
    recover: (id: number, since: string, until: string | undefined, actor: Actor) => recoverDeliveries(d, id, since, until, actor),
    retryMany: (id: number, input: BulkRetryInput, actor: Actor) => retryDeliveries(d, id, input, actor),

    /** The health of one endpoint (404 when there is none). */
    async health(id: number): Promise<WebhookHealth> {
      return (await webhookHealth(db, [await load(db, id)], clock.now()))[0];
    },

    /** The health of every endpoint, in id order. */
    async healthAll(): Promise<WebhookHealth[]> {
      const rows = await db.selectFrom('webhooks').selectAll().orderBy('id').execute();
      return webhookHealth(db, rows.map((r) => ({ ...r, id: Number(r.id) })), clock.now());
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
