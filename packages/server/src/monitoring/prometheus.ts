/**
 * Prometheus metrics (prom-client), one registry per app. Label values are bounded: HTTP method, route
 * template (never a raw path), status class; delivery outcome; query kind. No ids and no caller input.
 * docs/operations.md lists every family and deploy/grafana/gatrix.json charts them.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestStats } from './request-stats.ts';

/** What the metrics read at scrape time from the parts that own the numbers. */
export interface MetricSources {
  /** Monotonic webhook counters since start, and deliveries being sent now. */
  webhooks(): { attempts: number; delivered: number; failedAttempts: number; exhausted: number; inFlight: number };
  /** Webhook deliveries waiting to be sent (pending, due or scheduled for a retry). */
  webhookQueueDepth(): Promise<number>;
  /** Age in seconds of the oldest outbox event no consumer has taken yet (0 when there is none). */
  outboxLagSeconds(): Promise<number>;
  /**
   * Connected sockets on this node, events emitted to sockets since start, and the connection-state recovery buffer:
   * packets and bytes kept, disconnected sessions that may come back, reconnections refused since start because
   * their offset had left the buffer.
   */
  sockets(): { connections: number; emitted: number; recovery: { events: number; bytes: number; sessions: number; outOfBuffer: number } };
  /** Each game world's players and up instances (summed over its instances' last heartbeats). */
  worlds(): Promise<{ world: string; players: number; instancesUp: number }[]>;
}

