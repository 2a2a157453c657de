import type { Logger } from 'pino';
import type { Services } from './services.ts';

/** The node's background work: scheduler, event dispatcher, webhook worker, instance sweep, retention (deliveries, events). main.ts starts it. */
export function startBackground(services: Services, log: Logger): () => Promise<void> {
  services.scheduler.start();
  services.dispatcher.start();
  services.worker.start();
  services.instances.start((err) => log.error({ err }, 'world instance sweep failed'));
  const prune = setInterval(() => {
    services.worker.prune().catch((err: unknown) => log.error({ err }, 'webhook retention failed'));
    services.eventFeed.prune().catch((err: unknown) => log.error({ err }, 'event retention failed'));
  }, 3_600_000);
  prune.unref();
  return async () => {
    clearInterval(prune);
    await Promise.all([services.scheduler.stop(), services.dispatcher.stop(), services.worker.stop(), services.instances.stop()]);
  };
}

