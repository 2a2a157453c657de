import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { closeRedis, connectRedis } from './redis.ts';

/**
 * Tells the other Gatrix nodes that something changed (cache invalidation). On one node it is a no-op:
 * local listeners are called directly by the services; with REDIS_URL it rides Redis pub/sub.
 */
export interface Bus {
  readonly nodeId: string;
  publish(topic: string): void;
  subscribe(topic: string, listener: () => void): void;
  /** False while the connection to Redis is down (always true without Redis). */
  ready(): boolean;
  close(): Promise<void>;
}

export function createLocalBus(): Bus {
  return { nodeId: randomUUID(), publish: () => undefined, subscribe: () => undefined, ready: () => true, close: async () => undefined };
}

/**
 * `prefix` keeps deployments that share one Redis apart (GATRIX_REDIS_PREFIX); an unreachable Redis is retried
 * for `waitMs` (GATRIX_STARTUP_WAIT_SECONDS) before this fails.
 */
export async function createRedisBus(url: string, log: Logger, prefix = 'gatrix', waitMs = 0): Promise<Bus> {
  const channel = `${prefix}:bus`;
  const nodeId = randomUUID();
  const pub = await connectRedis(url, log, { waitMs, purpose: 'bus' });
  const sub = await connectRedis(url, log, { waitMs, purpose: 'bus' });
  const listeners = new Map<string, (() => void)[]>();
  await sub.subscribe(channel, (raw) => {
    try {
      const msg = JSON.parse(raw) as { node: string; topic: string };
      if (msg.node === nodeId) return;
      for (const l of listeners.get(msg.topic) ?? []) l();
    } catch (err) {
      log.warn({ err }, 'ignored a malformed bus message');
    }
  });
  return {
    nodeId,
    publish(topic) {
      pub.publish(channel, JSON.stringify({ node: nodeId, topic })).catch((err: unknown) => log.warn({ err, topic }, 'bus publish failed'));
    },
    subscribe(topic, listener) {
      listeners.set(topic, [...(listeners.get(topic) ?? []), listener]);
    },
    ready: () => pub.isReady && sub.isReady,
    async close() {
      await Promise.all([closeRedis(sub), closeRedis(pub)]);
    },
  };
}
