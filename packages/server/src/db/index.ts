import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  PostgresIntrospector,
  SqliteDialect,
  sql,
  type DatabaseIntrospector,
  type LogEvent,
  type Migration,
  type MigrationProvider,
  type TableMetadata,
} from 'kysely';
import type pg from 'pg';
import type { SecretBox } from '../core/secret-box.ts';
import type { Dialect } from './dialect.ts';
import type { Database } from './schema.ts';
import * as m0001 from './migrations/0001_foundation.ts';
import * as m0002 from './migrations/0002_game_ops.ts';
import * as m0003 from './migrations/0003_webhooks.ts';
import * as m0004 from './migrations/0004_sealed_secrets.ts';
import * as m0005 from './migrations/0005_delivery_recovery.ts';
import * as m0007 from './migrations/0007_accounts.ts';
import * as m0008 from './migrations/0008_key_check.ts';
import * as m0009 from './migrations/0009_users_console.ts';
import * as m0010 from './migrations/0010_console_ops.ts';
import * as m0011 from './migrations/0011_notices.ts';
import * as m0012 from './migrations/0012_event_feed.ts';
import * as m0013 from './migrations/0013_world_instances.ts';
import * as m0014 from './migrations/0014_users_scale.ts';
import * as m0015 from './migrations/0015_table_revisions.ts';
import * as m0016 from './migrations/0016_users_sorted_filters.ts';
import * as m0017 from './migrations/0017_users_prefix_statistics.ts';
import * as m0018 from './migrations/0018_webhook_claim.ts';
import * as m0019 from './migrations/0019_users_prefix_covering.ts';
import * as m0020 from './migrations/0020_webhook_health_indexes.ts';
import * as m0021 from './migrations/0021_webhook_deliveries_by_event.ts';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  dialect: Dialect;
  /**
   * PostgreSQL: the same database through a small pool of its own (BACKGROUND_POOL_SIZE connections), for the
   * webhook delivery worker, so that API requests queued for the main pool's connections cannot starve deliveries.
   * Absent on SQLite, whose one connection runs every statement synchronously.
   */
  background?: Db;
  /** Set `observe` to hear every query's kind (Kysely node kind) and duration; the app's metrics do. */
  queryTiming: QueryTiming;
  close(): Promise<void>;
}

export interface QueryTiming {
  observe?: (kind: string, ms: number) => void;
}

function kyselyLog(timing: QueryTiming) {
  return (event: LogEvent) => timing.observe?.(event.query.query.kind, event.queryDurationMillis);
}

export interface DatabaseOptions {
  /** postgres://… or undefined for SQLite. */
  url?: string;
  /** SQLite file; ':memory:' is allowed. */
  sqliteFile?: string;
  /** PostgreSQL schema to use (tests isolate themselves with a fresh one). */
  pgSchema?: string;
  poolSize?: number;
}

/**
 * Connections of the background pool: the delivery worker runs one claim and one recording transaction at a time,
 * plus its heartbeat and endpoint reads.
 */
const BACKGROUND_POOL_SIZE = 4;

export function openDatabase(opts: DatabaseOptions): DatabaseHandle {
  const queryTiming: QueryTiming = {};
  if (opts.url) {
    // The PostgreSQL client is loaded by nodes that use it only (a SQLite node saves its memory).
    const { Pool } = createRequire(import.meta.url)('pg') as typeof pg;
    const kysely = (max: number) =>
      new Kysely<Database>({
        dialect: new OwnSchemaPostgresDialect({
          pool: new Pool({ connectionString: opts.url, max, options: opts.pgSchema ? `-c search_path=${opts.pgSchema}` : undefined }),
        }),
        log: kyselyLog(queryTiming),
      });
    const db = kysely(opts.poolSize ?? 10);
    const background = kysely(BACKGROUND_POOL_SIZE);
    const close = async () => {
      await Promise.all([db.destroy(), background.destroy()]);
    };
    return { db, background, dialect: 'postgres', queryTiming, close };
  }
  const file = opts.sqliteFile ?? ':memory:';
  if (file !== ':memory:') createOwnerOnly(file);
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Table statistics for the query planner (which index a filtered, sorted list reads), kept cheap by sampling.
  sqlite.pragma('analysis_limit = 1000');
  sqlite.pragma('optimize = 0x10002');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }), log: kyselyLog(queryTiming) });
  return { db, dialect: 'sqlite', queryTiming, close: () => db.destroy() };
}

