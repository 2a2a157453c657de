/**
 * The monitoring time series behind GET /api/v1/monitoring/timeseries: per minute, requests, 5xx errors, a
 * latency histogram (the request statistics' log-linear buckets, so p95 is at most 9.05 % above the true
 * value), webhook deliveries delivered and attempts failed, the webhook queue depth and connected sockets.
 *
 * Each node counts its own minute in memory and writes it (one row per node and minute, replaced on each
 * write) every GATRIX_TIMESERIES_FLUSH_MS and when it shuts down; rows older than 25 hours are deleted. Reads
 * add the nodes' rows up: counts and histograms are summed (so p95 is cluster-wide), sockets are summed, the
 * queue depth (a database figure every node sees) is the largest reported.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { Db } from '../db/index.ts';
import { bucketOf, upperEdge } from './request-stats.ts';

export const SERIES_WINDOWS = { '15m': { stepMs: 60_000, points: 15 }, '1h': { stepMs: 60_000, points: 60 }, '24h': { stepMs: 3_600_000, points: 24 } } as const;
export type SeriesWindow = keyof typeof SERIES_WINDOWS;

const RETENTION_MS = 25 * 3_600_000;
const PRUNE_EVERY_MS = 10 * 60_000;

export interface SeriesPoint {
  /** The start of the minute or hour. */
  at: string;
  requests: number;
  errors: number;
  /** ms; null when there were no requests. */
  p95: number | null;
  webhooksDelivered: number;
  webhooksFailed: number;
  queueDepth: number;
  sockets: number;
}

/** What the series reads from the parts that own the numbers, at each write. */
export interface SeriesSources {
  /** Monotonic since start: deliveries delivered, attempts that failed. */
  webhooks(): { delivered: number; failedAttempts: number };
  webhookQueueDepth(): Promise<number>;
  sockets(): { connections: number };
}

interface Minute {
  requests: number;
  errors: number;
  latency: Map<number, number>;
  delivered: number;
  failed: number;
  queueDepth: number;
  sockets: number;
}

const emptyMinute = (): Minute => ({ requests: 0, errors: 0, latency: new Map(), delivered: 0, failed: 0, queueDepth: 0, sockets: 0 });
const minuteOf = (t: number) => new Date(t - (t % 60_000)).toISOString();

/** p95 of a sparse histogram (bucket → count), the upper edge of the bucket holding it. */
function p95Of(latency: Map<number, number>, total: number): number | null {
  if (total === 0) return null;
  const rank = Math.ceil(0.95 * total);
  let seen = 0;
  for (const b of [...latency.keys()].sort((x, y) => x - y)) {
    seen += latency.get(b)!;
    if (seen >= rank) return Math.round(upperEdge(b) * 1000) / 1000;
  }
  return null;
}

