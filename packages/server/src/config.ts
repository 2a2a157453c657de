import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { passwordProblem } from './core/password-policy.ts';

/** Every setting Gatrix reads, parsed and validated once at start. */
export interface Config {
  port: number;
  host: string;
  /** postgres://… to use PostgreSQL; undefined means the embedded SQLite file. */
  databaseUrl?: string;
  dataDir: string;
  /** HS256 key for access tokens. */
  jwtSecret: string;
  /** 32-byte key that encrypts secrets at rest (webhook secrets). */
  encryptionKey: Buffer;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  admin: { username: string; email: string; password?: string };
  /** TRUST_PROXY: false, true, a hop count or a list of addresses/CIDRs; http/client-ip.ts turns it into the client-IP rule. */
  trustProxy: boolean | number | string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  logPretty: boolean;
  bodyLimitBytes: number;
  login: { maxFailuresPerAccount: number; maxFailuresPerIp: number; windowSeconds: number };
  redisUrl?: string;
  /** Prefix of every Redis key and channel: deployments sharing one Redis must each have their own. */
  redisPrefix: string;
  metricsToken?: string;
  monitoring: {
    /** Record per-request figures (JSON metrics and the HTTP histograms); off only to measure what they cost. */
    requestMetrics: boolean;
    /** Sentry-protocol DSN errors are forwarded to; unset forwards nothing. */
    errorDsn?: string;
    environment?: string;
    /** How often each node writes its current minute of the monitoring time series (GATRIX_TIMESERIES_FLUSH_MS). */
    timeseriesFlushMs: number;
  };
  /** How often each node checks for maintenance windows to start or end. */
  schedulerIntervalMs: number;
  /** A world instance not heard from this long is marked down (GATRIX_INSTANCE_TTL, seconds). */
  instanceTtlMs: number;
  webhooks: WebhookConfig;
  sockets: {
    maxPerCredential: number;
    connectionsPerIpPer10s: number;
    /** Connection-state recovery's buffer on this node: packets and bytes kept at most; maxEvents 0 turns recovery off. */
    recovery: { maxEvents: number; maxBytes: number };
  };
  http: HttpLimits;
  /** How long start-up keeps retrying an unreachable database or Redis before it gives up. */
  startupWaitMs: number;
  /** The event feed (GET /api/v1/events). */
  eventFeed: {
    /** Dispatched events older than this are deleted (GATRIX_EVENT_RETENTION). */
    retentionMs: number;
    /** Long-polling requests one node holds at once; more get 429 (GATRIX_EVENT_FEED_MAX_WAITERS). */
    maxWaiters: number;
  };
  /** The operator console served at `/`: GATRIX_CONSOLE=off serves none; `dir` is the built app (GATRIX_CONSOLE_DIR). */
  console: { enabled: boolean; dir: string };
  /** User list totals up to this many are counted exactly; larger ones are estimated (GATRIX_USERS_EXACT_TOTAL_MAX). */
  usersExactTotalMax: number;
}

export interface HttpLimits {
  /** Time allowed to receive a whole request (headers and body). */
  requestTimeoutMs: number;
  /** Time allowed to receive a request's headers. */
  headersTimeoutMs: number;
  /** Open connections (HTTP and Socket.IO) one node accepts; past it new ones are closed at once. */
  maxConnections: number;
}

export interface WebhookConfig {
  allowPrivateNetworks: boolean;
  /** Delay before each retry, in ms; its length is the number of retries. */
  retryScheduleMs: number[];
  timeoutMs: number;
  connectTimeoutMs: number;
  /** An endpoint failing continuously this long is disabled. */
  disableAfterMs: number;
  retentionMs: number;
  rotationGraceMs: number;
  concurrency: number;
  concurrencyPerEndpoint: number;
}

/** Seconds: 5s, 30s, 2m, 5m, 15m, 30m, 1h, 2h, 4h, 8h, 8h — about a day in all (±20% jitter each). */
const DEFAULT_RETRY_SCHEDULE = '5,30,120,300,900,1800,3600,7200,14400,28800,28800';

