import { createServer } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { sharedCacheMaxAgeMs, type AppContext } from './context.ts';
import { ping, type DatabaseHandle } from './db/index.ts';
import { registerAuth } from './http/auth.ts';
import { clientIpRule } from './http/client-ip.ts';
import { createMonitoring, databaseGauges, UNMATCHED_ROUTE, type Monitoring } from './monitoring/index.ts';
import { monitoringRoutes } from './monitoring/routes.ts';
import { requestIdOf } from './http/request-id.ts';
import { registerInputGuards, validatorCompiler } from './http/validation.ts';
import { registerIdempotency } from './http/idempotency.ts';
import { registerNoStore } from './http/no-store.ts';
import { PROBLEMS_PAGE, registerProblemHandlers, sendProblem } from './http/problem.ts';
import { errorResponses, Problem } from './http/schemas.ts';
import type { App } from './http/types.ts';
import { apiKeysRoutes } from './modules/api-keys/routes.ts';
import { createApiKeysService } from './modules/api-keys/service.ts';
import { auditRoutes } from './modules/audit/routes.ts';
import { createAuditService } from './modules/audit/service.ts';
import { authRoutes } from './modules/auth/routes.ts';
import { memoryFailureCounters, redisFailureCounters, type FailureCounters } from './modules/auth/login-limiter.ts';
import { createAuthService } from './modules/auth/service.ts';
import type { Permission } from './modules/permissions.ts';
import { maintenanceRoutes } from './modules/maintenance/routes.ts';
import { createScheduler } from './modules/maintenance/scheduler.ts';
import { createMaintenanceService } from './modules/maintenance/service.ts';
import { worldsRoutes } from './modules/worlds/routes.ts';
import { createWorldsService } from './modules/worlds/service.ts';
import { usersRoutes } from './modules/users/routes.ts';
import { createUsersService } from './modules/users/service.ts';
import { createLocalBus, createRedisBus, type Bus } from './cluster/bus.ts';
import { secretBox } from './crypto/secret-box.ts';
import { createDispatcher } from './events/dispatcher.ts';
import { webhooksRoutes } from './modules/webhooks/routes.ts';
import { createWebhooksService } from './modules/webhooks/service.ts';
import { createDeliveryWorker } from './modules/webhooks/worker.ts';
import { createRealtimeGateway, type RealtimeGateway } from './modules/realtime/gateway.ts';
import { createClientFastPath, type FastPath } from './modules/client/fast-path.ts';
import { clientRoutes } from './modules/client/routes.ts';
import { createClientService } from './modules/client/service.ts';
import { clientVersionsRoutes } from './modules/client-versions/routes.ts';
import { createClientVersionsService } from './modules/client-versions/service.ts';
import { whitelistRoutes } from './modules/whitelist/routes.ts';
import { createWhitelistService } from './modules/whitelist/service.ts';

export interface BuildOptions {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  clock?: Clock;
  /** Answer the game-client GET routes in front of Fastify when possible (default true; tests turn it off to compare). */
  clientFastPath?: boolean;
}

export function createServices(ctx: AppContext, bus: Bus = createLocalBus(), loginFailures: FailureCounters = memoryFailureCounters()) {
  const users = createUsersService(ctx);
  const apiKeys = createApiKeysService(ctx);
  const auth = createAuthService(ctx, users, apiKeys, loginFailures);
  const audit = createAuditService(ctx);
  const worlds = createWorldsService(ctx);
  const maintenance = createMaintenanceService(ctx);
  const whitelist = createWhitelistService(ctx);
  const clientVersions = createClientVersionsService(ctx);
  const scheduler = createScheduler([worlds, maintenance], ctx.log, ctx.config.schedulerIntervalMs);
  const client = createClientService(
    {
      versions: () => clientVersions.all(),
      maintenance: () => maintenance.get(),
      worlds: () => worlds.all(),
      whitelist: () => whitelist.enabledEntries(),
    },
    ctx.clock,
    sharedCacheMaxAgeMs(ctx, 60_000),
  );

  // Every change that the game-client API depends on drops its snapshot here and on the other nodes.
  const clientChanged = () => {
    client.invalidate();
    bus.publish('client');
  };
  for (const s of [worlds, maintenance, whitelist, clientVersions]) s.onChange(clientChanged);
  bus.subscribe('client', () => client.invalidate());
  users.onChange(() => bus.publish('users'));
  bus.subscribe('users', () => users.forgetCached());
  apiKeys.onRevoked(() => bus.publish('api-keys'));
  bus.subscribe('api-keys', () => apiKeys.forgetCached());

  const box = secretBox(ctx.config.encryptionKey);
  const ssrf = { allowPrivateNetworks: ctx.config.webhooks.allowPrivateNetworks };
  const forgetWebhooks = () => {
    webhooks.forgetCached();
    worker.forget();
  };
  const worker = createDeliveryWorker({ ...ctx, box, config: ctx.config.webhooks, ssrf, onDisabled: () => (forgetWebhooks(), bus.publish('webhooks')) });
  const webhooks = createWebhooksService(ctx, box, { ssrf, rotationGraceMs: ctx.config.webhooks.rotationGraceMs }, () => void worker.wake());
  webhooks.onChange(() => (forgetWebhooks(), bus.publish('webhooks')));
  bus.subscribe('webhooks', forgetWebhooks);
  const dispatcher = createDispatcher(ctx, [webhooks.fanOut]);

  return { users, apiKeys, auth, audit, worlds, maintenance, whitelist, clientVersions, scheduler, client, bus, box, loginFailures, webhooks, worker, dispatcher };
}

