import http from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { WebhookConfig } from '../../config.ts';
import { inTransaction } from '../../context.ts';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { Db } from '../../db/index.ts';
import type { Dialect } from '../../db/dialect.ts';
import { writeEvent } from '../../events/outbox.ts';
import { signDelivery } from './signer.ts';
import { checkWebhookUrl, guardedLookup, type SsrfOptions } from './ssrf.ts';
import { webhooksStore, type WebhookRow } from './store.ts';

const MAX_BODY = 20 * 1024;
const USER_AGENT = 'Gatrix-Webhooks/1.0 (+https://github.com/motifgames/gatrix)';
const RETRY_AFTER_MAX_MS = 24 * 3600 * 1000;

interface Claimed {
  id: number;
  webhookId: number;
  eventId: string;
  eventType: string;
  payload: string;
  attempts: number;
  eventCreatedAt: string;
}

interface AttemptResult {
  delivery: Claimed;
  requestHeaders: Record<string, string>;
  status: number | null;
  headers: Record<string, string> | null;
  body: string | null;
  durationMs: number;
  error: string | null;
  retryAfterMs?: number;
  /** The endpoint is gone or disabled: no HTTP call was made. */
  skipped?: boolean;
}

/** Counters for monitoring (issue: monitoring). */
export interface DeliveryStats {
  attempts: number;
  delivered: number;
  failedAttempts: number;
  exhausted: number;
  inFlight: number;
  /** Event commit → successful delivery, ms, of recent deliveries. */
  latenciesMs: number[];
}

export interface WorkerDeps {
  db: Db;
  dialect: Dialect;
  clock: Clock;
  log: Logger;
  box: SecretBox;
  config: WebhookConfig;
  ssrf: SsrfOptions;
  /** Called after the worker disabled an endpoint (caches must forget it). */
  onDisabled: () => void;
}

/** ±20% jitter, so endpoints that failed together do not retry together. */
function jitter(ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}

function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const ms = /^\d+$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 1000), RETRY_AFTER_MAX_MS) : undefined;
}

/**
 * Sends due deliveries. Deliveries are claimed in the database with a lease (FOR UPDATE SKIP LOCKED on
 * PostgreSQL), so several nodes never make the same attempt, and one whose worker died is retried when its
 * lease runs out. No transaction is held across an HTTP call; results are recorded in batches.
 */
