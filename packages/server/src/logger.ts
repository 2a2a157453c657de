import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';

/** Paths that may carry secrets; pino replaces them before a line is written. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.passwordHash',
  '*.password_hash',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  '*.secret',
  '*.key',
  '*.apiKey',
];

export function createLogger(config: Pick<Config, 'logLevel' | 'logPretty'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    base: { service: 'gatrix' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (config.logPretty && !destination) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:standard' } } });
  }
  return destination ? pino(options, destination) : pino(options);
}
