import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.ts';
import type { Dialect } from '../../db/dialect.ts';
import type { Claimed, DeliveryStore } from './delivery-store.ts';

/** How often a node records that its worker is alive… */
const HEARTBEAT_MS = 5_000;
/** …and how long after its last heartbeat another node takes over its deliveries. */
export const NODE_STALE_MS = 15_000;

/**
 * This process as a delivery node: its row and heartbeat in webhook_nodes, and the deliveries it leases. Another
 * node judges this node's leases by its heartbeat; on SQLite, where the data-dir lock makes this process the only
 * one, registering releases the previous run's leases instead.
 */
export function createWorkerNode(deps: { store: DeliveryStore; clock: Clock; log: Logger; dialect: Dialect; leaseMs: number }) {
  const { store, clock, log } = deps;
  const id = `${os.hostname().slice(0, 40)}:${process.pid}:${randomBytes(4).toString('hex')}`;
  /** Settles once this node's row is written (and, on SQLite, the previous run's leases are released). */
  let registered: Promise<void> | undefined;
  let heartbeat: NodeJS.Timeout | undefined;

  /** Writes this node's heartbeat (the row again, if another node removed it while this one was stalled). */
  const beat = () => store.beat(id, clock.now().toISOString());

  return {
    id,
    /** Once per start (again after a failure): the heartbeat row, forgetting dead nodes, and on SQLite the previous run's leases. */
    register(): Promise<void> {
      registered ??= (async () => {
        await beat();
        await store.forgetNodesBefore(new Date(clock.now().getTime() - NODE_STALE_MS).toISOString());
        // One process per SQLite database (the data-dir lock): whatever is still leased was leased by a run that died.
        if (deps.dialect === 'sqlite') {
          const released = await store.releaseAllLeases(clock.now().toISOString());
          if (released > 0) log.info({ released }, 'released the webhook deliveries the previous run had in flight');
        }
      })().catch((err: unknown) => {
        registered = undefined;
        throw err;
      });
      return registered;
    },
    startHeartbeat(): void {
      heartbeat ??= setInterval(() => void beat().catch((err: unknown) => log.error({ err }, 'webhook node heartbeat failed')), HEARTBEAT_MS);
      heartbeat.unref();
    },
    /** Leases up to `limit` due deliveries for leaseMs (with `expired`, first those of crashed or dead nodes). */
    claim(limit: number, expired: boolean): Promise<Claimed[]> {
      const now = clock.now();
      return store.claim({
        nodeId: id,
        at: now.toISOString(),
        leaseUntil: new Date(now.getTime() + deps.leaseMs).toISOString(),
        staleBefore: new Date(now.getTime() - NODE_STALE_MS).toISOString(),
        limit,
        expired,
      });
    },
    /** Stops the heartbeat and removes this node's row (if it was written). */
    async leave(): Promise<void> {
      clearInterval(heartbeat);
      heartbeat = undefined;
      if (registered) {
        registered = undefined;
        await store.removeNode(id);
      }
    },
  };
}
