import type { Logger } from 'pino';
import type { Claimed } from './delivery-store.ts';

/** Most deliveries one claim takes. */
const CLAIM_MAX = 200;

/**
 * Claims due deliveries while slots are free and starts them. New or newly due deliveries (wake) claim at once;
 * otherwise, while attempts are in flight, a finished one does not claim its replacement by itself: the loop claims
 * again once a quarter of its slots (at most a claim's worth) are free, so a busy worker makes one claim per batch
 * of deliveries, not one per delivery. One claim runs at a time.
 */
export function createClaimLoop(deps: {
  concurrency: number;
  /** Attempts running, and claimed deliveries waiting for their endpoint (they hold leases too, so they count against `concurrency`). */
  slots: { readonly inFlight: number; readonly queued: number };
  register: () => Promise<void>;
  claim: (limit: number, expired: boolean) => Promise<Claimed[]>;
  start: (d: Claimed) => void;
  log: Logger;
}) {
  const { concurrency, slots } = deps;
  const refillAt = Math.max(1, Math.min(CLAIM_MAX, Math.floor(concurrency / 4)));
  let pumping: Promise<void> | undefined;
  let pumpAgain = false;
  /** New or newly due deliveries may be waiting: claim even if few slots are free. */
  let urgent = false;
  /** The last claim got all it asked for, so more may be due: refill as slots free up. */
  let more = false;
  /** The next claim also takes deliveries whose lease ran out (set by the poll). */
  let sweep = false;
  let stopped = true;

  async function pump(): Promise<void> {
    // Another node judges this node's leases by its heartbeat row: none is taken before the row exists.
    await deps.register();
    do {
      pumpAgain = false;
      let force = urgent;
      urgent = false;
      while (!stopped) {
        const busy = slots.inFlight + slots.queued;
        const free = concurrency - busy;
        if (free <= 0 || (!force && (!more || (busy > 0 && free < refillAt)))) break;
        force = false;
        const want = Math.min(CLAIM_MAX, free);
        const expired = sweep;
        sweep = false;
        const batch = await deps.claim(want, expired);
        // Fewer than asked for: nothing more is due now (new deliveries wake the worker again).
        more = batch.length === want;
        for (const d of batch) deps.start(d);
      }
    } while (pumpAgain && !stopped);
  }

  function pumpSoon(isUrgent: boolean): Promise<void> {
    if (stopped) return Promise.resolve();
    if (isUrgent) urgent = true;
    if (pumping) {
      pumpAgain = true;
      return pumping;
    }
    pumping = pump()
      .catch((err: unknown) => deps.log.error({ err }, 'webhook claim failed'))
      .finally(() => {
        pumping = undefined;
        // A wake between pump's last check and here would otherwise wait for the poll.
        if (pumpAgain) void pumpSoon(urgent);
      });
    return pumping;
  }

  return {
    /** Look for due deliveries now; with `sweep`, also for those whose lease ran out. */
    wake(withSweep = false): Promise<void> {
      if (withSweep) sweep = true;
      return pumpSoon(true);
    },
    /** Claims more when enough slots are free (see refillAt) and the last claim left some. */
    refill(): void {
      const busy = slots.inFlight + slots.queued;
      if (!stopped && more && concurrency - busy >= (busy === 0 ? 1 : refillAt)) void pumpSoon(false);
    },
    run(): void {
      stopped = false;
    },
    /** Stops claiming; settles when the claim under way (if any) has. */
    async halt(): Promise<void> {
      stopped = true;
      await pumping;
    },
  };
}
