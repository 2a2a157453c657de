import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.ts';
import { ping } from '../db/index.ts';
import { transformDocument, transformRoute } from '../http/openapi.ts';
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
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key (admin, server or client type); it may also be sent as a bearer token' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    // Security, errors, headers and named schemas, from each route's config and shape (http/openapi.ts).
    transform: transformRoute as never,
    transformObject: transformDocument as never,
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
    schema: {
      operationId: 'healthz',
      summary: 'The process is up',
      description: 'Liveness: answers as long as the process serves HTTP; it checks no dependency (see /readyz).',
      tags: ['system'],
      security: [],
      response: { 200: Type.Object({ status: Type.Literal('ok') }, { title: 'Health', description: 'The process is up', examples: [{ status: 'ok' }] }) },
    },
    handler: () => ({ status: 'ok' as const }),
  });

  app.get('/readyz', {
    config: { permission: 'public' },
    schema: {
      operationId: 'readyz',
      summary: 'The database (and Redis, when configured) are reachable',
      description: 'Readiness for a load balancer. A 503 names what is down: code database_unavailable, redis_unavailable, or dependencies_unavailable for both.',
      tags: ['system'],
      security: [],
      response: {
        200: Type.Object(
          { status: Type.Literal('ready'), database: Type.String({ description: 'The dialect: sqlite or postgres' }), redis: Type.Optional(Type.Literal('connected')) },
          { title: 'Readiness', description: 'Every dependency is reachable', examples: [{ status: 'ready', database: 'postgres', redis: 'connected' }] },
        ),
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
