import './events.ts';
import type { AppContext } from '../context.ts';
import { sharedCacheMaxAgeMs } from '../context.ts';
import { createLocalBus, createRedisBus, type Bus } from '../cluster/bus.ts';
import { secretBox } from '../core/secret-box.ts';
import { createChangeFeed } from '../events/changes.ts';
import { createDispatcher } from '../events/dispatcher.ts';
import { createEventFeed } from '../modules/event-feed/service.ts';
import { createApiKeysService } from '../modules/api-keys/service.ts';
import { createAuditService } from '../modules/audit/service.ts';
import { memoryFailureCounters, redisFailureCounters, type FailureCounters } from '../modules/auth/login-limiter.ts';
import { createAuthService } from '../modules/auth/service.ts';
import { createClientService } from '../modules/client/service.ts';
import { createClientVersionsService } from '../modules/client-versions/service.ts';
import { createWorldsService } from '../modules/game-worlds/service.ts';
import { createInstancesService } from '../modules/game-worlds/instances.ts';
import { createScheduler } from '../modules/maintenance/scheduler.ts';
import { createMaintenanceService } from '../modules/maintenance/service.ts';
import { createNoticesService } from '../modules/notices/service.ts';
import { createUsersService } from '../modules/users/service.ts';
import { createWebhooksService } from '../modules/webhooks/service.ts';
import { createDeliveryWorker } from '../modules/webhooks/worker.ts';
import { createWhitelistService } from '../modules/whitelist/service.ts';

/** The services of one node, built from plain values (no container) and wired to each other here. */
export function createServices(ctx: AppContext, bus: Bus = createLocalBus(), loginFailures: FailureCounters = memoryFailureCounters()) {
  const changes = createChangeFeed(ctx.log, bus);
  const users = createUsersService(ctx, changes);
  const apiKeys = createApiKeysService(ctx, changes);
  const auth = createAuthService(ctx, changes, users, apiKeys, loginFailures);
  const audit = createAuditService(ctx);
  const worlds = createWorldsService(ctx, changes);
  const maintenance = createMaintenanceService(ctx, changes);
  const whitelist = createWhitelistService(ctx, changes);
  const clientVersions = createClientVersionsService(ctx, changes);
  const notices = createNoticesService(ctx, changes);
  const scheduler = createScheduler([worlds, maintenance, users], ctx.log, ctx.config.schedulerIntervalMs);
  const client = createClientService(
    {
      versions: () => clientVersions.all(),
      maintenance: () => maintenance.get(),
      worlds: () => worlds.all(),
      whitelist: () => whitelist.enabledEntries(),
      whitelistRevision: () => whitelist.revision(),
      notices: () => notices.live(),
    },
    ctx.clock,
    sharedCacheMaxAgeMs(ctx, 60_000),
  );

  const instances = createInstancesService(ctx, changes, (population) => client.setPopulation(population));

  const box = secretBox(ctx.config.encryptionKey);
  const ssrf = { allowPrivateNetworks: ctx.config.webhooks.allowPrivateNetworks };
  const worker = createDeliveryWorker({ ...ctx, db: ctx.backgroundDb ?? ctx.db, box, config: ctx.config.webhooks, ssrf, onDisabled: () => changes.publish('webhooks', {}) });
  const webhooks = createWebhooksService(ctx, changes, box, { ssrf, rotationGraceMs: ctx.config.webhooks.rotationGraceMs }, () => void worker.wake());
  const eventFeed = createEventFeed(ctx, changes);
  const dispatcher = createDispatcher(ctx, [webhooks.fanOut, eventFeed.consumer]);

  // The caches, each cleared by the changes it depends on: those of this node and, over the bus, of the others
  // (localOnly: this node's only). The socket gateway subscribes in build-app.ts.
  changes.subscribe('users', ({ user, before }) => users.userChanged(before, user ?? null));
  changes.subscribe('users', ({ userId }) => auth.forgetPrincipal(userId), { localOnly: true });
  changes.subscribe('api-keys', () => apiKeys.forgetCached());
  for (const topic of ['game-worlds', 'maintenance', 'whitelist', 'client-versions', 'notices'] as const) changes.subscribe(topic, () => client.invalidate());
  changes.subscribe('webhooks', () => {
    webhooks.forgetCached();
    worker.forget();
  });

  return { changes, users, apiKeys, auth, audit, worlds, instances, maintenance, whitelist, clientVersions, notices, scheduler, client, bus, box, loginFailures, webhooks, worker, dispatcher, eventFeed };
}

export type Services = ReturnType<typeof createServices>;

/** The services with the cluster parts the configuration asks for: with REDIS_URL, the Redis bus and login counters shared by every node. */
export async function createNodeServices(ctx: AppContext): Promise<Services> {
  const { config, log } = ctx;
  if (!config.redisUrl) return createServices(ctx);
  return createServices(
    ctx,
    await createRedisBus(config.redisUrl, log, config.redisPrefix, config.startupWaitMs),
    await redisFailureCounters(config.redisUrl, log, config.redisPrefix, config.startupWaitMs),
  );
}
