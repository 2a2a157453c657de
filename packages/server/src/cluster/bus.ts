import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { closeRedis, connectRedis } from './redis.ts';

/**
 * Tells the other Gatrix nodes that something changed (cache invalidation); the change feed (events/changes.ts)
 * rides it. On one node it is a no-op: the feed delivers this node's changes itself; with REDIS_URL it rides
 * Redis pub/sub as `{node, topic, data}`, and a node does not hear its own messages.
 */
export interface Bus {
  readonly nodeId: string;
  /** `data` travels as JSON. */
  publish(topic: string, data?: unknown): void;
  subscribe(topic: string, listener: (data: unknown) => void): void;
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
  const listeners = new Map<string, ((data: unknown) => void)[]>();
  await sub.subscribe(channel, (raw) => {
    try {
      const msg = JSON.parse(raw) as { node: string; topic: string; data?: unknown };
      if (msg.node === nodeId) return;
      for (const l of listeners.get(msg.topic) ?? []) l(msg.data);
    } catch (err) {
      log.warn({ err }, 'ignored a malformed bus message');
    }
  });
  return {
    nodeId,
    publish(topic, data) {
      pub.publish(channel, JSON.stringify({ node: nodeId, topic, data })).catch((err: unknown) => log.warn({ err, topic }, 'bus publish failed'));
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
