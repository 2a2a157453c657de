import type { Logger } from 'pino';

export interface Schedulable {
  runDueTransitions(): Promise<number>;
}

/**
 * Starts and ends maintenance windows on time. Every node runs one; the transitions are claimed in the
 * database (see window.ts), so running several is safe. Ticks never overlap.
 */
export function createScheduler(parts: Schedulable[], log: Logger, intervalMs = 1000) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function tick(): Promise<number> {
    let made = 0;
    for (const p of parts) made += await p.runDueTransitions();
    return made;
  }

  return {
    /** One pass now; resolves with the number of transitions this node made. */
    tick(): Promise<number> {
      running ??= tick().finally(() => (running = undefined));
      return running;
    },
    start(): void {
      timer ??= setInterval(() => {
        this.tick().catch((err: unknown) => log.error({ err }, 'maintenance scheduler tick failed'));
      }, intervalMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