export function createDeliveryWorker(deps: WorkerDeps) {
  const { db, dialect, clock, log, box, config } = deps;
  // A claimed delivery may queue for its endpoint's slots, but at most `concurrency` are held, so it is sent within
  // ceil(concurrency / concurrencyPerEndpoint) attempt timeouts (4 with the defaults); the minute covers recording.
  const leaseMs = Math.ceil(config.concurrency / config.concurrencyPerEndpoint) * config.timeoutMs + 60_000;
  const lookup = guardedLookup(deps.ssrf);
  const agents = new Map<string, http.Agent>();
  const hooks = new Map<number, { row: WebhookRow | undefined; at: number }>();
  const perEndpoint = new Map<number, number>();
  const waiting = new Map<number, Claimed[]>();
  const results: AttemptResult[] = [];
  const stats: DeliveryStats = { attempts: 0, delivered: 0, failedAttempts: 0, exhausted: 0, inFlight: 0, latenciesMs: [] };
  let pumping: Promise<void> | undefined;
  let pumpAgain = false;
  let flushing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let inFlight = 0;
  /** Claimed deliveries waiting for a free slot of their endpoint: they hold leases too, so they count against `concurrency`. */
  let queued = 0;

  async function hook(id: number): Promise<WebhookRow | undefined> {
    const hit = hooks.get(id);
    if (hit && Date.now() - hit.at < 5000) return hit.row;
    const row = await webhooksStore(db).find(id);
    hooks.set(id, { row, at: Date.now() });
    return row;
  }

  function agentFor(url: URL): http.Agent {
    let agent = agents.get(url.origin);
    if (!agent) {
      const opts = { keepAlive: true, maxSockets: config.concurrencyPerEndpoint, lookup };
      agent = url.protocol === 'https:' ? new https.Agent(opts) : new http.Agent(opts);
      agents.set(url.origin, agent);
    }
    return agent;
  }

  async function claim(limit: number): Promise<Claimed[]> {
    const now = clock.now();
    const at = now.toISOString();
    const lease = new Date(now.getTime() + leaseMs).toISOString();
    const rows = await db
      .updateTable('webhook_deliveries')
      .set({ status: 'delivering', lease_until: lease, updated_at: at })
      .where('id', 'in', (eb) => {
        let q = eb
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('status', 'in', ['pending', 'delivering'])
          .where('next_attempt_at', '<=', at)
          .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<', at)]))
          .orderBy('next_attempt_at')
          .limit(limit);
        if (dialect === 'postgres') q = q.forUpdate().skipLocked();
        return q;
      })
      .returning(['id', 'webhook_id', 'event_id', 'event_type', 'payload', 'attempts', 'event_created_at'])
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      webhookId: Number(r.webhook_id),
      eventId: r.event_id,
      eventType: r.event_type,
      payload: r.payload,
      attempts: Number(r.attempts),
      eventCreatedAt: r.event_created_at,
    }));
  }

  function post(url: URL, headers: Record<string, string>, body: string): Promise<Omit<AttemptResult, 'delivery' | 'requestHeaders' | 'durationMs'>> {
    return new Promise((resolve) => {
      const client = url.protocol === 'https:' ? https : http;
      let settled = false;
      const done = (r: Omit<AttemptResult, 'delivery' | 'requestHeaders' | 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(total);
        resolve(r);
      };
      const req = client.request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: agentFor(url) }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_BODY) chunks.push(c.subarray(0, MAX_BODY - size));
          size += c.length;
        });
        res.on('end', () => {
          const flat: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
          done({
            status: res.statusCode ?? 0,
            headers: flat,
            body: Buffer.concat(chunks).toString('utf8'),
            error: null,
            retryAfterMs: retryAfterMs(flat['retry-after'], Date.now()),
          });
        });
        res.on('error', (err) => done({ status: res.statusCode ?? null, headers: null, body: null, error: err.message }));
      });
      const total = setTimeout(() => req.destroy(new Error(`timed out after ${config.timeoutMs} ms`)), config.timeoutMs);
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        const t = setTimeout(() => req.destroy(new Error(`could not connect within ${config.connectTimeoutMs} ms`)), config.connectTimeoutMs);
        socket.once('connect', () => clearTimeout(t));
        socket.once('close', () => clearTimeout(t));
      });
      req.on('error', (err) => done({ status: null, headers: null, body: null, error: err.message }));
      req.end(body);
    });
  }

  async function attempt(d: Claimed): Promise<void> {
    const started = Date.now();
    const w = await hook(d.webhookId);
    if (!w || !w.active) {
      results.push({ delivery: d, requestHeaders: {}, status: null, headers: null, body: null, durationMs: 0, error: 'the endpoint is disabled or deleted', skipped: true });
      return;
    }
    const now = clock.now();
    const secrets = [box.open(w.secret_enc)];
    if (w.previous_secret_enc && w.previous_secret_expires_at && w.previous_secret_expires_at > now.toISOString()) secrets.push(box.open(w.previous_secret_enc));
    const requestHeaders: Record<string, string> = {
      ...(JSON.parse(w.headers) as Record<string, string>),
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      ...signDelivery({ secrets, eventId: d.eventId, eventType: d.eventType, deliveryId: d.id, body: d.payload, now }),
    };
    let url: URL;
    try {
      // The lookup guards names at connect time; a literal IP never reaches it, so check the URL too.
      url = checkWebhookUrl(w.url, deps.ssrf);
    } catch (err) {
      results.push({ delivery: d, requestHeaders: {}, status: null, headers: null, body: null, durationMs: 0, error: (err as Error).message });
      return;
    }
    const r = await post(url, requestHeaders, d.payload);
    stats.attempts++;
    const shown = { ...requestHeaders };
    delete shown['x-gatrix-signature'];
    delete shown['webhook-signature'];
    results.push({ delivery: d, requestHeaders: shown, durationMs: Date.now() - started, ...r });
  }

  async function record(batch: AttemptResult[]): Promise<void> {
    const now = clock.now();
    const at = now.toISOString();
    let disabled = false;
    await inTransaction(db, async (trx) => {
      const store = webhooksStore(trx);
      for (const r of batch) {
        const d = r.delivery;
        const attemptNo = d.attempts + 1;
        if (!r.skipped) {
          await trx
            .insertInto('webhook_attempts')
            .values({
              delivery_id: d.id,
              attempt: attemptNo,
              request_headers: JSON.stringify(r.requestHeaders),
              response_status: r.status,
              response_headers: r.headers ? JSON.stringify(r.headers) : null,
              response_body: r.body,
              duration_ms: r.durationMs,
              error: r.error,
              created_at: at,
            })
            .execute();
        }
        const ok = r.status !== null && r.status >= 200 && r.status < 300;
        const base = { attempts: r.skipped ? d.attempts : attemptNo, lease_until: null, last_status_code: r.status, last_error: r.error, updated_at: at };
        if (ok) {
          stats.delivered++;
          stats.latenciesMs.push(now.getTime() - Date.parse(d.eventCreatedAt));
          if (stats.latenciesMs.length > 10_000) stats.latenciesMs.splice(0, 5_000);
          await trx.updateTable('webhook_deliveries').set({ ...base, status: 'delivered', delivered_at: at, next_attempt_at: null }).where('id', '=', d.id).execute();
          await trx.updateTable('webhooks').set({ failing_since: null }).where('id', '=', d.webhookId).where('failing_since', 'is not', null).execute();
          continue;
        }
        if (!r.skipped) stats.failedAttempts++;
        const gone = r.status === 410;
        const delay = r.retryAfterMs ?? (config.retryScheduleMs[attemptNo - 1] === undefined ? undefined : jitter(config.retryScheduleMs[attemptNo - 1]));
        const retry = !gone && !r.skipped && delay !== undefined;
        if (!retry) stats.exhausted++;
        await trx
          .updateTable('webhook_deliveries')
          .set({ ...base, status: retry ? 'pending' : 'failed', next_attempt_at: retry ? new Date(now.getTime() + delay).toISOString() : null })
          .where('id', '=', d.id)
          .execute();
        if (r.skipped) continue;
        const w = await store.find(d.webhookId);
        if (!w || !w.active) continue;
        const failingSince = w.failing_since ?? at;
        const reason = gone ? 'gone' : now.getTime() - Date.parse(failingSince) >= config.disableAfterMs ? 'failing' : undefined;
        await store.update(d.webhookId, reason ? { active: 0, disabled_reason: reason, failing_since: failingSince, updated_at: at } : { failing_since: failingSince });
        if (reason) {
          disabled = true;
          hooks.delete(d.webhookId);
          await writeEvent(trx, clock, 'webhook.disabled', { webhookId: d.webhookId, url: w.url, reason });
          log.warn({ webhookId: d.webhookId, reason }, 'webhook endpoint disabled');
        }
      }
    });
    if (disabled) deps.onDisabled();
  }

  function flushSoon(): void {
    if (flushing) return;
    flushing = (async () => {
      while (results.length > 0) {
        const batch = results.splice(0, 500);
        try {
          await record(batch);
        } catch (err) {
          // The leases run out and the deliveries are retried: at-least-once, never lost.
          log.error({ err }, 'could not record webhook attempts');
        }
      }
    })().finally(() => {
      flushing = undefined;
      if (results.length > 0) flushSoon();
      else void worker.wake();
    });
  }

  function start(d: Claimed): void {
    const n = perEndpoint.get(d.webhookId) ?? 0;
    if (n >= config.concurrencyPerEndpoint) {
      waiting.set(d.webhookId, [...(waiting.get(d.webhookId) ?? []), d]);
      queued++;
      return;
    }
    perEndpoint.set(d.webhookId, n + 1);
    inFlight++;
    stats.inFlight = inFlight;
    attempt(d)
      .catch((err: unknown) => {
        log.error({ err, deliveryId: d.id }, 'webhook attempt crashed');
        results.push({ delivery: d, requestHeaders: {}, status: null, headers: null, body: null, durationMs: 0, error: String(err) });
      })
      .finally(() => {
        inFlight--;
        stats.inFlight = inFlight;
        perEndpoint.set(d.webhookId, (perEndpoint.get(d.webhookId) ?? 1) - 1);
        const next = waiting.get(d.webhookId)?.shift();
        if (next) {
          queued--;
          start(next);
        }
        flushSoon();
      });
  }

  async function pump(): Promise<void> {
    do {
      pumpAgain = false;
      while (!stopped && inFlight + queued < config.concurrency) {
        const batch = await claim(Math.min(200, config.concurrency - inFlight - queued));
        for (const d of batch) start(d);
        if (batch.length === 0) break;
      }
    } while (pumpAgain && !stopped);
  }

  const worker = {
    stats,
    /** Look for due deliveries now. */
    wake(): Promise<void> {
      if (stopped) return Promise.resolve();
      if (pumping) {
        pumpAgain = true;
        return pumping;
      }
      pumping = pump()
        .catch((err: unknown) => log.error({ err }, 'webhook claim failed'))
        .finally(() => (pumping = undefined));
      return pumping;
    },
    /** Forget cached endpoints (one changed). */
    forget(): void {
      hooks.clear();
    },
    start(pollMs = 1000): void {
      stopped = false;
      timer ??= setInterval(() => void worker.wake(), pollMs);
      timer.unref();
      void worker.wake();
    },
    /** Stops claiming, lets in-flight attempts finish and records them. */
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      timer = undefined;
      await pumping;
      while (inFlight > 0 || flushing || results.length > 0) {
        if (results.length > 0) flushSoon();
        // Wait on a timer while attempts are in flight: a flush with nothing to record settles in microtasks, and
        // awaiting only that in this loop would never let the event loop run the I/O those attempts wait for.
        await (flushing ?? new Promise((r) => setTimeout(r, 10)));
      }
      for (const a of agents.values()) a.destroy();
      agents.clear();
    },
    /** Deletes finished deliveries (and their attempts) older than the retention, a batch at a time. */
    async prune(): Promise<number> {
      const cutoff = new Date(clock.now().getTime() - config.retentionMs).toISOString();
      let total = 0;
      for (;;) {
        const ids = (
          await db.selectFrom('webhook_deliveries').select('id').where('status', 'in', ['delivered', 'failed']).where('created_at', '<', cutoff).limit(1000).execute()
        ).map((r) => Number(r.id));
        if (ids.length === 0) return total;
        await db.deleteFrom('webhook_attempts').where('delivery_id', 'in', ids).execute();
        await db.deleteFrom('webhook_deliveries').where('id', 'in', ids).execute();
        total += ids.length;
        await new Promise((r) => setImmediate(r));
      }
    },
  };
  return worker;
}

export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;
