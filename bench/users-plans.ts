/**
 * Not a benchmark: the query plans of the user list's query shapes, as docs/performance.md records them. Seeds
 * BENCH_USERS (100,000) users into a fresh SQLite file and BENCH_PG_USERS (1,000,000) into a fresh PostgreSQL
 * database on BENCH_PG_URL (as bench/users-storm.ts does), runs each shape through the server's own store with a
 * Kysely that records the SQL, and prints EXPLAIN QUERY PLAN (SQLite) and EXPLAIN (ANALYZE, BUFFERS) (PostgreSQL).
 *
 *   node --import tsx bench/users-plans.ts        (BENCH_PARTS=sqlite for SQLite only)
 */
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import type { Database } from '../packages/server/src/db/schema.ts';
import { usersStore } from '../packages/server/src/modules/users/store.ts';
import { type Bench, envInt, runBenchmark } from './lib.ts';
import { seedUsers, seedUsersPostgres } from './seed-users.ts';

const PARTS = (process.env.BENCH_PARTS ?? 'sqlite,postgres').split(',');
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Each shape: a name and what the store is asked. */
const SHAPES: [string, (s: ReturnType<typeof usersStore>) => Promise<unknown>][] = [
  ['first page, role=player, sort id', (s) => s.list({ role: 'player', sort: 'id' }, { limit: 51 })],
  ['first page, role=player&status=suspended, sort id', (s) => s.list({ role: 'player', status: 'suspended', sort: 'id' }, { limit: 51 })],
  ['cursor page at depth, status=active, sort -createdAt', (s) => s.list({ status: 'active', sort: '-createdAt' }, { limit: 51, cursor: { value: '2024-03-01T00:00:00.000Z', id: 500 } })],
  ['cursor page at depth, role=player, sort -lastLoginAt', (s) => s.list({ role: 'player', sort: '-lastLoginAt' }, { limit: 51, cursor: { value: '2024-03-01T00:00:00.000Z', id: 500 } })],
  ['cursor page at depth, no filter, sort username', (s) => s.list({ sort: 'username' }, { limit: 51, cursor: { value: 'M', id: 1 } })],
  ['cursor page at depth, role=viewer, sort id', (s) => s.list({ role: 'viewer', sort: 'id' }, { limit: 51, cursor: { value: 700_000, id: 700_000 } })],
  ['cursor page at depth, role=operator, sort -lastLoginAt', (s) => s.list({ role: 'operator', sort: '-lastLoginAt' }, { limit: 51, cursor: { value: '2024-03-01T00:00:00.000Z', id: 500 } })],
  ['cursor page at depth, role=viewer, sort username', (s) => s.list({ role: 'viewer', sort: 'username' }, { limit: 51, cursor: { value: 'M', id: 1 } })],
  ['cursor page at depth, role=operator, sort -createdAt', (s) => s.list({ role: 'operator', sort: '-createdAt' }, { limit: 51, cursor: { value: '2024-03-01T00:00:00.000Z', id: 500 } })],
  ['cursor page at depth, role=player&status=suspended, sort username', (s) => s.list({ role: 'player', status: 'suspended', sort: 'username' }, { limit: 51, cursor: { value: 'M', id: 1 } })],
  ['cursor page at depth, status=suspended, sort -lastLoginAt', (s) => s.list({ status: 'suspended', sort: '-lastLoginAt' }, { limit: 51, cursor: { value: '2024-03-01T00:00:00.000Z', id: 500 } })],
  ['q prefix "kim", sort id', (s) => s.list({ q: 'kim', sort: 'id' }, { limit: 51 })],
  ['q prefix "lucky", sort id', (s) => s.list({ q: 'lucky', sort: 'id' }, { limit: 51 })],
  ['createdFrom=2025-01-01, sort -createdAt', (s) => s.list({ createdFrom: '2025-01-01T00:00:00.000Z', sort: '-createdAt' }, { limit: 51 })],
  ['lastLoginFrom=2025-05-01, sort -lastLoginAt', (s) => s.list({ lastLoginFrom: '2025-05-01T00:00:00.000Z', sort: '-lastLoginAt' }, { limit: 51 })],
  ['total, role=operator (bounded count)', (s) => s.countUpTo({ role: 'operator' }, 10_001)],
  ['total, role=player&status=suspended (bounded count)', (s) => s.countUpTo({ role: 'player', status: 'suspended' }, 10_001)],
  ['total, q prefix "kim" (bounded count)', (s) => s.countUpTo({ q: 'kim' }, 10_001)],
];

async function plans(db: Kysely<Database>, captured: CompiledQuery[], explain: (q: CompiledQuery) => Promise<string[]>): Promise<void> {
  for (const [name, run] of SHAPES) {
    captured.length = 0;
    const started = performance.now();
    await run(usersStore(db));
    const ms = performance.now() - started;
    process.stdout.write(`\n-- ${name} (${ms.toFixed(1)} ms through the store)\n`);
    for (const q of [...captured]) {
      process.stdout.write(`   ${q.sql.replace(/\s+/g, ' ').slice(0, 400)}\n`);
      for (const line of await explain(q)) process.stdout.write(`     ${line}\n`);
    }
  }
}

async function main(bench: Bench): Promise<number> {
  const captured: CompiledQuery[] = [];
  const log = (e: { level: string; query: CompiledQuery }) => {
    if (e.level === 'query') captured.push(e.query);
  };
  if (PARTS.includes('sqlite')) {
    const file = path.join(bench.tempDir, 'plans.db');
    await seedUsers(file, envInt('BENCH_USERS', 100_000, 1000));
    const raw = new SQLite(file);
    raw.pragma('analysis_limit = 1000');
    raw.pragma('optimize = 0x10002');
    process.stdout.write(`SQLite ${raw.prepare('select sqlite_version() v').pluck().get() as string}, ${envInt('BENCH_USERS', 100_000, 1000)} users\n`);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }), log });
    await plans(db, captured, async (q) =>
      (raw.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])) as { detail: string }[]).map((r) => r.detail),
    );
    await db.destroy();
  }
  if (PARTS.includes('postgres')) {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    const name = `gatrix_plans_${process.pid}`;
    await admin.query(`create database ${name}`);
    bench.atExit(async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    });
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    const users = envInt('BENCH_PG_USERS', 1_000_000, 1000);
    await seedUsersPostgres(url.toString(), users);
    const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
    process.stdout.write(`\nPostgreSQL ${(await pool.query('show server_version')).rows[0].server_version as string}, ${users} users\n`);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
    await plans(db, captured, async (q) => (await pool.query(`explain (analyze, buffers, costs off) ${q.sql}`, q.parameters as unknown[])).rows.map((r: Record<string, string>) => r['QUERY PLAN']));
    await db.destroy();
  }
  return 0;
}

runBenchmark('users-plans', main);
