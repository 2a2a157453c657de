import type { Logger } from 'pino';
import type { WebhookConfig } from '../../config.ts';
import { inTransaction } from '../../context.ts';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../db/index.ts';
import type { Dialect } from '../../db/dialect.ts';
import { writeEvent } from '../../events/outbox.ts';
import { deliveryStore, type DeliveryStore } from './delivery-store.ts';
import { endpointAfterFailure, isDelivered, nextAttempt } from './retry-policy.ts';
import type { AttemptResult } from './sender.ts';

/** Finished attempts are recorded together: at most this long after the first of them finished… */
const FLUSH_DELAY_MS = 10;
/** …or at once when this many are waiting. */
const FLUSH_BATCH = 500;

interface RecorderDeps {
  db: Db;
  dialect: Dialect;
  clock: Clock;
  log: Logger;
  config: Pick<WebhookConfig, 'retryScheduleMs' | 'disableAfterMs'>;
  /** Counted as attempts are recorded (monitoring). */
  stats: { delivered: number; failedAttempts: number; exhausted: number };
  /** Told of each successful delivery: ms from the event's commit. */
  onDelivered: (latencyMs: number) => void;
  /** An endpoint was disabled in the transaction being recorded. */
  forgetEndpoint: (webhookId: number) => void;
  /** After a batch that disabled endpoints was committed. */
  onDisabled: () => void;
  /** Everything finished so far is recorded. */
  onIdle: () => void;
}

/** Deliveries that succeeded alike: one update. */
type DeliveredGroup = { status: number; attempts: number; ids: number[] };

/**
 * Records finished attempts, in batches: an attempt that finishes is recorded within FLUSH_DELAY_MS together with
 * whatever else finishes meanwhile (at once when FLUSH_BATCH are waiting), one batch at a time.
 */
export function createRecorder(deps: RecorderDeps) {
  const results: AttemptResult[] = [];
  let flushing: Promise<void> | undefined;
  let flushTimer: NodeJS.Timeout | undefined;

  async function record(finished: AttemptResult[]): Promise<void> {
    let disabled = false;
    await inTransaction(deps.db, async (trx) => {
      disabled = await recordBatch(deps, trx, finished);
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
          deps.log.error({ err }, 'could not record webhook attempts');
        }
      }
    })().finally(() => {
      flushing = undefined;
      if (results.length > 0) flushSoon();
      else deps.onIdle();
    });
  }

  return {
    add(r: AttemptResult): void {
      results.push(r);
    },
    flushSoon,
    flushNow,
    /** Attempts wait to be recorded (or a flush is timed). */
    get pending(): boolean {
      return results.length > 0 || flushTimer !== undefined;
    },
    /** The batch being recorded, if any. */
    get flushing(): Promise<void> | undefined {
      return flushing;
    },
  };
}

/**
 * Records finished attempts in one transaction: their attempt rows in multi-row inserts, the deliveries that
 * succeeded in one update per (status code, attempt number) — one in practice — and the endpoints that
 * succeeded in one update; a failure still takes its own statements (retry time, endpoint failing/disabled).
 * Whether an endpoint was disabled.
 */
