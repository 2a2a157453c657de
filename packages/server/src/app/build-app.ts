import './events.ts';
import { createServer } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { AppContext } from '../context.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Permission } from '../core/permissions.ts';
import type { DatabaseHandle } from '../db/index.ts';
import { registerAuth } from '../http/auth.ts';
import { clientIpRule } from '../http/client-ip.ts';
import { registerIdempotency } from '../http/idempotency.ts';
import { registerNoStore } from '../http/no-store.ts';
import { registerProblemHandlers, sendProblem } from '../http/problem.ts';
import { requestIdOf } from '../http/request-id.ts';
import { Problem } from '../http/schemas.ts';
import type { App } from '../http/types.ts';
import { lazySchemas, type LazySchemas } from '../http/lazy-schemas.ts';
import { registerInputGuards } from '../http/validation.ts';
import { apiKeysRoutes } from '../modules/api-keys/routes.ts';
import { auditRoutes } from '../modules/audit/routes.ts';
import { authRoutes } from '../modules/auth/routes.ts';
import { createClientFastPath, type FastPath } from '../modules/client/fast-path.ts';
import { clientRoutes, serverSnapshotRoute } from '../modules/client/routes.ts';
import { clientVersionsRoutes } from '../modules/client-versions/routes.ts';
import { eventFeedRoutes } from '../modules/event-feed/routes.ts';
import { worldsRoutes } from '../modules/game-worlds/routes.ts';
import { instancesRoutes } from '../modules/game-worlds/instance-routes.ts';
import { maintenanceRoutes } from '../modules/maintenance/routes.ts';
import { noticesRoutes } from '../modules/notices/routes.ts';
import { createRealtimeGateway, type RealtimeGateway } from '../modules/realtime/gateway.ts';
import { usersRoutes } from '../modules/users/routes.ts';
import { webhooksRoutes } from '../modules/webhooks/routes.ts';
import { whitelistRoutes } from '../modules/whitelist/routes.ts';
import { createMonitoring, databaseGauges, UNMATCHED_ROUTE, type Monitoring } from '../monitoring/index.ts';
import { monitoringRoutes } from '../monitoring/routes.ts';
import { consoleRoutes } from './console.ts';
import { requestRecorder } from './request-log.ts';
import { createNodeServices, type Services } from './services.ts';
import { systemRoutes } from './system-routes.ts';

export interface BuildOptions {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  clock?: Clock;
  /** Answer the game-client GET routes in front of Fastify when possible (default true; tests turn it off to compare). */
  clientFastPath?: boolean;
}

/** Builds the Fastify instance from the modules. Listening and shutdown belong to main.ts. */
export interface RouteInfo {
  method: string;
  url: string;
  permission: Permission;
}

