import type { Logger } from 'pino';
import { closeRedis, connectRedis } from '../../cluster/redis.ts';

/** Fixed-window failure counters: in this process, or in Redis so that every node shares them. */
export interface FailureCounters {
  /** Each key's failures in its current window and the ms until that window ends (0 and 0 when none). */
  read(keys: string[]): Promise<{ count: number; resetsInMs: number }[]>;
  /** Counts one failure on each key; a key's window starts with its first failure. */
  add(keys: string[], windowMs: number): Promise<void>;
  clear(key: string): Promise<void>;
  close(): Promise<void>;
}

export function memoryFailureCounters(now: () => number = Date.now): FailureCounters {
  const failures = new Map<string, { count: number; resetAt: number }>();
  const live = (key: string, t: number) => {
    const e = failures.get(key);
    return e && e.resetAt > t ? e : undefined;
  };
  return {
    read(keys) {
      const t = now();
      return Promise.resolve(keys.map((k) => {
        const e = live(k, t);
        return e ? { count: e.count, resetsInMs: e.resetAt - t } : { count: 0, resetsInMs: 0 };
      }));
    },
    add(keys, windowMs) {
      const t = now();
      if (failures.size > 100_000) for (const [k, e] of failures) if (e.resetAt <= t) failures.delete(k);
      for (const k of keys) {
        const e = live(k, t);
        if (e) e.count++;
        else failures.set(k, { count: 1, resetAt: t + windowMs });
      }
      return Promise.resolve();
    },
    clear(key) {
      failures.delete(key);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

/** INCR, and start the window on the first failure, in one step. */
const ADD = "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n";

/**
 * Counters shared by every node on one Redis (REDIS_URL), under `<prefix>:login:`. While Redis is unreachable
 * each node counts on its own (as without Redis) rather than let a login wait for a reconnect.
 */
export async function redisFailureCounters(url: string, log: Logger, prefix: string, waitMs = 0): Promise<FailureCounters> {
  const client = await connectRedis(url, log, { waitMs, purpose: 'login-counter' });
  const local = memoryFailureCounters();
  const k = (key: string) => `${prefix}:login:${key}`;
  const shared = async <T>(op: () => Promise<T>, fallback: () => Promise<T>): Promise<T> => {
    if (!client.isReady) return fallback();
    try {
      return await op();
    } catch (err) {
      log.warn({ err }, 'login counters: Redis failed; counting on this node');
      return fallback();
    }
  };
  return {
    read: (keys) =>
      shared(async () => {
        const m = client.multi();
        for (const key of keys) m.get(k(key)).pTTL(k(key));
        const r = (await m.exec()) as (string | number | null)[];
        return keys.map((_, i) => {
          const count = Number(r[2 * i] ?? 0);
          const ttl = Number(r[2 * i + 1]);
          return count > 0 && ttl > 0 ? { count, resetsInMs: ttl } : { count: 0, resetsInMs: 0 };
        });
      }, () => local.read(keys)),
    add: (keys, windowMs) =>
      shared(async () => {
        await Promise.all(keys.map((key) => client.eval(ADD, { keys: [k(key)], arguments: [String(windowMs)] })));
      }, () => local.add(keys, windowMs)),
    clear: (key) =>
      shared(async () => {
        await client.del(k(key));
      }, () => local.clear(key)),
    close: () => closeRedis(client),
  };
}

/**
 * Failed logins (and failed current-password checks) are counted per source IP, and per account *and* source
 * IP: an attacker guessing one account from a few addresses locks only those addresses out of it, and the
 * owner signing in from elsewhere is not refused. `account` is the normalised account key (see auth/service.ts).
 */
export class LoginLimiter {
  constructor(
    private readonly opts: { maxFailuresPerAccount: number; maxFailuresPerIp: number; windowSeconds: number },
    private readonly counters: FailureCounters,
  ) {}

  private keys(ip: string, account: string): [string, string] {
    return [`ip:${ip}`, `acct:${account}@${ip}`];
  }

  /** Seconds until the caller may try again, or 0 when it may try now. */
  async retryAfter(ip: string, account: string): Promise<number> {
    const [byIp, byAccount] = await this.counters.read(this.keys(ip, account));
    let wait = 0;
    for (const [e, max] of [[byIp, this.opts.maxFailuresPerIp], [byAccount, this.opts.maxFailuresPerAccount]] as const) {
      if (e.count >= max) wait = Math.max(wait, Math.ceil(e.resetsInMs / 1000));
    }
    return wait;
  }

  recordFailure(ip: string, account: string): Promise<void> {
    return this.counters.add(this.keys(ip, account), this.opts.windowSeconds * 1000);
  }

  recordSuccess(ip: string, account: string): Promise<void> {
    return this.counters.clear(this.keys(ip, account)[1]);
  }
}