async function recordBatch(deps: RecorderDeps, trx: Db, finished: AttemptResult[]): Promise<boolean> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const store = deliveryStore(trx, deps.dialect);
  // A delivery deleted meanwhile (with its endpoint) has nothing left to record, and its attempt row would
  // fail the whole batch on the foreign key.
  const existing = await store.existingDeliveries(finished.map((r) => r.delivery.id));
  const batch = finished.filter((r) => existing.has(r.delivery.id));
  await store.insertAttempts(batch.filter((r) => !r.skipped).map((r) => attemptRow(r, at)));
  const delivered = new Map<string, DeliveredGroup>();
  // Endpoints that succeeded in this batch: their failing streak ends. Cleared at the end in one statement, or
  // before a later failure of the same endpoint in the batch is recorded, so the outcome is as if in order.
  const succeeded = new Set<number>();
  let disabled = false;
  for (const r of batch) {
    if (isDelivered(r.status)) {
      noteDelivered(deps, r, now, delivered);
      succeeded.add(r.delivery.webhookId);
    } else if (await recordFailure(deps, trx, store, r, now, succeeded)) {
      disabled = true;
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
  if (succeeded.size > 0) await store.clearFailing([...succeeded]);
  return disabled;
}

function attemptRow(r: AttemptResult, at: string) {
  return {
    delivery_id: r.delivery.id,
    attempt: r.delivery.attempts + 1,
    request_headers: JSON.stringify(r.requestHeaders),
    response_status: r.status,
    response_headers: r.headers ? JSON.stringify(r.headers) : null,
    response_body: r.body,
    duration_ms: r.durationMs,
    error: r.error,
    created_at: at,
  };
}

/** Counts a successful attempt, tells the listeners, and adds it to the group updated with its like. */
function noteDelivered(deps: RecorderDeps, r: AttemptResult, now: Date, delivered: Map<string, DeliveredGroup>): void {
  const d = r.delivery;
  const attemptNo = d.attempts + 1;
  deps.stats.delivered++;
  deps.onDelivered(now.getTime() - Date.parse(d.eventCreatedAt));
  const key = `${r.status}/${attemptNo}`;
  const group = delivered.get(key) ?? delivered.set(key, { status: r.status!, attempts: attemptNo, ids: [] }).get(key)!;
  group.ids.push(d.id);
}

/** A failed attempt: the delivery's next attempt (or its end), then its endpoint's failing streak. Whether the endpoint was disabled. */
async function recordFailure(deps: RecorderDeps, trx: Db, store: DeliveryStore, r: AttemptResult, now: Date, succeeded: Set<number>): Promise<boolean> {
  const at = now.toISOString();
  const d = r.delivery;
  const attemptNo = d.attempts + 1;
  const base = { attempts: r.skipped ? d.attempts : attemptNo, lease_until: null, leased_by: null, last_status_code: r.status, last_error: r.error, updated_at: at };
  if (!r.skipped) deps.stats.failedAttempts++;
  const next = nextAttempt({
    attempt: attemptNo,
    status: r.status,
    retryAfterMs: r.retryAfterMs,
    schedule: deps.config.retryScheduleMs,
    random: Math.random(),
    now,
    skipped: r.skipped,
  });
  const retryAt = 'retryAt' in next ? next.retryAt.toISOString() : null;
  if (retryAt === null) deps.stats.exhausted++;
  await store.updateDelivery(d.id, { ...base, status: retryAt === null ? 'failed' : 'pending', next_attempt_at: retryAt });
  if (r.skipped) return false;
  if (succeeded.delete(d.webhookId)) await store.clearFailing([d.webhookId]);
  return endpointFailed(deps, trx, store, d.webhookId, r.status, now);
}

/** A sent attempt failed: the active endpoint's failing streak starts (or goes on), and may disable it. Whether it did. */
async function endpointFailed(deps: RecorderDeps, trx: Db, store: DeliveryStore, webhookId: number, status: number | null, now: Date): Promise<boolean> {
  const w = await store.endpoint(webhookId);
  if (!w || !w.active) return false;
  const at = now.toISOString();
  const { failingSince, disable: reason } = endpointAfterFailure({ status, failingSince: w.failing_since, now, disableAfterMs: deps.config.disableAfterMs });
  await store.updateEndpoint(webhookId, reason ? { active: 0, disabled_reason: reason, failing_since: failingSince, updated_at: at } : { failing_since: failingSince });
  if (!reason) return false;
  deps.forgetEndpoint(webhookId);
  await writeEvent(trx, deps.clock, 'webhook.disabled', { webhookId, url: w.url, reason });
  deps.log.warn({ webhookId, reason }, 'webhook endpoint disabled');
  return true;
}
