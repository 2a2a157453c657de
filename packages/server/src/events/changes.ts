import type { Logger } from 'pino';
import type { Bus } from '../cluster/bus.ts';

/**
 * The topics of the change feed and what each carries, declared by the feature that publishes it:
 *
 *     declare module '../../events/changes.ts' {
 *       interface ChangeTopics {
 *         users: { userId: number; user: PublicUser | undefined };
 *       }
 *     }
 *
 * A topic's name is what crosses the Redis bus, and its data goes there as JSON (data from a node of another
 * version may lack fields; subscribers that take remote changes only drop caches).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by module augmentation
export interface ChangeTopics {}

export type ChangeTopic = keyof ChangeTopics & string;

export type ChangeSubscriber<T extends ChangeTopic> = (data: ChangeTopics[T]) => void | Promise<void>;

export interface SubscribeOptions {
  /**
   * Only changes made on this node. For a subscriber whose work already reaches every node (the socket gateway
   * acts through its Redis adapter), where hearing the other nodes' changes too would do it twice.
   */
  localOnly?: boolean;
}

/** Tells caches that something changed, after the change committed: on this node, and on the others over the bus. */
export interface ChangeFeed {
  /** Delivers to this node's subscribers at once, in the order they subscribed, then to the other nodes. */
  publish<T extends ChangeTopic>(topic: T, data: ChangeTopics[T]): void;
  subscribe<T extends ChangeTopic>(topic: T, subscriber: ChangeSubscriber<T>, opts?: SubscribeOptions): void;
}

interface Subscription {
  fn: (data: unknown) => void | Promise<void>;
  localOnly: boolean;
}

/**
 * The node's change feed. Without a bus (or with the local one) changes stay on this node; with the Redis bus a
 * change travels as `{node, topic, data}` and each node ignores its own. A subscriber that throws (or rejects)
 * is logged; the publisher and the other subscribers go on.
 */
export function createChangeFeed(log: Logger, bus?: Bus): ChangeFeed {
  const subscriptions = new Map<string, Subscription[]>();

  function deliver(topic: string, data: unknown, remote: boolean): void {
    for (const s of subscriptions.get(topic) ?? []) {
      if (remote && s.localOnly) continue;
      try {
        const r = s.fn(data);
        if (r instanceof Promise) r.catch((err: unknown) => log.error({ err, topic }, 'a change subscriber failed'));
      } catch (err) {
        log.error({ err, topic }, 'a change subscriber failed');
      }
    }
  }

  return {
    publish(topic, data) {
      deliver(topic, data, false);
      bus?.publish(topic, data);
    },
    subscribe(topic, subscriber, opts = {}) {
      const list = subscriptions.get(topic);
      const s = { fn: subscriber as Subscription['fn'], localOnly: opts.localOnly === true };
      if (list) list.push(s);
      else {
        subscriptions.set(topic, [s]);
        bus?.subscribe(topic, (data) => deliver(topic, data, true));
      }
    },
  };
}