function retrySchedule(env: Env): number[] {
  const raw = str(env, 'GATRIX_WEBHOOK_RETRY_SCHEDULE') ?? DEFAULT_RETRY_SCHEDULE;
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length > 50 || parts.some((p) => !/^\d+(\.\d+)?$/.test(p) || Number(p) > 7 * 86_400)) {
    throw new ConfigError('GATRIX_WEBHOOK_RETRY_SCHEDULE', 'must be a comma-separated list of at most 50 delays in seconds, each at most 7 days');
  }
  return parts.map((p) => Math.round(Number(p) * 1000));
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = str(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function trustProxy(env: Env): Config['trustProxy'] {
  const raw = str(env, 'TRUST_PROXY');
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const parts = raw.split(',').map((p) => p.trim());
  for (const p of parts) {
    if (!/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(p) && !['loopback', 'linklocal', 'uniquelocal'].includes(p)) {
      throw new ConfigError('TRUST_PROXY', `"${p}" is not an IP address, CIDR, hop count, true or false`);
    }
  }
  return parts;
}

/** 0 turns recovery off; below 1,000 the Redis stream that carries emits between nodes could lose some. */
function recoveryMaxEvents(env: Env): number {
  const n = int(env, 'GATRIX_SOCKET_RECOVERY_MAX_EVENTS', 10_000, 0, 10_000_000);
  if (n > 0 && n < 1000) throw new ConfigError('GATRIX_SOCKET_RECOVERY_MAX_EVENTS', `must be 0 (recovery off) or at least 1000, got ${n}`);
  return n;
}

const DURATION_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as `7d`, `36h`, `90m` or `600s`, between `minMs` and `maxMs`. */
function duration(env: Env, name: string, fallback: string, minMs: number, maxMs: number): number {
  const raw = str(env, name) ?? fallback;
  const m = /^(\d{1,9})([smhd])$/.exec(raw);
  const ms = m ? Number(m[1]) * DURATION_UNITS[m[2]] : NaN;
  if (!(ms >= minMs && ms <= maxMs)) {
    throw new ConfigError(name, `must be a duration like 7d, 36h, 90m or 600s, between ${minMs / 1000}s and ${maxMs / 86_400_000}d, got "${raw}"`);
  }
  return ms;
}

function redisPrefix(env: Env): string {
  const prefix = str(env, 'GATRIX_REDIS_PREFIX') ?? 'gatrix';
  if (!/^[\w.-]{1,64}$/.test(prefix)) throw new ConfigError('GATRIX_REDIS_PREFIX', 'must be 1 to 64 letters, digits, ".", "_" or "-"');
  return prefix;
}

function metricsToken(env: Env): string | undefined {
  const token = str(env, 'METRICS_TOKEN');
  if (token !== undefined && (token.length < 16 || /\s/.test(token))) throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters without spaces');
  return token;
}

function errorDsn(env: Env): string | undefined {
  const dsn = str(env, 'SENTRY_DSN');
  if (dsn !== undefined && !parseDsn(dsn)) throw new ConfigError('SENTRY_DSN', 'must be a DSN like https://<key>@<host>/<project id>');
  return dsn;
}

interface StoredSecrets {
  jwtSecret: string;
  encryptionKey: string;
}

/** Secrets not given in the environment are generated once and kept in the data dir, readable by the owner only. */
function loadOrCreateSecrets(dataDir: string): StoredSecrets {
  const file = path.join(dataDir, 'secrets.json');
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<StoredSecrets>;
    if (typeof parsed.jwtSecret === 'string' && typeof parsed.encryptionKey === 'string') {
      return { jwtSecret: parsed.jwtSecret, encryptionKey: parsed.encryptionKey };
    }
  }
  const secrets: StoredSecrets = {
    jwtSecret: randomBytes(48).toString('base64url'),
    encryptionKey: randomBytes(32).toString('base64'),
  };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return secrets;
}

