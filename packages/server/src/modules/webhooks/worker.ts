import type { Logger } from 'pino';
import type { WebhookConfig } from '../../config.ts';
import type { Clock } from '../../core/clock.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import type { Db } from '../../db/index.ts';
import type { Dialect } from '../../db/dialect.ts';
import { deleteInBatches } from '../../db/records.ts';
import { createClaimLoop } from './claim-loop.ts';
import { deliveryStore, type Claimed } from './delivery-store.ts';
import { createEndpointCache } from './endpoint-cache.ts';
import { createRecorder } from './recorder.ts';
import { createSender, unsent } from './sender.ts';
import { createSlots } from './slots.ts';
import type { SsrfOptions } from './ssrf.ts';
import { createWorkerNode } from './worker-node.ts';

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
 * How long a claim leases a delivery. A claimed delivery may queue for its endpoint's slots, but at most
 * `concurrency` are held, so it is sent within ceil(concurrency / concurrencyPerEndpoint) attempt timeouts (4 with
 * the defaults); the minute covers recording.
 */
function leaseMsFor(config: WebhookConfig): number {
  return Math.ceil(config.concurrency / config.concurrencyPerEndpoint) * config.timeoutMs + 60_000;
}

/**
 * Sends due deliveries. Deliveries are claimed in the database with a lease (FOR UPDATE SKIP LOCKED on
 * PostgreSQL), so several nodes never make the same attempt. Each worker is a node with a heartbeat: a delivery
 * leased by a node whose heartbeat stopped (it died) is taken over by the poll of another node within
 * NODE_STALE_MS, and on SQLite, where the data-dir lock makes this process the only one, the previous run's leases
 * are released at start. A lease also runs out by itself (a live node that could not record an attempt). No
 * transaction is held across an HTTP call; results are recorded in batches.
 *
 * Composed of: the worker node (heartbeat, leases), the claim loop, attempt slots, the endpoint cache, the
 * sender (HTTP) and the recorder (attempt results, retry policy); the SQL is in delivery-store.ts.
 */
export function createDeliveryWorker(deps: WorkerDeps) {
  const { db, dialect, clock, log, config } = deps;
  const store = deliveryStore(db, dialect);
  const node = createWorkerNode({ store, clock, log, dialect, leaseMs: leaseMsFor(config) });
  const endpoints = createEndpointCache({ find: (id) => store.endpoint(id), box: deps.box, ssrf: deps.ssrf });
  const sender = createSender({ config, ssrf: deps.ssrf, clock, log });
  /** Told of each successful delivery: ms from the event's commit (metrics). */
  const deliveredListeners: ((latencyMs: number) => void)[] = [];
  const stats = newStats(() => slots.inFlight);
  const recorder = createRecorder({
    db,
    dialect,
    clock,
    log,
    config,
    stats,
    onDelivered: (latencyMs) => deliveredListeners.forEach((listener) => listener(latencyMs)),
    forgetEndpoint: (id) => endpoints.forget(id),
    onDisabled: () => deps.onDisabled(),
    onIdle: () => loop.refill(),
  });

  async function attempt(d: Claimed): Promise<void> {
    const started = Date.now();
    const w = await endpoints.get(d.webhookId);
    // Nothing is sent to an endpoint that is disabled or deleted, or whose URL or secrets are unusable (`url` says why).
    if (!w) return recorder.add(unsent(d, 'the endpoint is disabled or deleted', true));
    if (typeof w.url === 'string') return recorder.add(unsent(d, w.url));
    const r = await sender.send(d, w, w.url, started);
    stats.attempts++;
    recorder.add(r);
  }

  const slots = createSlots<Claimed>({
    perEndpoint: config.concurrencyPerEndpoint,
    run: (d) =>
      attempt(d).catch((err: unknown) => {
        log.error({ err, deliveryId: d.id }, 'webhook attempt crashed');
        recorder.add(unsent(d, String(err)));
      }),
    settled: () => {
      recorder.flushSoon();
      loop.refill();
    },
  });
  const loop = createClaimLoop({ concurrency: config.concurrency, slots, register: node.register, claim: node.claim, start: slots.start, log });
  let timer: NodeJS.Timeout | undefined;

  return {
    stats,
    onDelivered(listener: (latencyMs: number) => void): void {
      deliveredListeners.push(listener);
    },
    /** Look for due deliveries now (new ones were queued, or some became due). */
    wake: (): Promise<void> => loop.wake(),
    /** Forget cached endpoints (one changed). */
    forget: (): void => endpoints.clear(),
    start(pollMs = 1000): void {
      loop.run();
      node.startHeartbeat();
      timer ??= setInterval(() => void loop.wake(true), pollMs);
      timer.unref();
      void loop.wake(true);
    },
    /** Stops claiming, lets in-flight attempts finish and records them. */
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await loop.halt();
      await drain(slots, recorder);
      sender.close();
      await node.leave();
    },
    /** Deletes finished deliveries (and their attempts) older than the retention, a batch at a time. */
    prune(): Promise<number> {
      const cutoff = new Date(clock.now().getTime() - config.retentionMs).toISOString();
      return deleteInBatches(() => store.pruneBatch(cutoff));
    },
  };
}

function newStats(inFlight: () => number): DeliveryStats {
  return {
    attempts: 0,
    delivered: 0,
    failedAttempts: 0,
    exhausted: 0,
    get inFlight() {
      return inFlight();
    },
  };
}

/** Waits for in-flight attempts to finish and for every result to be recorded. */
async function drain(slots: { readonly inFlight: number }, recorder: { readonly pending: boolean; readonly flushing: Promise<void> | undefined; flushNow(): void }): Promise<void> {
  while (slots.inFlight > 0 || recorder.flushing || recorder.pending) {
    if (recorder.pending) recorder.flushNow();
    // Wait on a timer while attempts are in flight: a flush with nothing to record settles in microtasks, and
    // awaiting only that in this loop would never let the event loop run the I/O those attempts wait for.
    await (recorder.flushing ?? new Promise((r) => setTimeout(r, 10)));
  }
}

export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;