/**
 * The database file, and the data dir when it is new, readable by the owner only, like secrets.json. SQLite
 * creates the -wal and -shm files with the main file's mode; ones left by an older version are tightened too.
 */
function createOwnerOnly(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}

/**
 * Kysely's SQLite driver prepares every query again on each call; queries are built from a small set of
 * shapes, so their prepared statements are kept (bounded) and reused. better-sqlite3 runs them synchronously,
 * so one statement is never used by two queries at once.
 */
function withStatementCache(sqlite: SQLite.Database): SQLite.Database {
  const statements = new Map<string, SQLite.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return Object.assign(Object.create(sqlite) as SQLite.Database, {
    prepare(source: string) {
      let stmt = statements.get(source);
      if (!stmt) {
        stmt = prepare(source);
        if (statements.size >= 1000) statements.clear();
        statements.set(source, stmt);
      }
      return stmt;
    },
    close: () => sqlite.close(),
  });
}

/** What a migration may need besides the database: the encryption key, to seal what was stored in clear. */
export interface MigrationSecrets {
  box?: SecretBox;
}

type DialectMigration = { up(db: Kysely<unknown>, dialect: Dialect, secrets: MigrationSecrets): Promise<void> };

const MIGRATIONS: Record<string, DialectMigration> = {
  '0001_foundation': m0001,
  '0002_game_ops': m0002,
  '0003_webhooks': m0003,
  '0004_sealed_secrets': m0004,
  '0005_delivery_recovery': m0005,
  '0007_accounts': m0007,
  '0008_key_check': m0008,
  '0009_users_console': m0009,
  '0010_console_ops': m0010,
  '0011_notices': m0011,
  '0012_event_feed': m0012,
  '0013_world_instances': m0013,
  '0014_users_scale': m0014,
  '0015_table_revisions': m0015,
  '0016_users_sorted_filters': m0016,
  '0017_users_prefix_statistics': m0017,
  '0018_webhook_claim': m0018,
  '0019_users_prefix_covering': m0019,
  '0020_webhook_health_indexes': m0020,
  '0021_webhook_deliveries_by_event': m0021,
};

/** Runs every pending migration; the same migrations build both dialects' schemas. */
export async function migrate(handle: DatabaseHandle, secrets: MigrationSecrets = {}): Promise<void> {
  const provider: MigrationProvider = {
    getMigrations: () =>
      Promise.resolve(
        Object.fromEntries(
          Object.entries(MIGRATIONS).map(([name, m]): [string, Migration] => [
            name,
            { up: (db) => m.up(db, handle.dialect, secrets) },
          ]),
        ),
      ),
  };
  // Kysely looks for its bookkeeping tables in any schema unless told which one: name ours explicitly.
  const migrationTableSchema =
    handle.dialect === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(handle.db)).rows[0].s : undefined;
  // Migrations are numbered ahead by the change that brings them, so a lower number can arrive after a higher one
  // has run: each runs once, in name order among those pending.
  const { error, results } = await new Migrator({ db: handle.db, provider, migrationTableSchema, allowUnorderedMigrations: true }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
  }
}

/**
 * PostgreSQL with a catalog lookup that reads our schema only. Kysely's own introspector (which the migrator
 * uses to find its bookkeeping tables) reads every schema of the database and calls functions on their names,
 * so a schema or table that someone else drops during that read (another deployment's cleanup, a concurrent
 * test run) failed our start with "schema … does not exist".
 */
class OwnSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new OwnSchemaIntrospector(db);
  }
}

class OwnSchemaIntrospector extends PostgresIntrospector {
  readonly #db: Kysely<unknown>;
  constructor(db: Kysely<unknown>) {
    super(db);
    this.#db = db;
  }
  override async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; schema: string; kind: string }>`
      select c.relname as name, n.nspname as schema, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'p', 'v', 'm')`.execute(this.#db);
    return rows.map((r) => ({ name: r.name, schema: r.schema, isView: r.kind === 'v' || r.kind === 'm', columns: [] }));
  }
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
