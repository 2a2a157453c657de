/**
 * Attempt slots: at most `perEndpoint` attempts run per endpoint at once; a delivery beyond that waits in its
 * endpoint's queue and starts when one of them finishes.
 */
export function createSlots<T extends { webhookId: number }>(deps: { perEndpoint: number; run: (d: T) => Promise<void>; settled: () => void }) {
  const running = new Map<number, number>();
  const waiting = new Map<number, T[]>();
  let inFlight = 0;
  /** Deliveries waiting for a free slot of their endpoint. */
  let queued = 0;

  function start(d: T): void {
    const n = running.get(d.webhookId) ?? 0;
    if (n >= deps.perEndpoint) {
      const queue = waiting.get(d.webhookId);
      if (queue) queue.push(d);
      else waiting.set(d.webhookId, [d]);
      queued++;
      return;
    }
    running.set(d.webhookId, n + 1);
    inFlight++;
    void deps.run(d).finally(() => {
      inFlight--;
      running.set(d.webhookId, (running.get(d.webhookId) ?? 1) - 1);
      const queue = waiting.get(d.webhookId);
      const next = queue?.shift();
      if (queue?.length === 0) waiting.delete(d.webhookId);
      if (next) {
        queued--;
        start(next);
      }
      deps.settled();
    });
  }

  return {
    start,
    get inFlight(): number {
      return inFlight;
    },
    get queued(): number {
      return queued;
    },
  };
}
