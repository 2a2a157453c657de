/**
 * Test harness: every suite runs against a real database — a fresh SQLite file, and, when TEST_DATABASE_URL is
 * set, a fresh PostgreSQL schema — through the real Fastify app.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as connectNet, createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { LightMyRequestResponse } from 'fastify';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { buildApp, type RouteInfo } from '../src/app/build-app.ts';
import type { Services } from '../src/app/services.ts';
import type { Clock } from '../src/core/clock.ts';
import { loadConfig, type Config } from '../src/config.ts';
import type { AppContext } from '../src/context.ts';
import { migrate, openDatabase, type DatabaseHandle } from '../src/db/index.ts';
import type { Database, WebhookDeliveriesTable, WebhooksTable } from '../src/db/schema.ts';
import type { LazySchemas } from '../src/http/lazy-schemas.ts';
import type { App } from '../src/http/types.ts';
import type { FastPath } from '../src/modules/client/fast-path.ts';
import { pendingDelivery } from '../src/modules/webhooks/store.ts';
import type { RealtimeGateway } from '../src/modules/realtime/gateway.ts';
import { buildServer } from '../../../scripts/server-build.mjs';

export type DbKind = 'sqlite' | 'postgres';

/** packages/server, where `src/main.ts` is started from. */
const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const ADMIN = { username: 'admin', email: 'admin@example.com', password: 'admin-password-1' };

const PG_URL = process.env.TEST_DATABASE_URL;

/** Why PostgreSQL suites are skipped (false: they run). */
export const PG_SKIP: string | false = PG_URL ? false : 'TEST_DATABASE_URL is not set';