export async function buildApp(
  opts: BuildOptions,
): Promise<{ app: App; services: Services; ctx: AppContext; routes: RouteInfo[]; realtime: RealtimeGateway; fastPath?: FastPath; monitoring: Monitoring; schemas: LazySchemas }> {
  const { config, database, logger } = opts;
  const ctx: AppContext = { config, db: database.db, backgroundDb: database.background, dialect: database.dialect, clock: opts.clock ?? systemClock, log: logger };
  const services = await createNodeServices(ctx);

  const monitoring = createMonitoring(config, logger);
  const { prometheus } = monitoring;
  database.queryTiming.observe = (kind, ms) => prometheus.observeQuery(kind, ms / 1000);
  const countRequests = monitoring.requestMetrics;
  const recordRequest = requestRecorder(monitoring, logger, ctx.clock);
  const clientIp = clientIpRule(config.trustProxy);

  // The game-client GET routes are answered in front of Fastify when they can be (modules/client/fast-path.ts).
  // inject() calls Fastify's handler directly, so in-process test requests always take the Fastify route.
  let fastPath: FastPath | undefined;
  const schemas = lazySchemas();
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
    schemaController: { compilersFactory: { buildSerializer: schemas.buildSerializer } },
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
  app.setValidatorCompiler(schemas.validatorCompiler);

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // One line per request when info is logged, and the request metrics; no hook at all when neither is wanted.
  if (recordRequest) {
    app.addHook('onResponse', (request, reply, done) => {
      const { url, config } = request.routeOptions;
      recordRequest(request.id, request.method, url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime, config.requestLog);
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
    recovery: config.sockets.recovery,
    clientIp: clientIp.ipOf,
  });
  services.dispatcher.use(realtime.consumer);
  // Local only: the gateway reaches the sockets of every node through its adapter.
  const { changes } = services;
  changes.subscribe(
    'users',
    ({ userId, user }) => {
      realtime.userChanged(userId, user).catch((err: unknown) => logger.warn({ err, userId }, 'could not update sockets of a changed user'));
    },
    { localOnly: true },
  );
  changes.subscribe(
    'sessions',
    ({ userId, sessionId }) => {
      realtime.sessionsEnded(userId, sessionId).catch((err: unknown) => logger.warn({ err, userId }, 'could not close sockets of an ended session'));
    },
    { localOnly: true },
  );
  changes.subscribe('api-keys', ({ keyId }) => realtime.disconnectKey(keyId), { localOnly: true });
  app.addHook('preClose', () => realtime.close());
  // Held event feed requests answer at once rather than keeping the close waiting.
  app.addHook('preClose', async () => services.eventFeed.close());
  services.worker.onDelivered((ms) => prometheus.observeDelivery(ms / 1000));
  const metricSources = {
    webhooks: () => services.worker.stats,
    ...databaseGauges(ctx.db, () => ctx.clock.now()),
    sockets: () => ({ connections: realtime.io.engine.clientsCount, emitted: realtime.stats.emitted, recovery: realtime.recoveryStats() }),
    worlds: () => services.instances.gauges(),
  };
  monitoring.setSources(metricSources);
  monitoring.series.attach(ctx.db, metricSources);

  registerProblemHandlers(app, (err, context) => monitoring.errors.record(err, context));
  registerAuth(app, services.auth.authenticate);
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

  await systemRoutes(app, ctx, () => services.bus.ready() && realtime.ready());

  await authRoutes(app, services.auth, services.users, config.refreshTokenTtlSeconds);
  usersRoutes(app, services.users);
  apiKeysRoutes(app, services.apiKeys);
  auditRoutes(app, services.audit);
  worldsRoutes(app, services.worlds, services.instances);
  instancesRoutes(app, services.instances);
  maintenanceRoutes(app, services.maintenance);
  clientRoutes(app, services.client);
  serverSnapshotRoute(app, services.client);
  webhooksRoutes(app, services.webhooks);
  whitelistRoutes(app, services.whitelist, async (caller, version) => {
    // The game-client service's own answers (the same code the client routes run), parsed back from their JSON.
    const json = async (text: string | Promise<string>) => JSON.parse(await text) as unknown;
    const clientVersion = version
      ? await json(Promise.resolve().then(() => services.client.clientVersion({ ...version, accountId: caller.accountId, lang: caller.lang }, caller.ip))).catch((err: unknown) => ({
          error: err instanceof Error ? err.message : String(err),
        }))
      : null;
    return { status: await json(services.client.status(caller)), gameWorlds: await json(services.client.worlds(caller)), clientVersion };
  });
  clientVersionsRoutes(app, services.clientVersions);
  eventFeedRoutes(app, services.eventFeed);
  noticesRoutes(app, services.notices);
  monitoringRoutes(app, { ...monitoring, metricsToken: config.metricsToken });
  // Last: its catch-all answers the console page for paths no route above has.
  await consoleRoutes(app, config.console, logger);

  app.addHook('onClose', async () => {
    await Promise.all([services.scheduler.stop(), services.dispatcher.stop(), services.worker.stop(), services.instances.stop()]);
    await monitoring.series.stop(); // this node's last counts, before the database closes
    await Promise.all([services.bus.close(), services.loginFailures.close()]);
  });
  await app.ready();
  monitoring.series.start();
  // The fast path answers the same game-client route table (modules/client/hot-routes.ts) that clientRoutes
  // registered, with the same client-IP rule and the same request log.
  if (opts.clientFastPath !== false) {
    fastPath = createClientFastPath({ authenticate: services.auth.authenticate, client: services.client, clientIp: clientIp.ipOf, onAnswered: recordRequest });
  }
  return { app, services, ctx, routes, realtime, fastPath, monitoring, schemas };
}
