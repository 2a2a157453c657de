import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../core/errors.ts';
import { errorResponses } from '../http/schemas.ts';
import type { App } from '../http/types.ts';
import type { ErrorStore } from './errors.ts';
import type { Prometheus } from './prometheus.ts';
import { WINDOWS, type RequestStats, type Window } from './request-stats.ts';
import { SERIES_WINDOWS, type SeriesWindow, type TimeSeries } from './timeseries.ts';
import { Nullable, NullableIsoDateTime, StringEnum } from '../core/fields.ts';

const tags = ['monitoring'];

const summaryFields = {
  totalRequests: Type.Integer(),
  successfulRequests: Type.Integer(),
  failedRequests: Type.Integer({ description: 'clientErrors + serverErrors' }),
  clientErrors: Type.Integer({ description: '4xx answers: the caller’s mistake' }),
  serverErrors: Type.Integer({ description: '5xx answers' }),
  averageResponseTime: Type.Number({ description: 'Exact mean, ms' }),
  successRate: Type.Number({ description: 'successfulRequests / totalRequests, 0 to 1' }),
  p50: Type.Number({ description: 'ms, from a histogram: at most 9.05 % above the true value' }),
  p95: Type.Number(),
  p99: Type.Number(),
  maxResponseTime: Type.Number(),
};

const SUMMARY_EXAMPLE = {
  totalRequests: 1200,
  successfulRequests: 1180,
  failedRequests: 20,
  clientErrors: 19,
  serverErrors: 1,
  averageResponseTime: 4.2,
  successRate: 0.983,
  p50: 2.1,
  p95: 11.4,
  p99: 30.2,
  maxResponseTime: 120.5,
};

const MetricsSummary = Type.Object(
  {
    since: Type.String({ format: 'date-time' }),
    window: StringEnum(['all', ...(Object.keys(WINDOWS) as Window[])]),
    ...summaryFields,
    byRoute: Type.Array(Type.Object({ method: Type.String(), route: Type.String(), ...summaryFields }, { title: 'RouteMetrics' })),
  },
  {
    title: 'MetricsSummary',
    description: 'Request statistics of this node',
    examples: [{ since: '2026-01-01T00:00:00.000Z', window: 'all', ...SUMMARY_EXAMPLE, byRoute: [{ method: 'GET', route: '/api/v1/users', ...SUMMARY_EXAMPLE }] }],
  },
);

const ERROR_GROUP_EXAMPLE = {
  id: '3f9a6c0d2b8e41f7',
  name: 'TypeError',
  message: "Cannot read properties of undefined (reading 'id')",
  stack: "TypeError: Cannot read properties of undefined (reading 'id')\n    at handler (routes.ts:42:10)",
  count: 3,
  firstSeen: '2026-01-01T00:00:00.000Z',
  lastSeen: '2026-01-01T01:30:00.000Z',
  lastRequestId: '0b6f3f0e-8a61-4c2b-9d1e-2f7c9a4b5d10',
  route: '/api/v1/game-worlds/:id',
  method: 'PATCH',
  lastActor: 'user:1',
  source: 'http',
  resolved: false,
  resolvedAt: null,
};

const ErrorGroup = Type.Object({
  id: Type.String(),
  name: Type.String(),
  message: Type.String(),
  stack: Nullable(Type.String()),
  count: Type.Integer(),
  firstSeen: Type.String({ format: 'date-time' }),
  lastSeen: Type.String({ format: 'date-time' }),
  lastRequestId: Nullable(Type.String()),
  route: Nullable(Type.String()),
  method: Nullable(Type.String()),
  lastActor: Nullable(Type.String()),
  source: Type.String(),
  resolved: Type.Boolean(),
  resolvedAt: NullableIsoDateTime,
}, { title: 'ServerErrorGroup', examples: [ERROR_GROUP_EXAMPLE] });

const SeriesPointSchema = Type.Object({
  at: Type.String({ format: 'date-time', description: 'Start of the minute (15m, 1h) or hour (24h)' }),
  requests: Type.Integer({ description: 'Requests answered, every node' }),
  errors: Type.Integer({ description: '5xx answers' }),
  p95: Nullable(Type.Number({ description: 'ms, from the merged histograms of every node (at most 9.05 % high); null without requests' })),
  webhooksDelivered: Type.Integer({ description: 'Webhook deliveries that succeeded' }),
  webhooksFailed: Type.Integer({ description: 'Webhook attempts that failed (non-2xx, timeout, connection error)' }),
  queueDepth: Type.Integer({ description: 'Webhook deliveries waiting (pending or being sent); the largest seen in the step' }),
  sockets: Type.Integer({ description: 'Socket.IO connections, summed over nodes; the largest minute of the step' }),
});

