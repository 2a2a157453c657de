import type { Logger } from 'pino';
import type { Clock } from './core/clock.ts';
import type { Config } from './config.ts';
import type { Db } from './db/index.ts';
import type { Dialect } from './db/dialect.ts';

/** What services are built from: plain values, no container. */
export interface AppContext {
  config: Config;
  db: Db;
  /** Connections of their own for the webhook delivery worker (PostgreSQL; DatabaseHandle.background). */
  backgroundDb?: Db;
  dialect: Dialect;
  clock: Clock;
  log: Logger;
}

/**
 * How long a node may reuse data it cached from the database without hearing of a change (docs/client-api.md):
 * with Redis, other nodes announce their changes on the bus, so the age is only a safety net; several nodes may
 * share PostgreSQL without a bus, so there it bounds how stale a node can be; on SQLite this node is the only
 * writer and hears every change itself, so `singleNodeMs` applies.
 */
export function sharedCacheMaxAgeMs(ctx: AppContext, singleNodeMs: number): number {
  if (ctx.config.redisUrl) return 30_000;
  return ctx.dialect === 'postgres' ? 2_000 : singleNodeMs;
}

const wroteEvents = new WeakSet<object>();
const commitListeners = new WeakMap<object, (() => void)[]>();

/** Called by writeEvent: this transaction carries outbox events. */
export function markEventsWritten(trx: Db): void {
  wroteEvents.add(trx);
}

/** Runs `listener` after every committed transaction on `db` that wrote outbox events (wakes the dispatcher). */
export function onEventsCommitted(db: Db, listener: () => void): void {
  commitListeners.set(db, [...(commitListeners.get(db) ?? []), listener]);
}

/** Runs fn in one transaction; services build their stores on the handle it receives. */
export async function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  let wrote = false;
  const result = await db.transaction().execute(async (trx) => {
    const r = await fn(trx);
    wrote = wroteEvents.has(trx);
    return r;
  });
  if (wrote) for (const l of commitListeners.get(db) ?? []) l();
  return result;
}
