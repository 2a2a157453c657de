import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { Monitoring } from '../monitoring/index.ts';

/**
 * How a route's answers below 400 are logged (its 4xx and 5xx always get their `info` line):
 * - `quiet`: at debug only — a route each game server calls every few seconds (heartbeats), whose lines would cost
 *   more than its work and drown everything else;
 * - `sampled`: at info at most once a second per route, the line counting (`skipped`) the answers since the
 *   previous one that were not logged at info; every other one at debug — the game-client API, which a launch
 *   storm calls thousands of times a second and where a line cost more than the answer.
 */
export type RequestLogMode = 'quiet' | 'sampled';

declare module 'fastify' {
  interface FastifyContextConfig {
    requestLog?: RequestLogMode;
  }
}

export type RecordRequest = (reqId: string, method: string, route: string, status: number, ms: number, mode?: RequestLogMode) => void;

/** A sampled route writes an info line when at least this long has passed since its previous one. */
export const SAMPLE_INTERVAL_MS = 1000;

/**
 * What every answered request goes through, whichever entry answered it (Fastify's routes or the game-client
 * fast path): the request metrics, and its `request` log line (see RequestLogMode). Undefined when neither is
 * wanted, so the entries skip the call entirely.
 */
export function requestRecorder(monitoring: Monitoring, logger: Logger, clock: Clock): RecordRequest | undefined {
  const count = monitoring.requestMetrics;
  const info = logger.isLevelEnabled('info');
  const debug = logger.isLevelEnabled('debug');
  if (!count && !info) return undefined;
  /** Per sampled route: when its last info line was written, and the answers not logged at info since. */
  const samples = new Map<string, { at: number; skipped: number }>();
  const line = (level: 'info' | 'debug', reqId: string, method: string, route: string, status: number, ms: number, skipped?: number) =>
    logger[level]({ reqId, method, route, status, ms: Math.round(ms * 100) / 100, ...(skipped ? { skipped } : {}) }, 'request');

  return (reqId, method, route, status, ms, mode) => {
    if (count) {
      monitoring.stats.record(method, route, status, ms);
      monitoring.series.record(status, ms);
    }
    if (!info) return;
    if (mode === undefined || status >= 400) return line('info', reqId, method, route, status, ms);
    if (mode === 'sampled') {
      const now = clock.now().getTime();
      const sample = samples.get(route);
      if (!sample || now - sample.at >= SAMPLE_INTERVAL_MS) {
        samples.set(route, { at: now, skipped: 0 });
        return line('info', reqId, method, route, status, ms, sample?.skipped);
      }
      sample.skipped++;
    }
    if (debug) line('debug', reqId, method, route, status, ms);
  };
}