const TimeSeriesSchema = Type.Object(
  {
    window: StringEnum(Object.keys(SERIES_WINDOWS) as SeriesWindow[]),
    stepSeconds: Type.Integer({ description: '60 for 15m and 1h, 3600 for 24h' }),
    points: Type.Array(SeriesPointSchema),
  },
  {
    title: 'MonitoringTimeSeries',
    examples: [
      {
        window: '15m',
        stepSeconds: 60,
        points: [{ at: '2026-01-01T00:00:00.000Z', requests: 1820, errors: 2, p95: 12.34, webhooksDelivered: 40, webhooksFailed: 1, queueDepth: 0, sockets: 311 }],
      },
    ],
  },
);

export function monitoringRoutes(app: App, deps: { stats: RequestStats; errors: ErrorStore; prometheus: Prometheus; series: TimeSeries; metricsToken?: string }): void {
  const { stats, errors, prometheus, series } = deps;

  app.get('/api/v1/monitoring/timeseries', {
    config: { permission: 'monitoring.read' },
    schema: {
      operationId: 'getMonitoringTimeSeries',
      summary: 'Requests, errors, p95 latency, webhooks, queue depth and sockets over time, every node together',
      description:
        'One point per minute for `15m` and `1h` (default), per hour for `24h`, oldest first, empty steps included. Each node writes its minute ' +
        'every GATRIX_TIMESERIES_FLUSH_MS (60 s) and at shutdown, so the last minute of other nodes can lag by that much; rows are kept 25 hours.',
      tags,
      querystring: Type.Object({ window: Type.Optional(StringEnum(Object.keys(SERIES_WINDOWS) as SeriesWindow[], { description: '15m, 1h (default) or 24h' })) }),
      response: { 200: TimeSeriesSchema, ...errorResponses(400, 401, 403, 429) },
    },
    handler: (request) => series.read(request.query.window ?? '1h'),
  });

  app.get('/api/v1/monitoring/metrics', {
    config: { permission: 'monitoring.read' },
    schema: {
      operationId: 'getRequestMetrics',
      summary: 'Request counts, exact mean and percentiles, overall and per route template, since start or over a window',
      description: "This node's own counts (each node of a cluster answers its own); percentiles come from a histogram.",
      tags,
      querystring: Type.Object({ window: Type.Optional(StringEnum(Object.keys(WINDOWS) as Window[], { description: 'Only the last minutes or hours (absent: since the node started)' })) }),
      response: { 200: MetricsSummary, ...errorResponses(400, 401, 403) },
    },
    handler: (request) => stats.summary(request.query.window),
  });

  app.get('/api/v1/monitoring/errors', {
    config: { permission: 'monitoring.admin' },
    schema: {
      operationId: 'listServerErrors',
      summary: 'Server errors grouped by fingerprint, most recently seen first (this node, since start)',
      description: 'Each group counts the 5xx errors of one kind, with the last request id, route and caller; kept in memory on this node.',
      tags,
      querystring: Type.Object({ resolved: Type.Optional(Type.Boolean({ description: 'Only resolved (true) or open (false) groups' })) }),
      response: {
        200: Type.Object({ data: Type.Array(ErrorGroup) }, { title: 'ServerErrorGroupList', description: 'The error groups', examples: [{ data: [ERROR_GROUP_EXAMPLE] }] }),
        ...errorResponses(400, 401, 403),
      },
    },
    handler: (request) => ({ data: errors.list({ resolved: request.query.resolved }) }),
  });

  app.post('/api/v1/monitoring/errors/:id/resolve', {
    config: { permission: 'monitoring.admin' },
    schema: {
      operationId: 'resolveServerError',
      summary: 'Mark an error group resolved; it reopens if it happens again',
      description: 'Answers the group, resolved. The same error later reopens it.',
      tags,
      params: Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{16}$', description: 'The id of the error group (16 hex digits)' }) }),
      response: { 200: ErrorGroup, ...errorResponses(400, 401, 403, 404) },
    },
    handler: (request) => {
      const g = errors.resolve(request.params.id);
      if (!g) throw new NotFoundError(`Error group ${request.params.id}`);
      return g;
    },
  });

  app.get('/metrics', {
    config: { permission: 'monitoring.read', metricsToken: deps.metricsToken },
    schema: {
      operationId: 'prometheusMetrics',
      summary: 'Prometheus text exposition; staff credentials or the METRICS_TOKEN bearer',
      description: 'Request, webhook, socket and database metrics of this node in the Prometheus text format, for a scraper.',
      tags,
      response: {
        200: {
          description: 'The metrics, Prometheus text format 0.0.4',
          content: {
            'text/plain': {
              schema: Type.String(),
              example: '# HELP gatrix_http_requests_total HTTP requests answered\n# TYPE gatrix_http_requests_total counter\ngatrix_http_requests_total{method="GET",route="/api/v1/users",status="200"} 1180\n',
            },
          },
        },
        ...errorResponses(401, 403),
      },
    },
    handler: async (_request, reply) => reply.type(prometheus.contentType).send(await prometheus.metrics()),
  });
}
