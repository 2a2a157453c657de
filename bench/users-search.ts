/**
 * Diagnostic, not a benchmark: what one `q` search costs on PostgreSQL with a million users, one search at a time,
 * for many prefixes — the page (50 by id) and the total, as a node makes them on a cache miss — against the single
 * query the planner answers alone (the prefix test on both columns with OR, as the store sent it before migration
 * 0019, and as SQLite still does) with the bounded count the totals made then.
 *
 *   node --import tsx bench/users-search.ts
 *
 * BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/postgres: a role that may create databases; a database is made,
 * seeded with BENCH_PG_USERS (1,000,000) users by seedUsersPostgres, and dropped), SEARCH_PREFIXES (300): prefixes
 * of 1–6 characters of seeded usernames and emails, 30 % of them with a role or status filter, as in
 * bench/users-storm.ts. Each prefix is searched twice each way, alternating; the second pass is reported.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { likePattern } from '../packages/server/src/db/dialect.ts';
import { openDatabase } from '../packages/server/src/db/index.ts';
import type { UserFilter } from '../packages/server/src/modules/users/schemas.ts';
import { usersStore } from '../packages/server/src/modules/users/store.ts';
import { envInt, fmt } from './lib.ts';
import { prng, seedUsersPostgres } from './seed-users.ts';

const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const USERS = envInt('BENCH_PG_USERS', 1_000_000, 1000);
const PREFIXES = envInt('SEARCH_PREFIXES', 300, 10);
const EXACT_MAX = 10_000; // GATRIX_USERS_EXACT_TOTAL_MAX's default
const FILTERS: UserFilter[] = [{ role: 'player' }, { role: 'viewer' }, { role: 'operator' }, { status: 'active' }];

const admin = new pg.Client({ connectionString: PG_URL });
await admin.connect();
const name = `gatrix_search_${process.pid}`;
await admin.query(`create database ${name}`);
const url = new URL(PG_URL);
url.pathname = `/${name}`;
try {
  const seeded = await seedUsersPostgres(url.toString(), USERS);
  process.stdout.write(`users-search: ${fmt(seeded.total)} users seeded in ${fmt(seeded.ms / 1000, 1)} s (with VACUUM ANALYZE)\n`);
  const handle = openDatabase({ url: url.toString() });
  const { db } = handle;
  const store = usersStore(db);

  const random = prng(11);
  const searches: UserFilter[] = [];
  while (searches.length < PREFIXES) {
    const [row] = await store.list({ sort: 'id' }, { limit: 1, cursor: { value: null, id: Math.floor(random() * USERS) } });
    if (!row) continue;
    const q = (random() < 0.5 ? row.username : row.email).slice(0, 1 + Math.floor(random() * 6));
    searches.push({ ...(random() < 0.3 ? FILTERS[Math.floor(random() * FILTERS.length)] : {}), q });
  }

  /** Gatrix: the store's page and the service's total for a search (countSearch carries the estimate; docs/users.md). */
  const gatrix = async (f: UserFilter) => {
    await store.list({ ...f, sort: 'id' }, { limit: 51 });
    await store.countSearch(f);
  };
  /**
   * The one query with OR (the store's own filter and estimate, which the page no longer sends for a search) and the
   * count up to 10,001 below twice the limit's estimate, as before migration 0019.
   */
  const planner = async (f: UserFilter) => {
    const like = likePattern(f.q!.toLowerCase(), { suffix: '%' });
    let q = db.selectFrom('users').where((eb) => eb.or([eb(sql`lower(username)`, 'like', like), eb(sql`lower(email)`, 'like', like)]));
    if (f.role) q = q.where('role', '=', f.role);
    if (f.status) q = q.where('status', '=', f.status);
    await q.selectAll().orderBy('id').limit(51).execute();
    if ((await store.plannedRows(f)) <= 2 * EXACT_MAX) await store.countUpTo(f, EXACT_MAX + 1);
  };

  const times = { gatrix: [] as number[], planner: [] as number[] };
  const each: { f: UserFilter; gatrix: number; planner: number }[] = [];
  for (let pass = 0; pass < 2; pass++) {
    for (const f of searches) {
      const t0 = performance.now();
      await gatrix(f);
      const t1 = performance.now();
      await planner(f);
      const t2 = performance.now();
      if (pass === 0) continue;
      times.gatrix.push(t1 - t0);
      times.planner.push(t2 - t1);
      each.push({ f, gatrix: t1 - t0, planner: t2 - t1 });
    }
  }
  /** The `p`th percentile of `a` (nearest rank). */
  const pct = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.ceil((p / 100) * a.length) - 1)];
  const line = (label: string, a: number[]) =>
    `  ${label.padEnd(34)} p50 ${fmt(pct(a, 50), 1).padStart(6)}  p90 ${fmt(pct(a, 90), 1).padStart(6)}  p99 ${fmt(pct(a, 99), 1).padStart(6)}  max ${fmt(Math.max(...a), 1).padStart(6)} ms\n`;
  process.stdout.write(`\n${fmt(PREFIXES)} searches, page of 50 by id and total, one at a time (second pass):\n`);
  process.stdout.write(line('Gatrix (prefix indexes)', times.gatrix) + line('one OR query, planner alone', times.planner));
  process.stdout.write(`  ratio of p99s (planner / Gatrix): ${fmt(pct(times.planner, 99) / pct(times.gatrix, 99), 2)}×\n`);
  for (const key of ['gatrix', 'planner'] as const) {
    process.stdout.write(`\nslowest for ${key === 'gatrix' ? 'Gatrix' : 'the planner alone'}:\n`);
    for (const s of [...each].sort((a, b) => b[key] - a[key]).slice(0, 8)) {
      process.stdout.write(`  ${JSON.stringify(s.f).padEnd(40)} Gatrix ${fmt(s.gatrix, 1).padStart(6)} ms   planner ${fmt(s.planner, 1).padStart(6)} ms\n`);
    }
  }
  await handle.close();
} finally {
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