/** 0.25 ms … 8.192 s, doubling: powers of two in ms are edges of the request statistics' own histogram. */
const HTTP_BUCKETS_MS = Array.from({ length: 16 }, (_, i) => 2 ** (i - 2));
const LATENCY_BUCKETS = [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
const DB_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** Resets a counter to a monotonic value read elsewhere (the owner counts; the metric reports). */
function setCounter(counter: Counter, value: number, labels?: Record<string, string>): void {
  if (labels) {
    counter.remove(labels);
    counter.inc(labels, value);
  } else {
    counter.reset();
    counter.inc(value);
  }
}

export function createPrometheus(sources: () => MetricSources | undefined, requests: RequestStats) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gatrix_' });

  // The request histogram is read from the request statistics when scraped: a request is observed once, by
  // RequestStats.record, and the hot path pays nothing for Prometheus.
  const httpName = 'gatrix_http_request_duration_seconds';
  registry.registerMetric({
    name: httpName,
    get: () => ({
      name: httpName,
      help: 'HTTP request duration by method, route template and status class',
      type: 'histogram',
      aggregator: 'sum',
      values: requests.histogram(HTTP_BUCKETS_MS).flatMap(({ method, route, statusClass, cumulative, count, sumSeconds }) => {
        const labels = { method, route, status_class: statusClass };
        return [
          ...cumulative.map((value, i) => ({ metricName: `${httpName}_bucket`, labels: { ...labels, le: HTTP_BUCKETS_MS[i] / 1000 }, value })),
          { metricName: `${httpName}_bucket`, labels: { ...labels, le: '+Inf' }, value: count },
          { metricName: `${httpName}_sum`, labels, value: sumSeconds },
          { metricName: `${httpName}_count`, labels, value: count },
        ];
      }),
    }),
  } as unknown as Parameters<Registry['registerMetric']>[0]);
  let inFlight = 0;
  new Gauge({
    name: 'gatrix_http_requests_in_flight',
    help: 'HTTP requests being answered',
    registers: [registry],
    collect() {
      this.set(inFlight);
    },
  });

  const deliveries = new Counter({
    name: 'gatrix_webhook_deliveries_total',
    help: 'Webhook deliveries that ended: delivered (2xx) or exhausted (retries used up or endpoint gone)',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      const w = sources()?.webhooks();
      setCounter(deliveries, w?.delivered ?? 0, { outcome: 'delivered' });
      setCounter(deliveries, w?.exhausted ?? 0, { outcome: 'exhausted' });
    },
  });
  const attempts = new Counter({
    name: 'gatrix_webhook_attempts_total',
    help: 'Webhook HTTP attempts made',
    registers: [registry],
    collect() {
      setCounter(attempts, sources()?.webhooks().attempts ?? 0);
    },
  });
  const failures = new Counter({
    name: 'gatrix_webhook_attempt_failures_total',
    help: 'Webhook attempts that failed (non-2xx, timeout, connection error)',
    registers: [registry],
    collect() {
      setCounter(failures, sources()?.webhooks().failedAttempts ?? 0);
    },
  });
  new Gauge({
    name: 'gatrix_webhook_in_flight',
    help: 'Webhook attempts being sent now',
    registers: [registry],
    collect() {
      this.set(sources()?.webhooks().inFlight ?? 0);
    },
  });
  new Gauge({
    name: 'gatrix_webhook_queue_depth',
    help: 'Webhook deliveries waiting to be sent, due now or scheduled for a retry',
    registers: [registry],
    async collect() {
      this.set((await sources()?.webhookQueueDepth()) ?? 0);
    },
  });
  const deliveryLatency = new Histogram({
    name: 'gatrix_webhook_event_to_delivery_seconds',
    help: 'From the event committing to its successful delivery',
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });

  new Gauge({
    name: 'gatrix_outbox_lag_seconds',
    help: 'Age of the oldest outbox event not yet dispatched to webhooks and sockets (0 when none)',
    registers: [registry],
    async collect() {
      this.set((await sources()?.outboxLagSeconds()) ?? 0);
    },
  });

  new Gauge({
    name: 'gatrix_socket_connections',
    help: 'Socket.IO connections on this node',
    registers: [registry],
    collect() {
      this.set(sources()?.sockets().connections ?? 0);
    },
  });
  const emitted = new Counter({
    name: 'gatrix_socket_events_emitted_total',
    help: 'Events emitted to Socket.IO clients by this node',
    registers: [registry],
    collect() {
      setCounter(emitted, sources()?.sockets().emitted ?? 0);
    },
  });

  const recovery = () => sources()?.sockets().recovery;
  const RECOVERY_GAUGES = [
    ['events', 'gatrix_socket_recovery_buffer_events', 'Packets this node keeps for sockets that may resume (connection-state recovery; 0 with Redis, where the stream keeps them)'],
    ['bytes', 'gatrix_socket_recovery_buffer_bytes', 'Bytes of JSON of the packets this node keeps for sockets that may resume'],
    ['sessions', 'gatrix_socket_recovery_sessions', 'Disconnected Socket.IO sessions on this node that may still resume'],
  ] as const;
  for (const [field, name, help] of RECOVERY_GAUGES) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(recovery()?.[field] ?? 0);
      },
    });
  }
  const outOfBuffer = new Counter({
    name: 'gatrix_socket_recovery_out_of_buffer_total',
    help: 'Reconnections not recovered because a packet after their offset had left the buffer (the client resyncs)',
    registers: [registry],
    collect() {
      setCounter(outOfBuffer, recovery()?.outOfBuffer ?? 0);
    },
  });

  // One series per game world: worlds are few and made by operators, so the worldId label stays bounded. Both
  // gauges are read together (once per scrape when collected concurrently); a deleted world's series go away.
  let reading: Promise<void> | undefined;
  const readWorlds = () =>
    (reading ??= (async () => {
      const worlds = (await sources()?.worlds()) ?? [];
      worldPlayers.reset();
      worldInstances.reset();
      for (const w of worlds) {
        worldPlayers.set({ world: w.world }, w.players);
        worldInstances.set({ world: w.world }, w.instancesUp);
      }
    })().finally(() => (reading = undefined)));
  const worldPlayers = new Gauge({ name: 'gatrix_world_players', help: 'Players on the up instances of each game world', labelNames: ['world'] as const, registers: [registry], collect: readWorlds });
  const worldInstances = new Gauge({ name: 'gatrix_world_instances_up', help: 'Up instances of each game world', labelNames: ['world'] as const, registers: [registry], collect: readWorlds });

  const dbDuration = new Histogram({
    name: 'gatrix_db_query_duration_seconds',
    help: 'Database query duration by statement kind',
    labelNames: ['kind'] as const,
    buckets: DB_BUCKETS,
    registers: [registry],
  });
  const dbChildren = new Map<string, ReturnType<typeof dbDuration.labels>>();

  return {
    registry,
    contentType: registry.contentType,
    metrics: () => registry.metrics(),

    requestStarted(): void {
      inFlight++;
    },
    requestEnded(): void {
      inFlight--;
    },
    observeDelivery(latencySeconds: number): void {
      deliveryLatency.observe(latencySeconds);
    },
    /** Kysely's query node kind (SelectQueryNode…) → select, insert, update, delete, other. */
    observeQuery(nodeKind: string, seconds: number): void {
      let child = dbChildren.get(nodeKind);
      if (!child) {
        const kind = /^(Select|Insert|Update|Delete)QueryNode$/.exec(nodeKind)?.[1]?.toLowerCase() ?? 'other';
        dbChildren.set(nodeKind, (child = dbDuration.labels(kind)));
      }
      child.observe(seconds);
    },
  };
}

export type Prometheus = ReturnType<typeof createPrometheus>;
