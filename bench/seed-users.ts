/** Varied users, the same on every run: the users benchmarks' data (users-list.ts, console-users.ts, users-storm.ts), in SQLite or PostgreSQL. */
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { migrate, openDatabase } from '../packages/server/src/db/index.ts';
import type { NewUserRow } from '../packages/server/src/modules/users/store.ts';
import { hashPassword } from '../packages/server/src/core/passwords.ts';

/** Deterministic PRNG (mulberry32): the same users on every run (and the same requests in users-storm.ts). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  'Ada', 'Bruno', 'Chloe', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kaito', 'Lena', 'Mateo', 'Nadia',
  'Oscar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Victor', 'Wen', 'Ximena', 'Yusuf', 'Zoe', 'Minji', 'Jae',
  'Seo-yeon', 'Haruto', 'Lucas', 'Maya', 'Noah', 'Olga', 'Pedro', 'Sofia', 'Tomas', 'Valentina', 'William', 'Yuki',
];
const LAST = [
  'Kim', 'Lee', 'Park', 'Choi', 'Tanaka', 'Suzuki', 'Smith', 'Garcia', 'Muller', 'Rossi', 'Novak', 'Silva', 'Nguyen',
  'Ivanova', 'Kowalski', 'Jensen', 'Dubois', 'Haddad', 'Okafor', 'Sato', 'Chen', 'Wang', 'Lopez', 'Martin', 'Berg',
  'Costa', 'Yilmaz', 'Khan', 'Moreau', 'Fischer',
];
const ADJ = ['swift', 'silent', 'crimson', 'lucky', 'frost', 'shadow', 'iron', 'golden', 'wild', 'neon', 'rogue', 'lazy'];
const NOUN = ['Fox', 'Blade', 'Wolf', 'Mage', 'Knight', 'Ranger', 'Dragon', 'Panda', 'Viper', 'Falcon', 'Golem', 'Bard'];
const DOMAINS = ['gmail.com', 'naver.com', 'outlook.com', 'yahoo.co.jp', 'proton.me', 'hotmail.com', 'icloud.com', 'daum.net'];

export interface SeedStats {
  total: number;
  players: number;
  byRole: Record<string, number>;
  ms: number;
}

/**
 * 100,000 users: ~96% players, the rest viewers and operators. No admins: the server bootstraps its first admin
 * only when none exists, and that admin is the one the benchmark signs in as.
 */
export async function seedUsers(dbFile: string, total: number): Promise<SeedStats> {
  const started = performance.now();
  const handle = openDatabase({ sqliteFile: dbFile });
  await migrate(handle);
  await handle.close();

  const staffHash = await hashPassword('staff-password-1');
  const random = prng(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const start = Date.parse('2023-01-01T00:00:00.000Z');
  const end = Date.parse('2025-06-01T00:00:00.000Z');
  const step = (end - start) / total;
  const byRole: Record<string, number> = {};

  const sqlite = new SQLite(dbFile);
  sqlite.pragma('synchronous = OFF');
  const insert = sqlite.prepare<NewUserRow>(
    `insert into users (username, email, display_name, role, status, password_hash, last_login_at, created_at, updated_at)
     values (@username, @email, @display_name, @role, @status, @password_hash, @last_login_at, @created_at, @updated_at)`,
  );
  sqlite.transaction(() => {
    for (let i = 1; i <= total; i++) {
      const first = pick(FIRST);
      const last = pick(LAST);
      const style = random();
      const base = first.toLowerCase().replace(/[^a-z]/g, '');
      const username =
        style < 0.4 ? `${first}_${last}${i}` : style < 0.75 ? `${pick(ADJ)}${pick(NOUN)}${i}` : `${base}.${last.toLowerCase()}.${i}`;
      const email = `${base}.${last.toLowerCase()}${i}@${pick(DOMAINS)}`;
      const r = random();
      const role = r < 0.96 ? 'player' : r < 0.99 ? 'viewer' : 'operator';
      const s = random();
      const status = role !== 'player' || s < 0.92 ? 'active' : s < 0.97 ? 'pending' : 'suspended';
      const createdMs = start + i * step + Math.floor(random() * step);
      const lastLoginMs = status === 'pending' || random() < 0.15 ? null : createdMs + Math.floor(random() * (end - createdMs));
      const createdAt = new Date(createdMs).toISOString();
      const lastLoginAt = lastLoginMs === null ? null : new Date(lastLoginMs).toISOString();
      insert.run({
        username,
        email,
        display_name: random() < 0.3 ? null : `${first} ${last}`,
        role,
        status,
        password_hash: role === 'player' ? null : staffHash,
        last_login_at: lastLoginAt,
        created_at: createdAt,
        updated_at: lastLoginAt ?? createdAt,
      });
      byRole[role] = (byRole[role] ?? 0) + 1;
    }
  })();
  sqlite.close();
  return { total, players: byRole.player ?? 0, byRole, ms: performance.now() - started };
}


/** A SQL array literal of `list`. */
const sqlArray = (list: readonly string[]) => `array[${list.map((s) => `'${s.replace(/'/g, "''")}'`).join(',')}]`;

