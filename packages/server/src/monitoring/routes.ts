import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../core/errors.ts';
import { errorResponses } from '../http/schemas.ts';
import type { App } from '../http/types.ts';
import type { ErrorStore } from './errors.ts';
import type { Prometheus } from './prometheus.ts';
import { WINDOWS, type RequestStats, type Window } from './request-stats.ts';
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

const MetricsSummary = Type.Object({
  since: Type.String({ format: 'date-time' }),
  window: StringEnum(['all', ...(Object.keys(WINDOWS) as Window[])]),
  ...summaryFields,
  byRoute: Type.Array(Type.Object({ method: Type.String(), route: Type.String(), ...summaryFields })),
});

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
});

export function monitoringRoutes(app: App, deps: { stats: RequestStats; errors: ErrorStore; prometheus: Prometheus; metricsToken?: string }): void {
  const { stats, errors, prometheus } = deps;

  app.get('/api/v1/monitoring/metrics', {
    config: { permission: 'monitoring.read' },
    schema: {
      operationId: 'getRequestMetrics',
      summary: 'Request counts, exact mean and percentiles, overall and per route template, since start or over a window',
      tags,
      querystring: Type.Object({ window: Type.Optional(StringEnum(Object.keys(WINDOWS) as Window[])) }),
      response: { 200: MetricsSummary, ...errorResponses(400, 401, 403) },
    },
    handler: (request) => stats.summary(request.query.window),
  });

  app.get('/api/v1/monitoring/errors', {
    config: { permission: 'monitoring.admin' },
    schema: {
      operationId: 'listServerErrors',
      summary: 'Server errors grouped by fingerprint, most recently seen first (this node, since start)',
      tags,
      querystring: Type.Object({ resolved: Type.Optional(Type.Boolean()) }),
      response: { 200: Type.Object({ data: Type.Array(ErrorGroup) }), ...errorResponses(400, 401, 403) },
    },
    handler: (request) => ({ data: errors.list({ resolved: request.query.resolved }) }),
  });

  app.post('/api/v1/monitoring/errors/:id/resolve', {
    config: { permission: 'monitoring.admin' },
    schema: {
      operationId: 'resolveServerError',
      summary: 'Mark an error group resolved; it reopens if it happens again',
      tags,
      params: Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{16}$' }) }),
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
      tags,
      response: { 200: { content: { 'text/plain': { schema: Type.String() } } }, ...errorResponses(401, 403) },
    },
    handler: async (_request, reply) => reply.type(prometheus.contentType).send(await prometheus.metrics()),
  });
}
