import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.ts';
import type { WebhookConfig } from '../../config.ts';
import { inTransaction } from '../../context.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import type { Db } from '../../db/index.ts';
import type { Dialect } from '../../db/dialect.ts';
import { writeEvent } from '../../events/outbox.ts';
import { maskedHeaders, openHeaders } from './headers.ts';
import { nextRetryDelay, parseRetryAfter } from './retry-policy.ts';
import { signDelivery } from './signer.ts';
import { checkWebhookUrl, guardedLookup, type SsrfOptions } from './ssrf.ts';
import { webhooksStore, type WebhookRow } from './store.ts';

const MAX_BODY = 20 * 1024;
const USER_AGENT = 'Gatrix-Webhooks/1.0 (+https://github.com/motifgames/gatrix)';
/** Most deliveries one claim takes. */
const CLAIM_MAX = 200;
/** Finished attempts are recorded together: at most this long after the first of them finished… */
const FLUSH_DELAY_MS = 10;
/** …or at once when this many are waiting. */
const FLUSH_BATCH = 500;
/** Sent with every attempt, after the endpoint's own headers. */
const FIXED_HEADERS = { 'content-type': 'application/json', 'user-agent': USER_AGENT };
/** How often a node records that its worker is alive… */
const HEARTBEAT_MS = 5_000;
/** …and how long after its last heartbeat another node takes over its deliveries. */
const NODE_STALE_MS = 15_000;
/** Header values that must not be kept with an attempt. */
const SIGNATURE_HEADERS = new Set(['x-gatrix-signature', 'webhook-signature']);

interface Claimed {
  id: number;
  webhookId: number;
  eventId: string;
  eventType: string;
  payload: string;
  attempts: number;
  eventCreatedAt: string;
}

