/** 100,000 varied users in a fresh SQLite file, the same on every run: the users benchmarks' data (users-list.ts, console-users.ts). */
import SQLite from 'better-sqlite3';
import { migrate, openDatabase } from '../packages/server/src/db/index.ts';
import type { NewUserRow } from '../packages/server/src/modules/users/store.ts';
import { hashPassword } from '../packages/server/src/core/passwords.ts';

/** Deterministic PRNG (mulberry32): the same users on every run. */
function prng(seed: number): () => number {
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

