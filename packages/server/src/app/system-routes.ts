import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.ts';
import { ping } from '../db/index.ts';
import { PROBLEMS_PAGE, sendProblem } from '../http/problem.ts';
import { errorResponses } from '../http/schemas.ts';
import type { App } from '../http/types.ts';

/**
 * The routes of the node itself rather than of a feature: the OpenAPI document and its UI, the problem catalog,
 * liveness and readiness. `dependenciesUp` tells whether Redis (when configured) is reachable.
 */
export async function systemRoutes(app: App, ctx: AppContext, dependenciesUp: () => boolean): Promise<void> {
  const { config } = ctx;
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gatrix API',
        version: '1.0.0',
        description: 'The operations backend of online games. Errors are RFC 9457 problem+json (see the Problem schema).',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Access JWT from /api/v1/auth/login, or an API key' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    // A query parameter with a default (page, limit, sort…) may be left out: say so in the document.
    transform: ({ schema, url }) => {
      const query = schema?.querystring as { properties?: Record<string, { default?: unknown }>; required?: string[] } | undefined;
      if (!query?.required || !query.properties) return { schema, url };
      const required = query.required.filter((name) => query.properties![name]?.default === undefined);
      return { schema: { ...schema, querystring: { ...query, required } }, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/openapi.json', {
    config: { permission: 'public' },
    schema: { hide: true },
    handler: () => app.swagger(),
  });

  // Where every problem's `type` points: one anchored entry per code, readable without signing in.
  app.get('/docs/problems', {
    config: { permission: 'public' },
    schema: { hide: true },
    handler: (_request, reply) => reply.type('text/html; charset=utf-8').send(PROBLEMS_PAGE),
  });

  app.get('/healthz', {
    config: { permission: 'public' },
    schema: { operationId: 'healthz', summary: 'The process is up', tags: ['system'], security: [], response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    handler: () => ({ status: 'ok' as const }),
  });

  app.get('/readyz', {
    config: { permission: 'public' },
    schema: {
      operationId: 'readyz',
      summary: 'The database (and Redis, when configured) are reachable',
      description: 'A 503 names what is down: code database_unavailable, redis_unavailable, or dependencies_unavailable for both.',
      tags: ['system'],
      security: [],
      response: {
        200: Type.Object({ status: Type.Literal('ready'), database: Type.String(), redis: Type.Optional(Type.Literal('connected')) }),
        ...errorResponses(503),
      },
    },
    handler: async (request, reply) => {
      const down: ('database' | 'redis')[] = [];
      try {
        await ping(ctx.db);
      } catch (err) {
        request.log.warn({ err }, 'readiness check failed: database');
        down.push('database');
      }
      if (!dependenciesUp()) down.push('redis');
      if (down.length > 0) {
        const code = down.length === 1 ? (`${down[0]}_unavailable` as const) : 'dependencies_unavailable';
        return sendProblem(request, reply, 503, code, `Not reachable: ${down.map((d) => (d === 'redis' ? 'Redis (REDIS_URL)' : 'the database')).join(' and ')}`);
      }
      return { status: 'ready' as const, database: ctx.dialect, ...(config.redisUrl ? { redis: 'connected' as const } : {}) };
    },
  });
}