/** What every attempt to one endpoint needs: its checked URL (or why nothing can be sent to it), headers and open secrets. */
interface Prepared {
  url: URL | string;
  /** The endpoint's own headers, then content-type and user-agent. */
  headers: Record<string, string>;
  /** The same, as attempt logs show them: the endpoint's own header values masked. */
  shownHeaders: Record<string, string>;
  secret: string;
  /** The secret before the last rotation, signing too until `until` (absent when it cannot be decrypted). */
  previous?: { secret: string; until: string };
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
  readonly inFlight: number;
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

/**
 * Sends due deliveries. Deliveries are claimed in the database with a lease (FOR UPDATE SKIP LOCKED on
 * PostgreSQL), so several nodes never make the same attempt. Each worker is a node with a heartbeat: a delivery
 * leased by a node whose heartbeat stopped (it died) is taken over by the poll of another node within
 * NODE_STALE_MS, and on SQLite, where the data-dir lock makes this process the only one, the previous run's leases
 * are released at start. A lease also runs out by itself (a live node that could not record an attempt). No
 * transaction is held across an HTTP call; results are recorded in batches.
 */
export function createDeliveryWorker(deps: WorkerDeps) {
  const { db, dialect, clock, log, box, config } = deps;
  // A claimed delivery may queue for its endpoint's slots, but at most `concurrency` are held, so it is sent within
  // ceil(concurrency / concurrencyPerEndpoint) attempt timeouts (4 with the defaults); the minute covers recording.
  const leaseMs = Math.ceil(config.concurrency / config.concurrencyPerEndpoint) * config.timeoutMs + 60_000;
  const lookup = guardedLookup(deps.ssrf);
  const nodeId = `${os.hostname().slice(0, 40)}:${process.pid}:${randomBytes(4).toString('hex')}`;
  /** Settles once this node's row is written (and, on SQLite, the previous run's leases are released). */
  let registered: Promise<void> | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  const agents = new Map<string, http.Agent>();
  const hooks = new Map<number, { row: WebhookRow | undefined; at: number; prepared?: Prepared }>();
  const perEndpoint = new Map<number, number>();
  const waiting = new Map<number, Claimed[]>();
  const results: AttemptResult[] = [];
  const stats: DeliveryStats = {
    attempts: 0,
    delivered: 0,
    failedAttempts: 0,
    exhausted: 0,
    get inFlight() {
      return inFlight;
    },
  };
  /** Told of each successful delivery: ms from the event's commit (metrics). */
  const deliveredListeners: ((latencyMs: number) => void)[] = [];
  // While attempts are in flight, a finished one does not claim its replacement by itself: the worker claims again
  // once a quarter of its slots (at most a claim's worth) are free, so a busy worker makes one claim per batch of
  // deliveries, not one per delivery. New deliveries (a commit that fanned out, a retry, the poll) claim at once.
  const refillAt = Math.max(1, Math.min(CLAIM_MAX, Math.floor(config.concurrency / 4)));
  let pumping: Promise<void> | undefined;
  let pumpAgain = false;
  /** New or newly due deliveries may be waiting: claim even if few slots are free. */
  let urgent = false;
  /** The last claim got all it asked for, so more may be due: refill as slots free up. */
  let more = false;
  /** The next claim also takes deliveries whose lease ran out (set by the poll). */
  let sweep = false;
  let flushing: Promise<void> | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let inFlight = 0;
  /** Claimed deliveries waiting for a free slot of their endpoint: they hold leases too, so they count against `concurrency`. */
  let queued = 0;

  /** An active endpoint's row with what every attempt needs from it, cached for 5 s like the row. */
  async function hook(id: number): Promise<Prepared | undefined> {
    let hit = hooks.get(id);
    if (!hit || Date.now() - hit.at >= 5000) {
      hit = { row: await webhooksStore(db).find(id), at: Date.now() };
      hooks.set(id, hit);
    }
    const w = hit.row;
    if (!w || !w.active) return undefined;
    if (!hit.prepared) {
      let url: URL | string;
      try {
        // The lookup guards names at connect time; a literal IP never reaches it, so check the URL too.
        url = checkWebhookUrl(w.url, deps.ssrf);
      } catch (err) {
        url = (err as Error).message;
      }
      // A secret sealed with another encryption key cannot sign: without the current one nothing is sent (rotating
      // the secret mends the endpoint); without the previous one, the current one signs alone.
      const secret = box.tryOpen(w.secret_enc);
      if (secret === undefined) url = "the endpoint's secret cannot be decrypted with this GATRIX_ENCRYPTION_KEY; rotate its secret";
      const previous = w.previous_secret_enc && w.previous_secret_expires_at ? box.tryOpen(w.previous_secret_enc) : undefined;
      const headers = openHeaders(box, w.headers);
      if (headers === undefined) url = "the endpoint's header values cannot be decrypted with this GATRIX_ENCRYPTION_KEY; set them again";
      hit.prepared = {
        url,
        headers: { ...headers, ...FIXED_HEADERS },
        shownHeaders: { ...maskedHeaders(w.headers), ...FIXED_HEADERS },
        secret: secret ?? '',
        previous: previous === undefined ? undefined : { secret: previous, until: w.previous_secret_expires_at! },
      };
    }
    return hit.prepared;
  }

  /** Writes this node's heartbeat (the row again, if another node removed it while this one was stalled). */
  async function beat(): Promise<void> {
    const at = clock.now().toISOString();
    await db
      .insertInto('webhook_nodes')
      .values({ id: nodeId, started_at: at, heartbeat_at: at })
      .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeat_at: at }))
      .execute();
  }

  /** Once per start (again after a failure): the heartbeat row, forgetting dead nodes, and on SQLite the previous run's leases. */
  function register(): Promise<void> {
    registered ??= (async () => {
      await beat();
      await db.deleteFrom('webhook_nodes').where('heartbeat_at', '<', new Date(clock.now().getTime() - NODE_STALE_MS).toISOString()).execute();
      // One process per SQLite database (the data-dir lock): whatever is still leased was leased by a run that died.
      if (dialect === 'sqlite') {
        const released = await db
          .updateTable('webhook_deliveries')
          .set({ status: 'pending', lease_until: null, leased_by: null, updated_at: clock.now().toISOString() })
          .where('status', '=', 'delivering')
          .executeTakeFirst();
        if (released.numUpdatedRows > 0n) log.info({ released: Number(released.numUpdatedRows) }, 'released the webhook deliveries the previous run had in flight');
      }
    })().catch((err: unknown) => {
      registered = undefined;
      throw err;
    });
    return registered;
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

  /**
   * Leases up to `limit` due `pending` deliveries, in due order; with `expired`, first those whose lease ran out
   * (a crashed worker's) or whose node stopped beating. Two statements rather than one with an OR, so that the pending ones are read in the
   * order of the (status, next_attempt_at) index and the read stops after `limit` rows instead of sorting the
   * whole due backlog; and the expired ones, which need a look at every leased row, are only looked for by the
   * poll (leases last a minute or more, so the poll interval adds little to a crash's recovery).
   */
  async function claim(limit: number, expired: boolean): Promise<Claimed[]> {
    const now = clock.now();
    const at = now.toISOString();
    const lease = new Date(now.getTime() + leaseMs).toISOString();
    const stale = new Date(now.getTime() - NODE_STALE_MS).toISOString();
    const take = async (status: 'pending' | 'delivering', n: number) => {
      const rows = await db
        .updateTable('webhook_deliveries')
        .set({ status: 'delivering', lease_until: lease, leased_by: nodeId, updated_at: at })
        .where('id', 'in', (eb) => {
          let q = eb
            .selectFrom('webhook_deliveries')
            .select('id')
            .where('status', '=', status)
            .where('next_attempt_at', '<=', at)
            .where((w) =>
              status === 'pending'
                ? w.or([w('lease_until', 'is', null), w('lease_until', '<', at)])
                : w.or([
                    w('lease_until', '<', at),
                    // Leased by another node that stopped beating (a null leased_by is not matched: only its lease ends it).
                    w.and([
                      w('leased_by', '<>', nodeId),
                      w('leased_by', 'not in', w.selectFrom('webhook_nodes').select('webhook_nodes.id').where('webhook_nodes.heartbeat_at', '>=', stale)),
                    ]),
                  ]),
            )
            .orderBy('next_attempt_at')
            .limit(n);
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
    };
    const rescued = expired ? await take('delivering', limit) : [];
    return rescued.length < limit ? [...rescued, ...(await take('pending', limit - rescued.length))] : rescued;
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
            retryAfterMs: parseRetryAfter(flat['retry-after'], Date.now()),
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
    if (!w) {
      results.push({ delivery: d, requestHeaders: {}, status: null, headers: null, body: null, durationMs: 0, error: 'the endpoint is disabled or deleted', skipped: true });
      return;
    }
    if (typeof w.url === 'string') {
      results.push({ delivery: d, requestHeaders: {}, status: null, headers: null, body: null, durationMs: 0, error: w.url });
      return;
    }
    const now = clock.now();
    const secrets = w.previous && w.previous.until > now.toISOString() ? [w.secret, w.previous.secret] : [w.secret];
    const signed = signDelivery({ secrets, eventId: d.eventId, eventType: d.eventType, deliveryId: d.id, body: d.payload, now });
    const r = await post(w.url, { ...w.headers, ...signed }, d.payload);
    stats.attempts++;
    const shown: Record<string, string> = { ...w.shownHeaders };
    for (const [k, v] of Object.entries(signed)) if (!SIGNATURE_HEADERS.has(k)) shown[k] = v;
    results.push({ delivery: d, requestHeaders: shown, durationMs: Date.now() - started, ...r });
  }

  /**
   * Records finished attempts in one transaction: their attempt rows in multi-row inserts, the deliveries that
   * succeeded in one update per (status code, attempt number) — one in practice — and the endpoints that
   * succeeded in one update; a failure still takes its own statements (retry time, endpoint failing/disabled).
   */
  async function record(finished: AttemptResult[]): Promise<void> {
    const now = clock.now();
    const at = now.toISOString();
    let disabled = false;
    await inTransaction(db, async (trx) => {
      const store = webhooksStore(trx);
      // A delivery deleted meanwhile (with its endpoint) has nothing left to record, and its attempt row would
      // fail the whole batch on the foreign key.
      const existing = await store.existingDeliveries(finished.map((r) => r.delivery.id));
      const batch = finished.filter((r) => existing.has(r.delivery.id));
      await store.insertAttempts(
        batch
          .filter((r) => !r.skipped)
          .map((r) => ({
            delivery_id: r.delivery.id,
            attempt: r.delivery.attempts + 1,
            request_headers: JSON.stringify(r.requestHeaders),
            response_status: r.status,
            response_headers: r.headers ? JSON.stringify(r.headers) : null,
            response_body: r.body,
            duration_ms: r.durationMs,
            error: r.error,
            created_at: at,
          })),
      );
      const delivered = new Map<string, { status: number; attempts: number; ids: number[] }>();
      // Endpoints that succeeded in this batch: their failing streak ends. Cleared at the end in one statement, or
      // before a later failure of the same endpoint in the batch is recorded, so the outcome is as if in order.
      const succeeded = new Set<number>();
      const clearFailing = (ids: number[]) =>
        store.updateMany(ids, { failing_since: null }, (q) => q.where('failing_since', 'is not', null));
      for (const r of batch) {
        const d = r.delivery;
        const attemptNo = d.attempts + 1;
        const ok = r.status !== null && r.status >= 200 && r.status < 300;
        if (ok) {
          stats.delivered++;
          const latencyMs = now.getTime() - Date.parse(d.eventCreatedAt);
          for (const listener of deliveredListeners) listener(latencyMs);
          const key = `${r.status}/${attemptNo}`;
          const group = delivered.get(key) ?? delivered.set(key, { status: r.status!, attempts: attemptNo, ids: [] }).get(key)!;
          group.ids.push(d.id);
          succeeded.add(d.webhookId);
          continue;
        }
        const base = { attempts: r.skipped ? d.attempts : attemptNo, lease_until: null, leased_by: null, last_status_code: r.status, last_error: r.error, updated_at: at };
        if (!r.skipped) stats.failedAttempts++;
        const gone = r.status === 410;
        const delay = r.skipped ? undefined : nextRetryDelay({ attempt: attemptNo, schedule: config.retryScheduleMs, gone, retryAfterMs: r.retryAfterMs, random: Math.random() });
        const retry = delay !== undefined;
        if (!retry) stats.exhausted++;
        await trx
          .updateTable('webhook_deliveries')
          .set({ ...base, status: retry ? 'pending' : 'failed', next_attempt_at: retry ? new Date(now.getTime() + delay).toISOString() : null })
          .where('id', '=', d.id)
          .execute();
        if (r.skipped) continue;
        if (succeeded.delete(d.webhookId)) await clearFailing([d.webhookId]);
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
      for (const g of delivered.values()) {
        await store.updateDeliveries(g.ids, {
          status: 'delivered',
          attempts: g.attempts,
          lease_until: null,
          leased_by: null,
          last_status_code: g.status,
          last_error: null,
          next_attempt_at: null,
          delivered_at: at,
          updated_at: at,
        });
      }
      if (succeeded.size > 0) await clearFailing([...succeeded]);
    });
    if (disabled) deps.onDisabled();
  }

  /** Records what finished, soon: in one batch with whatever else finishes in the meantime. */
  function flushSoon(): void {
    if (flushing || flushTimer) return;
    if (results.length >= FLUSH_BATCH) flushNow();
    else flushTimer = setTimeout(flushNow, FLUSH_DELAY_MS);
  }

  function flushNow(): void {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    if (flushing) return;
    flushing = (async () => {
      while (results.length > 0) {
        const batch = results.splice(0, FLUSH_BATCH);
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
      else refill();
    });
  }

  function start(d: Claimed): void {
    const n = perEndpoint.get(d.webhookId) ?? 0;
    if (n >= config.concurrencyPerEndpoint) {
      const queue = waiting.get(d.webhookId);
      if (queue) queue.push(d);
      else waiting.set(d.webhookId, [d]);
      queued++;
      return;
    }
    perEndpoint.set(d.webhookId, n + 1);
    inFlight++;
    attempt(d)
      .catch((err: unknown) => {
        log.error({ err, deliveryId: d.id }, 'webhook attempt crashed');
        results.push({ delivery: d, requestHeaders: {}, status: null, headers: null, body: null, durationMs: 0, error: String(err) });
      })
      .finally(() => {
        inFlight--;
        perEndpoint.set(d.webhookId, (perEndpoint.get(d.webhookId) ?? 1) - 1);
        const queue = waiting.get(d.webhookId);
        const next = queue?.shift();
        if (queue?.length === 0) waiting.delete(d.webhookId);
        if (next) {
          queued--;
          start(next);
        }
        flushSoon();
        refill();
      });
  }

  /** Claims more when enough slots are free (see refillAt) and the last claim left some; new work goes through wake(). */
  function refill(): void {
    if (!stopped && more && config.concurrency - inFlight - queued >= (inFlight + queued === 0 ? 1 : refillAt)) void pumpSoon(false);
  }

  async function pump(): Promise<void> {
    // Another node judges this node's leases by its heartbeat row: none is taken before the row exists.
    await register();
    do {
      pumpAgain = false;
      let force = urgent;
      urgent = false;
      while (!stopped) {
        const free = config.concurrency - inFlight - queued;
        if (free <= 0 || (!force && (!more || (inFlight + queued > 0 && free < refillAt)))) break;
        force = false;
        const want = Math.min(CLAIM_MAX, free);
        const expired = sweep;
        sweep = false;
        const batch = await claim(want, expired);
        // Fewer than asked for: nothing more is due now (new deliveries wake the worker again).
        more = batch.length === want;
        for (const d of batch) start(d);
      }
    } while (pumpAgain && !stopped);
  }

  function pumpSoon(isUrgent: boolean): Promise<void> {
    if (stopped) return Promise.resolve();
    if (isUrgent) urgent = true;
    if (pumping) {
      pumpAgain = true;
      return pumping;
    }
    pumping = pump()
      .catch((err: unknown) => log.error({ err }, 'webhook claim failed'))
      .finally(() => {
        pumping = undefined;
        // A wake between pump's last check and here would otherwise wait for the poll.
        if (pumpAgain) void pumpSoon(urgent);
      });
    return pumping;
  }

  const worker = {
    stats,
    onDelivered(listener: (latencyMs: number) => void): void {
      deliveredListeners.push(listener);
    },
    /** Look for due deliveries now (new ones were queued, or some became due). */
    wake(): Promise<void> {
      return pumpSoon(true);
    },
    /** Forget cached endpoints (one changed). */
    forget(): void {
      hooks.clear();
    },
    start(pollMs = 1000): void {
      stopped = false;
      heartbeat ??= setInterval(() => void beat().catch((err: unknown) => log.error({ err }, 'webhook node heartbeat failed')), HEARTBEAT_MS);
      heartbeat.unref();
      timer ??= setInterval(() => {
        sweep = true;
        void worker.wake();
      }, pollMs);
      timer.unref();
      sweep = true;
      void worker.wake();
    },
    /** Stops claiming, lets in-flight attempts finish and records them. */
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      timer = undefined;
      await pumping;
      while (inFlight > 0 || flushing || flushTimer || results.length > 0) {
        if (results.length > 0 || flushTimer) flushNow();
        // Wait on a timer while attempts are in flight: a flush with nothing to record settles in microtasks, and
        // awaiting only that in this loop would never let the event loop run the I/O those attempts wait for.
        await (flushing ?? new Promise((r) => setTimeout(r, 10)));
      }
      for (const a of agents.values()) a.destroy();
      agents.clear();
      clearInterval(heartbeat);
      heartbeat = undefined;
      if (registered) {
        registered = undefined;
        await db.deleteFrom('webhook_nodes').where('id', '=', nodeId).execute();
      }
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