export function createTimeSeries(opts: { flushMs: number; log: Logger; nodeId?: string; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const nodeId = (opts.nodeId ?? `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`).slice(0, 64);
  const minutes = new Map<string, Minute>();
  let db: Db | undefined;
  let sources: SeriesSources | undefined;
  let lastWebhooks: { delivered: number; failedAttempts: number } | undefined;
  let lastPrune = 0;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  /** The minute last counted in, so that a request does not format a date (a tenth of a game-client answer). */
  let last: { start: number; minute: Minute } | undefined;

  function current(): Minute {
    const t = now();
    const start = t - (t % 60_000);
    if (last?.start === start) return last.minute;
    const key = minuteOf(start);
    let m = minutes.get(key);
    if (!m) minutes.set(key, (m = emptyMinute()));
    last = { start, minute: m };
    return m;
  }

  async function write(): Promise<void> {
    if (!db) return;
    const at = now();
    const m = current();
    if (sources) {
      const w = sources.webhooks();
      if (lastWebhooks) {
        m.delivered += Math.max(0, w.delivered - lastWebhooks.delivered);
        m.failed += Math.max(0, w.failedAttempts - lastWebhooks.failedAttempts);
      }
      lastWebhooks = { delivered: w.delivered, failedAttempts: w.failedAttempts };
      m.sockets = sources.sockets().connections;
      m.queueDepth = await sources.webhookQueueDepth();
    }
    const thisMinute = minuteOf(at);
    const updatedAt = new Date(at).toISOString();
    for (const [minute, v] of [...minutes]) {
      const row = {
        requests: v.requests,
        errors: v.errors,
        latency: JSON.stringify(Object.fromEntries(v.latency)),
        webhooks_delivered: v.delivered,
        webhooks_failed: v.failed,
        queue_depth: v.queueDepth,
        sockets: v.sockets,
        updated_at: updatedAt,
      };
      await db
        .insertInto('metric_minutes')
        .values({ node_id: nodeId, minute, ...row })
        .onConflict((oc) => oc.columns(['node_id', 'minute']).doUpdateSet(row))
        .execute();
      // A past minute is complete once written; the current one keeps counting.
      if (minute < thisMinute) minutes.delete(minute);
    }
    if (at - lastPrune >= PRUNE_EVERY_MS) {
      lastPrune = at;
      await db.deleteFrom('metric_minutes').where('minute', '<', new Date(at - RETENTION_MS).toISOString()).execute();
    }
  }

  /** Writes this node's counts now (one write at a time). */
  function flush(): Promise<void> {
    writing = writing.then(write).catch((err: unknown) => opts.log.warn({ err }, 'could not write the monitoring time series'));
    return writing;
  }

  return {
    nodeId,

    /** One answered request (called with the request statistics). */
    record(status: number, ms: number): void {
      const m = current();
      m.requests++;
      if (status >= 500) m.errors++;
      const b = bucketOf(ms);
      m.latency.set(b, (m.latency.get(b) ?? 0) + 1);
    },

    attach(handle: Db, s: SeriesSources): void {
      db = handle;
      sources = s;
      lastWebhooks = s.webhooks();
    },

    flush,

    start(): void {
      if (timer || !db) return;
      timer = setInterval(() => void flush(), opts.flushMs);
      timer.unref();
    },

    /** Stops the timer and writes what this node counted since the last write. */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      await flush();
    },

    /** The cluster's series over `window`, oldest point first, one per minute (15m, 1h) or hour (24h), empty ones included. */
    async read(window: SeriesWindow): Promise<{ window: SeriesWindow; stepSeconds: number; points: SeriesPoint[] }> {
      await flush(); // this node's latest counts are part of the answer
      const { stepMs, points } = SERIES_WINDOWS[window];
      const t = now();
      const first = t - (t % stepMs) - (points - 1) * stepMs;
      const rows = db ? await db.selectFrom('metric_minutes').selectAll().where('minute', '>=', new Date(first).toISOString()).execute() : [];
      // Per minute across nodes first (sockets add up, queue depth is one shared figure), then per step.
      const perMinute = new Map<string, { sockets: number; queueDepth: number }>();
      const buckets = Array.from({ length: points }, (_, i) => ({
        at: new Date(first + i * stepMs).toISOString(),
        requests: 0,
        errors: 0,
        latency: new Map<number, number>(),
        webhooksDelivered: 0,
        webhooksFailed: 0,
        queueDepth: 0,
        sockets: 0,
      }));
      for (const r of rows) {
        const i = Math.floor((Date.parse(r.minute) - first) / stepMs);
        const b = buckets[i];
        if (!b) continue;
        b.requests += Number(r.requests);
        b.errors += Number(r.errors);
        b.webhooksDelivered += Number(r.webhooks_delivered);
        b.webhooksFailed += Number(r.webhooks_failed);
        for (const [k, n] of Object.entries(JSON.parse(r.latency) as Record<string, number>)) b.latency.set(Number(k), (b.latency.get(Number(k)) ?? 0) + n);
        const pm = perMinute.get(r.minute) ?? { sockets: 0, queueDepth: 0 };
        pm.sockets += Number(r.sockets);
        pm.queueDepth = Math.max(pm.queueDepth, Number(r.queue_depth));
        perMinute.set(r.minute, pm);
      }
      for (const [minute, pm] of perMinute) {
        const b = buckets[Math.floor((Date.parse(minute) - first) / stepMs)];
        if (!b) continue;
        // An hour shows its largest minute.
        b.sockets = Math.max(b.sockets, pm.sockets);
        b.queueDepth = Math.max(b.queueDepth, pm.queueDepth);
      }
      return {
        window,
        stepSeconds: stepMs / 1000,
        points: buckets.map(({ latency, ...b }) => ({ ...b, p95: p95Of(latency, b.requests) })),
      };
    },
  };
}

export type TimeSeries = ReturnType<typeof createTimeSeries>;
