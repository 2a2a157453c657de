import type { Logger } from 'pino';
import type { createClient } from 'redis';
import { waitFor } from '../startup.ts';

export type RedisClient = ReturnType<typeof createClient>;

/**
 * A Redis client once it is connected. Start-up retries for `waitMs` and then fails with a line naming
 * REDIS_URL (node-redis alone would retry forever and never say why); once connected, the client reconnects
 * on its own after an outage, backing off up to 5 s, and `isReady` says whether it is connected now.
 */
export async function connectRedis(url: string, log: Logger, opts: { waitMs: number; purpose: string }): Promise<RedisClient> {
  let connected = false;
  // Loaded only by nodes that use Redis: a single node on its own never loads the client (with the adapter and the PostgreSQL client, ~20 MiB).
  const { createClient } = await import('redis');
  const client = createClient({ url, socket: { reconnectStrategy: (retries) => connected && Math.min(100 * 2 ** retries, 5000) } });
  client.on('error', (err: unknown) => {
    if (connected) log.warn({ err }, `${opts.purpose} redis connection error`);
  });
  await waitFor({ name: 'Redis', variable: 'REDIS_URL', url }, () => client.connect(), { waitMs: opts.waitMs, log });
  connected = true;
  return client;
}

/** Ends the connection: politely when connected, at once when not (QUIT would wait for a reconnect that may never come). */
export async function closeRedis(client: RedisClient): Promise<void> {
  await (client.isReady ? client.quit() : client.disconnect()).catch(() => undefined);
}
