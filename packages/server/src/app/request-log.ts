import type { Logger } from 'pino';
import type { Monitoring } from '../monitoring/index.ts';

export type RecordRequest = (reqId: string, method: string, route: string, status: number, ms: number) => void;

/**
 * What every answered request goes through, whichever entry answered it (Fastify's routes or the game-client
 * fast path): the request metrics, and one `request` log line when info is logged. Undefined when neither is
 * wanted, so the entries skip the call entirely.
 */
export function requestRecorder(monitoring: Monitoring, logger: Logger): RecordRequest | undefined {
  const count = monitoring.requestMetrics;
  const log = logger.isLevelEnabled('info');
  if (!count && !log) return undefined;
  return (reqId, method, route, status, ms) => {
    if (count) {
      monitoring.stats.record(method, route, status, ms);
      monitoring.series.record(status, ms);
    }
    if (log) logger.info({ reqId, method, route, status, ms: Math.round(ms * 100) / 100 }, 'request');
  };
}