/** The Redis the Redis suites use: TEST_REDIS_URL, else the default local one. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** True when something answers PING at `url` (any reply, even an authentication error). */
async function redisAnswers(url: string): Promise<boolean> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return new Promise((resolve) => {
    const socket = connectNet({ host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(10_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (b) => done(b[0] === 0x2b || b[0] === 0x2d));
  });
}

/** Why Redis suites are skipped (false: they run, whenever Redis answers, with or without TEST_REDIS_URL). */
export const REDIS_SKIP: string | false = (await redisAnswers(TEST_REDIS_URL))
  ? false
  : `Redis not reachable at ${TEST_REDIS_URL.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:****@')} — start redis-server or set TEST_REDIS_URL`;

/** Runs `suite` once per configured database; PostgreSQL is reported as skipped when TEST_DATABASE_URL is unset. */
export function eachDatabase(title: string, suite: (kind: DbKind) => void): void {
  describe(`${title} [sqlite]`, () => suite('sqlite'));
  if (PG_URL) describe(`${title} [postgres]`, () => suite('postgres'));
  else describe(`${title} [postgres]`, { skip: PG_SKIP }, () => undefined);
}

export interface TestDatabase extends DatabaseHandle {
  /** The PostgreSQL schema (undefined on SQLite), to open more connections to the same database. */
  schema?: string;
  /** The SQLite file (undefined on PostgreSQL). */
  file?: string;
  /** Closes the connection and deletes the file or schema. */
  drop(): Promise<void>;
}

export async function openTestDatabase(kind: DbKind, poolSize?: number): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatrix-test-'));
    const file = path.join(dir, 'test.db');
    const h = openDatabase({ sqliteFile: file });
    await migrate(h);
    return { ...h, file, drop: async () => { await h.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  // Unique across concurrent runs sharing the database: the process id and random bytes.
  const schema = `t_${process.pid}_${randomBytes(6).toString('hex')}`;
  await pgAdmin((c) => c.query(`create schema ${schema}`));
  const h = openDatabase({ url: PG_URL, pgSchema: schema, poolSize });
  try {
    await migrate(h);
  } catch (err) {
    await h.close();
    await pgAdmin((c) => c.query(`drop schema if exists ${schema} cascade`)).catch(() => undefined);
    throw err;
  }
  return {
    ...h,
    schema,
    drop: async () => {
      await h.close();
      await pgAdmin((c) => c.query(`drop schema if exists ${schema} cascade`));
    },
  };
}

/**
 * Runs schema DDL on its own connection, one statement at a time across every run sharing the database (an
 * advisory transaction lock), retried a few times on a deadlock or lock timeout from a concurrent run.
 */
async function pgAdmin(work: (c: pg.Client) => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const c = new pg.Client({ connectionString: PG_URL });
    try {
      await c.connect();
      await c.query('begin');
      await c.query("select pg_advisory_xact_lock(hashtext('gatrix test schemas'))");
      await work(c);
      await c.query('commit');
      return;
    } catch (err) {
      await c.query('rollback').catch(() => undefined);
      const code = (err as { code?: string }).code;
      if (attempt >= 5 || !(code === '40P01' || code === '55P03' || code === '40001')) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    } finally {
      await c.end().catch(() => undefined);
    }
  }
}

/** One Redis namespace per test file (each runs in its own process): nodes of one file share it, files do not. */
const REDIS_PREFIX = `test-${randomBytes(4).toString('hex')}`;

export function testConfig(overrides: Record<string, string> = {}): Config {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatrix-data-'));
  return loadConfig({
    GATRIX_DATA_DIR: dataDir,
    GATRIX_REDIS_PREFIX: REDIS_PREFIX,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    GATRIX_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    GATRIX_ADMIN_USERNAME: ADMIN.username,
    GATRIX_ADMIN_EMAIL: ADMIN.email,
    GATRIX_ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'silent',
    // Suites that test the console turn it on; the others see the API's route table only.
    GATRIX_CONSOLE: 'off',
    ...overrides,
  });
}

/** A clock tests can move. */
export class TestClock implements Clock {
  constructor(private t = Date.now()) {}
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Harness {
  kind: DbKind;
  app: App;
  services: Services;
  ctx: AppContext;
  routes: RouteInfo[];
  realtime: RealtimeGateway;
  /** The game-client fast path in front of Fastify (reached over real HTTP only; undefined when turned off). */
  fastPath?: FastPath;
  /** The routes' validators and serializers, compiled on first use. */
  schemas: LazySchemas;
  db: TestDatabase;
  config: Config;
  /** Access token of the bootstrap admin. */
  adminToken: string;
  /** `http://127.0.0.1:<port>` when started with `listen: true`. */
  baseUrl: string;
  /** app.inject with JSON body and a bearer token. */
  call(method: string, url: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  /** Creates a user with a password and returns its access token. */
  userToken(role: 'admin' | 'operator' | 'viewer' | 'player', username?: string): Promise<{ id: number; token: string; username: string }>;
  apiKey(type: 'admin' | 'server' | 'client'): Promise<{ id: number; key: string }>;
  close(): Promise<void>;
}

export async function startHarness(
  kind: DbKind,
  opts: { env?: Record<string, string>; clock?: Clock; logger?: pino.Logger; listen?: boolean; clientFastPath?: boolean } = {},
): Promise<Harness> {
  const db = await openTestDatabase(kind);
  const config = testConfig(opts.env);
  const logger = opts.logger ?? pino({ level: 'silent' });
  const { app, services, ctx, routes, fastPath, realtime, schemas } = await buildApp({ config, database: db, logger, clock: opts.clock, clientFastPath: opts.clientFastPath });
  await services.auth.ensureAdmin();
  const baseUrl = opts.listen ? await app.listen({ port: 0, host: '127.0.0.1' }) : '';

  const call: Harness['call'] = (method, url, o = {}) =>
    app.inject({
      method: method as 'GET',
      url,
      headers: { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...(o.headers ?? {}) },
      ...(o.body !== undefined ? { payload: o.body as object } : {}),
    });

  const login = async (username: string, password: string) => {
    const r = await call('POST', '/api/v1/auth/login', { body: { username, password } });
    if (r.statusCode !== 200) throw new Error(`login ${username} failed: ${r.body}`);
    return r.json<{ accessToken: string; refreshToken: string }>();
  };
  const adminToken = (await login(ADMIN.username, ADMIN.password)).accessToken;
  // Fixtures are made with an admin key, which outlives access tokens when a test moves the clock ahead.
  const fixtureKey = (await services.apiKeys.create({ name: 'test fixtures', type: 'admin' }, {})).key;
  let n = 0;

  return {
    kind,
    app,
    services,
    ctx,
    routes,
    realtime,
    fastPath,
    schemas,
    db,
    config,
    adminToken,
    baseUrl,
    call,
    async userToken(role, username = `${role}${++n}_${randomBytes(3).toString('hex')}`) {
      const password = 'password-123';
      const r = await call('POST', '/api/v1/users', { token: fixtureKey, body: { username, email: `${username}@example.com`, role, password } });
      if (r.statusCode !== 201) throw new Error(`create ${role} failed: ${r.body}`);
      return { id: r.json<{ id: number }>().id, token: (await login(username, password)).accessToken, username };
    },
    async apiKey(type) {
      const r = await call('POST', '/api/v1/api-keys', { token: fixtureKey, body: { name: `${type} key ${++n}`, type } });
      if (r.statusCode !== 201) throw new Error(`create key failed: ${r.body}`);
      const k = r.json<{ id: number; key: string }>();
      return { id: k.id, key: k.key };
    },
    async close() {
      await app.close();
      await db.drop();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

/** A real `main.ts` process, as `npm start` runs it. */
export interface ServerProcess {
  child: ChildProcess;
  /** The base URL, once the process says it listens; rejects when it exits first. */
  ready: Promise<string>;
  exited: Promise<number | null>;
  /** Everything it wrote to stdout and stderr so far. */
  output: () => string;
}

let compiledServer: string | undefined;

/**
 * Starts the server as `npm start` runs it, compiled into `dist/main.js` with its npm packages
 * (scripts/server-build.mjs; built once per test file, from the sources as they are now), on a free port of
 * 127.0.0.1 with `env` (and PATH) only; LOG_LEVEL is warn unless `env` sets it. With `npmStart`, the process is the
 * repository's `scripts/start.mjs` itself (which builds and runs the same file), console off.
 */
export function startServerProcess(env: Record<string, string>, { npmStart = false } = {}): ServerProcess {
  const [args, cwd] = npmStart ? [['scripts/start.mjs'], path.resolve(SERVER_DIR, '../..')] : [[(compiledServer ??= buildServer(SERVER_DIR))], SERVER_DIR];
  if (npmStart) env = { GATRIX_CONSOLE: 'off', ...env };
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /Gatrix API (http:\/\/\S+)\/api\/v1/.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  ready.catch(() => undefined);
  return { child, ready, exited, output: () => out };
}

/** Waits (up to 120 s) for a process that must not start to exit 1; it may write JSON log lines and exactly one other line, its reason, which is returned. */
export async function failedStartLine(s: ServerProcess): Promise<string> {
  const code = await Promise.race([s.exited, new Promise((r) => setTimeout(() => r('still running after 120 s'), 120_000).unref())]);
  if (code !== 1) throw new Error(`expected exit code 1, got ${String(code)}: ${s.output()}`);
  const lines = s.output().split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{'));
  if (lines.length !== 1) throw new Error(`expected one line besides the JSON log, got ${lines.length}: ${s.output()}`);
  return lines[0];
}

/** The ceiling of every wait on a condition: generous, as a loaded machine may be slow to get there. */
export const WAIT_MS = 120_000;

/** Waits for `check` to hold, polling, up to a generous ceiling (the machine may be busy); fails naming `what`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not happen within ${ms} ms`);
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A new delivery row, as the fan-out writes it (pending and due at `at`, a user.created event): `fields` override. */
export function deliveryRow(webhookId: number, eventId: string, at: string, fields: Partial<Omit<WebhookDeliveriesTable, 'id'>> = {}): Omit<WebhookDeliveriesTable, 'id'> {
  return { ...pendingDelivery(webhookId, { id: eventId, type: 'user.created', payload: '{}', createdAt: at }, at), ...fields };
}

/** An endpoint row as the store takes it (inactive, every user event, no headers): `fields` override. */
export function webhookRow(url: string, at: string, fields: Partial<Omit<WebhooksTable, 'id'>> = {}): Omit<WebhooksTable, 'id'> {
  return {
    url,
    events: '["user.*"]',
    secret_enc: 'unused',
    previous_secret_enc: null,
    previous_secret_expires_at: null,
    description: null,
    headers: '{}',
    active: 0,
    disabled_reason: null,
    failing_since: null,
    created_at: at,
    updated_at: at,
    ...fields,
  };
}

/**
 * PostgreSQL: the scans of `index` and the index entries they returned since its schema was made, as this
 * connection's statistics say (written out first; other sessions' statistics arrive up to seconds later, so a test
 * that reads them has its own schema and one connection).
 */
export async function indexReads(db: Kysely<Database>, index: string): Promise<{ scans: number; read: number; fetched: number }> {
  await sql`select pg_stat_force_next_flush()`.execute(db);
  const end = Date.now() + WAIT_MS;
  for (;;) {
    await sql`select pg_stat_clear_snapshot()`.execute(db);
    const { rows } = await sql<{ scans: string; read: string; fetched: string }>`
      select idx_scan as scans, idx_tup_read as read, idx_tup_fetch as fetched from pg_stat_user_indexes
      where schemaname = current_schema() and indexrelname = ${index}`.execute(db);
    const r = { scans: Number(rows[0].scans), read: Number(rows[0].read), fetched: Number(rows[0].fetched) };
    if (r.scans > 0) return r;
    if (Date.now() > end) throw new Error(`no scan of ${index} in the statistics after ${WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