/**
 * `total` users into a PostgreSQL database, migrated by the server's own migrations, in one `insert … select`
 * over generate_series (a million in about a minute on the reference machine), then VACUUM ANALYZE so the
 * planner has statistics and index-only scans see an all-visible table, as on a database autovacuum looks after.
 * The same shapes and shares as the SQLite seed (usernames, emails, roles, statuses, times), from a hash of the row
 * number instead of a PRNG. No admins, as above.
 */
export async function seedUsersPostgres(url: string, total: number): Promise<SeedStats> {
  const started = performance.now();
  const handle = openDatabase({ url });
  await migrate(handle);
  const { db } = handle;
  const start = Date.parse('2023-01-01T00:00:00.000Z') / 1000;
  const span = Date.parse('2025-06-01T00:00:00.000Z') / 1000 - start;
  // r(k): a number in [0, 1) from the row number and a salt, the same on every run.
  const r = (k: number) => `((hashint8(i::bigint * 7919 + ${k}) & 2147483647)::float8 / 2147483648)`;
  const iso = (expr: string) => `to_char(to_timestamp(${expr}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  await sql
    .raw(
      `insert into users (username, email, display_name, role, status, password_hash, last_login_at, created_at, updated_at)
       select case when style < 0.4 then first || '_' || last || i
                   when style < 0.75 then adj || noun || i
                   else lower(first) || '.' || lower(last) || '.' || i end,
              lower(first) || '.' || lower(last) || i || '@' || domain,
              case when dn < 0.3 then null else first || ' ' || last end,
              role, status, null, ${iso('login')}, ${iso('created')}, ${iso('coalesce(login, created)')}
       from (
         select i, first, last, adj, noun, domain, style, dn, role, status, created,
                case when status = 'pending' or nl < 0.15 then null else created + floor(ll * (${start + span} - created)) end as login
         from (
           select i,
                  (${sqlArray(FIRST)})[1 + floor(${r(1)} * ${FIRST.length})::int] as first,
                  (${sqlArray(LAST)})[1 + floor(${r(2)} * ${LAST.length})::int] as last,
                  (${sqlArray(ADJ)})[1 + floor(${r(3)} * ${ADJ.length})::int] as adj,
                  (${sqlArray(NOUN)})[1 + floor(${r(4)} * ${NOUN.length})::int] as noun,
                  (${sqlArray(DOMAINS)})[1 + floor(${r(5)} * ${DOMAINS.length})::int] as domain,
                  ${r(6)} as style, ${r(7)} as dn, ${r(9)} as nl, ${r(10)} as ll,
                  case when ${r(8)} < 0.96 then 'player' when ${r(8)} < 0.99 then 'viewer' else 'operator' end as role,
                  ${start} + floor(i * ${span / total}) as created
           from generate_series(1, ${total}) as i
         ) a, lateral (select case when role <> 'player' or ${r(11)} < 0.92 then 'active' when ${r(11)} < 0.97 then 'pending' else 'suspended' end as status) s
       ) b
       order by i`,
    )
    .execute(db);
  await sql.raw('vacuum analyze users').execute(db);
  const rows = await db.selectFrom('users').select(['role', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('role').execute();
  await handle.close();
  const byRole = Object.fromEntries(rows.map((x) => [x.role, Number(x.n)]));
  return { total, players: byRole.player ?? 0, byRole, ms: performance.now() - started };
}
