import type { Logger } from 'pino';
import type { Monitoring } from '../monitoring/index.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route's answers below 400 are logged at debug rather than info: a route each game server calls every few
     * seconds (heartbeats), whose lines would cost more than its work and drown everything else. Its errors stay at info.
     */
    quietLog?: boolean;
  }
}

export type RecordRequest = (reqId: string, method: string, route: string, status: number, ms: number, quiet?: boolean) => void;

/**
 * What every answered request goes through, whichever entry answered it (Fastify's routes or the game-client
 * fast path): the request metrics, and one `request` log line when info is logged. Undefined when neither is
 * wanted, so the entries skip the call entirely.
 */
export function requestRecorder(monitoring: Monitoring, logger: Logger): RecordRequest | undefined {
  const count = monitoring.requestMetrics;
  const log = logger.isLevelEnabled('info');
  const debug = logger.isLevelEnabled('debug');
  if (!count && !log) return undefined;
  return (reqId, method, route, status, ms, quiet) => {
    if (count) {
      monitoring.stats.record(method, route, status, ms);
      monitoring.series.record(status, ms);
    }
    const level = quiet && status < 400 ? 'debug' : 'info';
    if (level === 'debug' ? debug : log) logger[level]({ reqId, method, route, status, ms: Math.round(ms * 100) / 100 }, 'request');
  };
}