/** The node's background work: scheduler, event dispatcher, webhook worker, retention. main.ts starts it. */
export function startBackground(services: Services, log: Logger): () => Promise<void> {
  services.scheduler.start();
  services.dispatcher.start();
  services.worker.start();
  const prune = setInterval(() => {
    services.worker.prune().catch((err: unknown) => log.error({ err }, 'webhook retention failed'));
  }, 3_600_000);
  prune.unref();
  return async () => {
    clearInterval(prune);
    await Promise.all([services.scheduler.stop(), services.dispatcher.stop(), services.worker.stop()]);
  };
}

export type Services = ReturnType<typeof createServices>;

/** Builds the Fastify instance from the modules. Listening and shutdown belong to main.ts. */
export interface RouteInfo {
  method: string;
  url: string;
  permission: Permission;
}

export async function buildApp(
  opts: BuildOptions,
): Promise<{ app: App; services: Services; ctx: AppContext; routes: RouteInfo[]; realtime: RealtimeGateway; fastPath?: FastPath; monitoring: Monitoring }> {
  const { config, database, logger } = opts;
  const ctx: AppContext = { config, db: database.db, dialect: database.dialect, clock: opts.clock ?? systemClock, log: logger };
  const services = config.redisUrl
    ? createServices(
        ctx,
        await createRedisBus(config.redisUrl, logger, config.redisPrefix, config.startupWaitMs),
        await redisFailureCounters(config.redisUrl, logger, config.redisPrefix, config.startupWaitMs),
      )
    : createServices(ctx);

  const monitoring = createMonitoring(config, logger);
  const { prometheus } = monitoring;
  database.queryTiming.observe = (kind, ms) => prometheus.observeQuery(kind, ms / 1000);
  const countRequests = monitoring.requestMetrics;
  const logRequests = logger.isLevelEnabled('info');
  const clientIp = clientIpRule(config.trustProxy);

  // The game-client GET routes are answered in front of Fastify when they can be (modules/client/fast-path.ts).
  // inject() calls Fastify's handler directly, so in-process test requests always take the Fastify route.
  let fastPath: FastPath | undefined;
  const app = Fastify({
    serverFactory: (handler) => {
      const { requestTimeoutMs, headersTimeoutMs, maxConnections } = config.http;
      // A slow caller gets 408 once its headers or body take too long; Node checks every second rather than
      // its default 30 s, so the limits hold to about a second.
      const limits = { requestTimeout: requestTimeoutMs, headersTimeout: headersTimeoutMs, connectionsCheckingInterval: 1000 };
      const server = createServer(limits, (req, res) => {
        if (fastPath?.handle(req, res)) return; // answered synchronously: never in flight when /metrics is read
        if (countRequests) {
          prometheus.requestStarted();
          res.once('close', prometheus.requestEnded);
        }
        handler(req, res);
      });
      server.keepAliveTimeout = 72_000; // Fastify's default, which it sets only on servers it creates
      server.maxConnections = maxConnections;
      return server;
    },
    loggerInstance: logger as FastifyBaseLogger,
    // One line per request, written by the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: clientIp.trust,
    requestIdHeader: false,
    genReqId: requestIdOf,
    // Errors Fastify answers before routing (bad percent-encoding, a path parameter over maxParamLength).
    frameworkErrors: (err, request, reply) => {
      reply.header('x-request-id', request.id);
      const status = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
      void sendProblem(request, reply, status, err.code === 'FST_ERR_BAD_URL' ? 'bad_url' : status === 414 ? 'uri_too_long' : 'bad_request', err.message);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Only JSON bodies: anything else is 415 rather than a string that fails validation later.
  app.removeContentTypeParser('text/plain');
  app.addSchema(Problem);
  app.setValidatorCompiler(validatorCompiler);

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // One line per request when info is logged, and the request metrics; no hook at all when neither is wanted.
  if (countRequests || logRequests) {
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
      const ms = reply.elapsedTime;
      if (countRequests) monitoring.stats.record(request.method, route, reply.statusCode, ms);
      if (logRequests) request.log.info({ method: request.method, route, status: reply.statusCode, ms: Math.round(ms * 100) / 100 }, 'request');
      done();
    });
  }

  const realtime = await createRealtimeGateway(app.server, {
    authenticate: (token) => services.auth.authenticateSession(token),
    log: logger,
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
    redisWaitMs: config.startupWaitMs,
    maxSocketsPerCredential: config.sockets.maxPerCredential,
    connectionsPerIpPer10s: config.sockets.connectionsPerIpPer10s,
    clientIp: clientIp.ipOf,
  });
  services.dispatcher.use(realtime.consumer);
  services.users.onChange((id, user) => {
    realtime.userChanged(id, user).catch((err: unknown) => logger.warn({ err, userId: id }, 'could not update sockets of a changed user'));
  });
  services.auth.onSessionsEnded((id, sessionId) => {
    realtime.sessionsEnded(id, sessionId).catch((err: unknown) => logger.warn({ err, userId: id }, 'could not close sockets of an ended session'));
  });
  services.apiKeys.onRevoked((id) => realtime.disconnectKey(id));
  app.addHook('preClose', () => realtime.close());
  services.worker.onDelivered((ms) => prometheus.observeDelivery(ms / 1000));
  monitoring.setSources({
    webhooks: () => services.worker.stats,
    ...databaseGauges(ctx.db, () => ctx.clock.now()),
    sockets: () => ({ connections: realtime.io.engine.clientsCount, emitted: realtime.stats.emitted }),
  });

  registerProblemHandlers(app, (err, context) => monitoring.errors.record(err, context));
  registerAuth(app, services.auth);
  // After registerAuth's onRoute check, so every collected route has its permission.
  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of ([] as string[]).concat(route.method)) {
      if (method !== 'HEAD') routes.push({ method, url: route.url, permission: route.config!.permission! });
    }
  });
  registerInputGuards(app);
  registerIdempotency(app, ctx.db, ctx.clock, services.box);
  registerNoStore(app);

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
      if (!services.bus.ready() || !realtime.ready()) down.push('redis');
      if (down.length > 0) {
        const code = down.length === 1 ? (`${down[0]}_unavailable` as const) : 'dependencies_unavailable';
        return sendProblem(request, reply, 503, code, `Not reachable: ${down.map((d) => (d === 'redis' ? 'Redis (REDIS_URL)' : 'the database')).join(' and ')}`);
      }
      return { status: 'ready' as const, database: ctx.dialect, ...(config.redisUrl ? { redis: 'connected' as const } : {}) };
    },
  });

  authRoutes(app, services.auth, services.users);
  usersRoutes(app, services.users);
  apiKeysRoutes(app, services.apiKeys);
  auditRoutes(app, services.audit);
  worldsRoutes(app, services.worlds);
  maintenanceRoutes(app, services.maintenance);
  clientRoutes(app, services.client);
  webhooksRoutes(app, services.webhooks);
  whitelistRoutes(app, services.whitelist);
  clientVersionsRoutes(app, services.clientVersions);
  monitoringRoutes(app, { ...monitoring, metricsToken: config.metricsToken });

  app.addHook('onClose', async () => {
    await Promise.all([services.scheduler.stop(), services.dispatcher.stop(), services.worker.stop()]);
    await Promise.all([services.bus.close(), services.loginFailures.close()]);
  });
  await app.ready();
  // Made once the route table is complete: the fast path reads each route's permission from it.
  if (opts.clientFastPath !== false) {
    fastPath = createClientFastPath({
      authenticate: services.auth.authenticate,
      client: services.client,
      permissionOf: (path) => routes.find((r) => r.method === 'GET' && r.url === path)?.permission,
      clientIp: clientIp.ipOf,
      onAnswered:
        countRequests || logRequests
          ? (reqId, route, ms) => {
              if (countRequests) monitoring.stats.record('GET', route, 200, ms);
              if (logRequests) logger.info({ reqId, method: 'GET', route, status: 200, ms: Math.round(ms * 100) / 100 }, 'request');
            }
          : undefined,
    });
  }
  return { app, services, ctx, routes, realtime, fastPath, monitoring };
}
