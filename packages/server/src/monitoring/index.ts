/**
 * Monitoring, put together: request statistics (JSON), Prometheus metrics, and the server-error store with
 * optional forwarding to a Sentry-protocol tracker. docs/operations.md is the operator's guide.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { createErrorStore, sentryForwarder } from './errors.ts';
import { createPrometheus, type MetricSources } from './prometheus.ts';
import { createRequestStats } from './request-stats.ts';
import { createTimeSeries } from './timeseries.ts';

/** Route label for requests that matched no route, so raw paths never become labels. */
export const UNMATCHED_ROUTE = '(unmatched)';

export function createMonitoring(config: Config, log: Logger) {
  const stats = createRequestStats();
  const errors = createErrorStore({
    forward: config.monitoring.errorDsn ? sentryForwarder(config.monitoring.errorDsn, log, { environment: config.monitoring.environment }) : undefined,
  });
  let sources: MetricSources | undefined;
  const prometheus = createPrometheus(() => sources, stats);
  const requestMetrics = config.monitoring.requestMetrics;
  const series = createTimeSeries({ flushMs: config.monitoring.timeseriesFlushMs, log });

  return {
    stats,
    /** The per-minute series every node writes to the database (timeseries.ts); attached and started by the app. */
    series,
    errors,
    prometheus,
    /** Whether requests are counted (GATRIX_REQUEST_METRICS). */
    requestMetrics,
    setSources(s: MetricSources): void {
      sources = s;
    },
  };
}

export type Monitoring = ReturnType<typeof createMonitoring>;

/** Queue depth and outbox lag, read from the database when Prometheus scrapes. */
export function databaseGauges(db: Db, now: () => Date) {
  return {
    async webhookQueueDepth(): Promise<number> {
      const row = await db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', 'in', ['pending', 'delivering'])
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    async outboxLagSeconds(): Promise<number> {
      const oldest = await db.selectFrom('outbox_events').select('created_at').where('dispatched_at', 'is', null).orderBy('seq').limit(1).executeTakeFirst();
      return oldest ? Math.max(0, (now().getTime() - Date.parse(oldest.created_at)) / 1000) : 0;
    },
  };
}