function httpLimits(env: Env): HttpLimits {
  const requestTimeoutMs = int(env, 'GATRIX_REQUEST_TIMEOUT_MS', 30_000, 1000, 600_000);
  const headersTimeoutMs = int(env, 'GATRIX_HEADERS_TIMEOUT_MS', Math.min(10_000, requestTimeoutMs), 1000, 600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError('GATRIX_HEADERS_TIMEOUT_MS', `must not exceed GATRIX_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);
  }
  return { requestTimeoutMs, headersTimeoutMs, maxConnections: int(env, 'GATRIX_MAX_CONNECTIONS', 10_000, 1, 1_000_000) };
}

/** packages/console/dist of this checkout: where `npm run build -w @gatrix/console` writes the console. */
export const DEFAULT_CONSOLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../console/dist');

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: Env = process.env): Config {
  const dataDir = path.resolve(str(env, 'GATRIX_DATA_DIR') ?? './data');
  const databaseUrl = str(env, 'DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must start with postgres:// (leave it unset for the embedded SQLite database)');
  }
  const redisUrl = str(env, 'REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError('REDIS_URL', 'must start with redis:// or rediss://');
  }
  const logLevel = (str(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }

  const envJwt = str(env, 'JWT_SECRET');
  if (envJwt !== undefined && envJwt.length < 32) {
    throw new ConfigError('JWT_SECRET', 'must be at least 32 characters');
  }
  const envKey = str(env, 'GATRIX_ENCRYPTION_KEY');
  let encryptionKey: Buffer | undefined;
  if (envKey !== undefined) {
    encryptionKey = Buffer.from(envKey, 'base64');
    if (encryptionKey.length !== 32) {
      throw new ConfigError('GATRIX_ENCRYPTION_KEY', 'must be 32 bytes, base64-encoded');
    }
  }
  const stored = envJwt === undefined || encryptionKey === undefined ? loadOrCreateSecrets(dataDir) : undefined;

  const adminEmail = str(env, 'GATRIX_ADMIN_EMAIL') ?? 'admin@localhost';
  if (!/^[^\s@]+@[^\s@]+$/.test(adminEmail)) {
    throw new ConfigError('GATRIX_ADMIN_EMAIL', 'must be an email address');
  }
  const adminUsername = str(env, 'GATRIX_ADMIN_USERNAME') ?? 'admin';
  const adminPassword = str(env, 'GATRIX_ADMIN_PASSWORD');
  const adminPasswordProblem = adminPassword && passwordProblem(adminPassword, { username: adminUsername, email: adminEmail });
  if (adminPasswordProblem) throw new ConfigError('GATRIX_ADMIN_PASSWORD', adminPasswordProblem);

  return {
    port: int(env, 'PORT', 3000, 0, 65535),
    host: str(env, 'HOST') ?? '0.0.0.0',
    databaseUrl,
    dataDir,
    jwtSecret: envJwt ?? stored!.jwtSecret,
    encryptionKey: encryptionKey ?? Buffer.from(stored!.encryptionKey, 'base64'),
    accessTokenTtlSeconds: int(env, 'GATRIX_ACCESS_TOKEN_TTL', 900, 30, 86_400),
    refreshTokenTtlSeconds: int(env, 'GATRIX_REFRESH_TOKEN_TTL', 30 * 86_400, 60, 365 * 86_400),
    admin: {
      username: adminUsername,
      email: adminEmail.toLowerCase(),
      password: adminPassword,
    },
    trustProxy: trustProxy(env),
    logLevel: logLevel as Config['logLevel'],
    logPretty: bool(env, 'GATRIX_LOG_PRETTY', false),
    bodyLimitBytes: int(env, 'GATRIX_BODY_LIMIT', 1_048_576, 1024, 100 * 1_048_576),
    login: {
      maxFailuresPerAccount: int(env, 'GATRIX_LOGIN_MAX_FAILURES_PER_ACCOUNT', 5, 1, 1000),
      maxFailuresPerIp: int(env, 'GATRIX_LOGIN_MAX_FAILURES_PER_IP', 20, 1, 100_000),
      windowSeconds: int(env, 'GATRIX_LOGIN_WINDOW', 900, 1, 86_400),
    },
    redisUrl,
    redisPrefix: redisPrefix(env),
    metricsToken: metricsToken(env),
    monitoring: {
      requestMetrics: bool(env, 'GATRIX_REQUEST_METRICS', true),
      errorDsn: errorDsn(env),
      environment: str(env, 'SENTRY_ENVIRONMENT'),
      timeseriesFlushMs: int(env, 'GATRIX_TIMESERIES_FLUSH_MS', 60_000, 100, 60_000),
    },
    schedulerIntervalMs: int(env, 'GATRIX_SCHEDULER_INTERVAL_MS', 1000, 50, 60_000),
    instanceTtlMs: int(env, 'GATRIX_INSTANCE_TTL', 30, 1, 3600) * 1000,
    sockets: {
      maxPerCredential: int(env, 'GATRIX_SOCKET_MAX_PER_CREDENTIAL', 100, 1, 1_000_000),
      connectionsPerIpPer10s: int(env, 'GATRIX_SOCKET_CONNECTIONS_PER_IP', 200, 1, 1_000_000),
      recovery: {
        maxEvents: recoveryMaxEvents(env),
        maxBytes: int(env, 'GATRIX_SOCKET_RECOVERY_MAX_BYTES', 8 * 1_048_576, 65_536, 1024 * 1_048_576),
      },
    },
    http: httpLimits(env),
    startupWaitMs: int(env, 'GATRIX_STARTUP_WAIT_SECONDS', 60, 0, 3600) * 1000,
    eventFeed: {
      retentionMs: duration(env, 'GATRIX_EVENT_RETENTION', '7d', 60_000, 3650 * 86_400_000),
      maxWaiters: int(env, 'GATRIX_EVENT_FEED_MAX_WAITERS', 1000, 1, 100_000),
    },
    console: { enabled: bool(env, 'GATRIX_CONSOLE', true), dir: path.resolve(str(env, 'GATRIX_CONSOLE_DIR') ?? DEFAULT_CONSOLE_DIR) },
    usersExactTotalMax: int(env, 'GATRIX_USERS_EXACT_TOTAL_MAX', 10_000, 1, 100_000_000),
    webhooks: {
      allowPrivateNetworks: bool(env, 'GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS', false),
      retryScheduleMs: retrySchedule(env),
      timeoutMs: int(env, 'GATRIX_WEBHOOK_TIMEOUT_MS', 15_000, 100, 120_000),
      connectTimeoutMs: int(env, 'GATRIX_WEBHOOK_CONNECT_TIMEOUT_MS', 5_000, 100, 60_000),
      disableAfterMs: int(env, 'GATRIX_WEBHOOK_DISABLE_AFTER_HOURS', 120, 1, 24 * 365) * 3_600_000,
      retentionMs: int(env, 'GATRIX_WEBHOOK_RETENTION_DAYS', 30, 1, 3650) * 86_400_000,
      rotationGraceMs: int(env, 'GATRIX_WEBHOOK_ROTATION_GRACE_HOURS', 24, 0, 24 * 30) * 3_600_000,
      concurrency: int(env, 'GATRIX_WEBHOOK_CONCURRENCY', 256, 1, 10_000),
      concurrencyPerEndpoint: int(env, 'GATRIX_WEBHOOK_CONCURRENCY_PER_ENDPOINT', 64, 1, 10_000),
    },
  };
}

/** loadConfig for a process entry point (server, CLI): a bad value ends the process with one line naming it. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`gatrix: invalid configuration: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** The parts of a Sentry DSN (`https://<public key>@<host>/<project id>`); undefined when it is not one. */
export function parseDsn(dsn: string): { envelopeUrl: string; publicKey: string } | undefined {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    return undefined;
  }
  const project = url.pathname.split('/').filter(Boolean).pop();
  if (!['http:', 'https:'].includes(url.protocol) || !url.username || !project || !/^\d+$/.test(project)) return undefined;
  const prefix = url.pathname.slice(0, url.pathname.lastIndexOf(project));
  return { envelopeUrl: `${url.protocol}//${url.host}${prefix}api/${project}/envelope/`, publicKey: url.username };
}
