import { PostgresAdapter, sql, type Expression, type ExpressionBuilder, type Kysely, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { likePattern } from '../../db/dialect.ts';
import { countRows, recordsById, type RowOf } from '../../db/records.ts';
import type { Database, UsersTable } from '../../db/schema.ts';
import type { Role } from '../../core/permissions.ts';
import { ValidationError } from '../../core/errors.ts';
import type { PublicUser, UserFilter, UserStatus } from './schemas.ts';

const PUBLIC_COLUMNS = [
  'id',
  'username',
  'email',
  'display_name',
  'role',
  'status',
  'last_login_at',
  'suspended_reason',
  'suspended_until',
  'created_at',
  'updated_at',
] as const;

export function toPublicUser(r: RowOf<'users', typeof PUBLIC_COLUMNS>): PublicUser {
  return {
    id: Number(r.id),
    username: r.username,
    email: r.email,
    displayName: r.display_name,
    role: r.role as Role,
    status: r.status as UserStatus,
    lastLoginAt: r.last_login_at,
    suspendedReason: r.suspended_reason,
    suspendedUntil: r.suspended_until,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface Credentials {
  id: number;
  username: string;
  email: string;
  role: Role;
  status: UserStatus;
  passwordHash: string | null;
  /** Failed-login counters are keyed by it; bumping it unlocks the account. */
  lockoutEpoch: number;
  /** Before this sign-in: the login publishes the row before and after it (list caches). */
  lastLoginAt: string | null;
}

const CREDENTIAL_COLUMNS = ['id', 'username', 'email', 'role', 'status', 'password_hash', 'lockout_epoch', 'last_login_at'] as const;

function toCredentials(r: Pick<UsersTable, 'username' | 'email' | 'role' | 'status' | 'password_hash' | 'last_login_at'> & { id: number; lockout_epoch: number }): Credentials {
  return {
    id: Number(r.id),
    username: r.username,
    email: r.email,
    role: r.role as Role,
    status: r.status as UserStatus,
    passwordHash: r.password_hash,
    lockoutEpoch: Number(r.lockout_epoch),
    lastLoginAt: r.last_login_at,
  };
}

export type NewUserRow = Omit<UsersTable, 'id' | 'lockout_epoch' | 'suspended_reason' | 'suspended_until'> &
  Partial<Pick<UsersTable, 'suspended_reason' | 'suspended_until'>>;
export type UserPatchRow = Partial<Omit<UsersTable, 'id' | 'created_at' | 'lockout_epoch'>>;

const SORT_COLUMNS = {
  id: 'id',
  username: 'username',
  createdAt: 'created_at',
  lastLoginAt: 'last_login_at',
} as const;

type SortKey = keyof typeof SORT_COLUMNS;
type UsersQuery = SelectQueryBuilder<Database, 'users', object>;

/** A list's sort, as its column and direction. */
export function sortOf(sort: string | undefined): { key: SortKey; column: (typeof SORT_COLUMNS)[SortKey]; desc: boolean } {
  const s = sort ?? 'id';
  const desc = s.startsWith('-');
  const key = (desc ? s.slice(1) : s) as SortKey;
  return { key, column: SORT_COLUMNS[key], desc };
}

/** The id a search for digits also finds (`q=1234` is user 1234 as well as names starting with 1234). */
function searchedId(q: string): number | undefined {
  const id = /^[0-9]{1,10}$/.test(q) ? Number(q) : undefined;
  return id !== undefined && id <= 2_147_483_647 ? id : undefined;
}

/**
 * How a PostgreSQL search is read (`searchPlan`). It collects the ids matching its prefix from the two prefix indexes
 * (`probe`; ~1 µs an entry), unless the prefix is a common one: more than SEARCH_COMMON users expected to match it,
 * or more than SEARCH_CAP in a column once read. Then it walks the id index, testing each row, until a page of
 * matches turns up: a page of 50 within 5,000 rows at 1 % of a million users, rows read in the table's own order.
 * Under a role or status filter that leaves out most users, that walk reads scattered rows (each a page of the table
 * of its own), so collecting goes on to SELECTIVE_SEARCH_CAP first.
 */
const SEARCH_COMMON = 20_000;
const SEARCH_CAP = 5_000;
const SELECTIVE_SEARCH_CAP = 10_000;

/** Estimates are kept this long (they move only with ANALYZE), for this many filters per database. */
const ESTIMATE_MS = 60_000;
const ESTIMATES_KEPT = 2_000;

/** What a search read from the prefix indexes: matches per column (up to the cap + 1), all matches' count, ids in order. */
interface Probe {
  nu: number;
  ne: number;
  count: number | null;
  ids: number[];
}

/**
 * Per database: the planner's estimates of searches (a minute), and the index reads in flight, which a page and its
 * total, asked for at once on a cache miss, share.
 */
const searchMemos = new WeakMap<object, { estimates: Map<string, { rows: Promise<number>; at: number }>; probes: Map<string, Promise<Probe>> }>();

/** The next string after every string that starts with `prefix`, in byte (code point) order. */
function prefixEnd(prefix: string): string {
  const points = [...prefix];
  const last = points.pop()!;
  return points.join('') + String.fromCodePoint(last.codePointAt(0)! + 1);
}

/** A time bound of the filter as stored (UTC, milliseconds); one the schema's format lets through but Date cannot read (a leap second) is a 400. */
function storedTime(field: keyof UserFilter, value: string): string {
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) throw new ValidationError(`query.${field}`, 'is not a time this server can read');
  return t.toISOString();
}

const TIME_FIELDS = ['createdFrom', 'createdTo', 'lastLoginFrom', 'lastLoginTo'] as const;

/** Throws the 400 a filter's query would, before anything is sent (the CSV export streams). */
export function checkFilter(f: UserFilter): void {
  normalFilter(f);
}

/** The filter with its time bounds as stored (so one instant written with two offsets is one filter); a 400 for a bad one. */
export function normalFilter(f: UserFilter): UserFilter {
  const out: UserFilter = { ...f };
  for (const field of TIME_FIELDS) if (f[field]) out[field] = storedTime(field, f[field]);
  return out;
}

/** The user list's order: nulls (never signed in) last in both directions, then id in the sort's direction. */
function ordered<O>(q: SelectQueryBuilder<Database, 'users', O>, sort: string | undefined) {
  const { column, desc } = sortOf(sort);
  const dir = desc ? 'desc' : 'asc';
  if (column === 'id') return q.orderBy('id', dir);
  if (column === 'last_login_at') q = q.orderBy(sql`case when last_login_at is null then 1 else 0 end`, 'asc');
  return q.orderBy(column, dir).orderBy('id', dir);
}

/** A row's place in a list: its sort value and id (what a keyset cursor holds). */
export interface Position {
  value: string | number | null;
  id: number;
}

/**
 * The rows after the cursor's row in the list's order (see `ordered`): a row-value comparison, which both databases
 * answer as a range of the (column, id) index. A null value (never signed in) continues among the nulls, by id;
 * `list` reads the signed-in and the never-signed-in users of the last-login sorts as two ranges.
 */
function after(eb: ExpressionBuilder<Database, 'users'>, sort: string | undefined, cursor: Position): Expression<SqlBool> {
  const { column, desc } = sortOf(sort);
  const gt = desc ? '<' : '>';
  if (column === 'id') return eb('id', gt, cursor.id);
  if (cursor.value === null) return eb.and([eb(column, 'is', null), eb('id', gt, cursor.id)]);
  return eb(eb.refTuple(column, 'id'), gt, eb.tuple(cursor.value as string, cursor.id));
}

/** The sort value of a row, for its cursor. */
export function sortValue(user: PublicUser, sort: string | undefined): string | number | null {
  return user[sortOf(sort).key];
}

/** Kysely queries for users; returns undefined for "not found" and leaves the decision to the service. */
export function usersStore(db: Kysely<Database>) {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;

  /**
   * lower(column) starts with `prefix` (already lower-case), in a form each database answers from an index; `walk`:
   * on PostgreSQL in a form no index answers, so that a search for a common prefix walks the list's order and stops
   * after a page (see SEARCH_COMMON) instead of collecting every match.
   */
  function startsWith(eb: ExpressionBuilder<Database, 'users'>, column: 'username' | 'email', prefix: string, walk = false): Expression<SqlBool> {
    const lower = sql<string>`lower(${sql.ref(column)})`;
    if (postgres && walk) return eb(sql<string>`left(${lower}, ${[...prefix].length})`, '=', prefix);
    if (postgres) return eb(lower, 'like', likePattern(prefix, { suffix: '%' }));
    return eb.and([eb(lower, '>=', prefix), eb(lower, '<', prefixEnd(prefix))]);
  }

  /**
   * The filter's rows, for a list sorted by `sortColumn`. Each sort has a (role, column, id) and a (status, column,
   * id) index (migrations 0001, 0016): the read starts in the filter's range, in order, and stops after a page.
   * With both filters under a sort other than id, SQLite's planner (which has no statistics) would take the
   * (role, status, id) index for its two equalities and sort every matching row; `+status` keeps it to the role's
   * sorted index. PostgreSQL weighs this with its statistics (docs/performance.md).
   */
  function filtered(f: UserFilter, sortColumn = 'id', walk = false): UsersQuery {
    let q = db.selectFrom('users') as UsersQuery;
    const col = (c: 'role' | 'status') => (c === 'status' && f.role && sortColumn !== 'id' && !postgres ? sql<string>`+${sql.ref(c)}` : sql.ref(c));
    if (f.role) q = q.where(col('role'), '=', f.role);
    if (f.status) q = q.where(col('status'), '=', f.status);
    if (f.q) {
      const prefix = f.q.toLowerCase();
      const id = searchedId(f.q);
      q = q.where((eb) => eb.or([startsWith(eb, 'username', prefix, walk), startsWith(eb, 'email', prefix, walk), ...(id !== undefined ? [eb('id', '=', id)] : [])]));
    }
    if (f.createdFrom) q = q.where('created_at', '>=', storedTime('createdFrom', f.createdFrom));
    if (f.createdTo) q = q.where('created_at', '<', storedTime('createdTo', f.createdTo));
    if (f.lastLoginFrom) q = q.where('last_login_at', '>=', storedTime('lastLoginFrom', f.lastLoginFrom));
    if (f.lastLoginTo) q = q.where('last_login_at', '<', storedTime('lastLoginTo', f.lastLoginTo));
    return q;
  }
  const records = recordsById(db, 'users', PUBLIC_COLUMNS, toPublicUser);

  /** PostgreSQL: the planner's row estimate of the filter's query (table statistics), without running it. */
  async function plannedRows(f: UserFilter): Promise<number> {
    const plan = (await filtered(f).select('id').explain('json')) as unknown as { 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }[];
    return Math.round(plan[0]['QUERY PLAN'][0].Plan['Plan Rows']);
  }

  const memo = searchMemos.get(db) ?? { estimates: new Map(), probes: new Map() };
  searchMemos.set(db, memo);

  /** plannedRows, kept a minute per filter; a failed estimate is not kept. */
  function estimate(f: UserFilter): Promise<number> {
    const key = JSON.stringify(f);
    const kept = memo.estimates.get(key);
    if (kept && Date.now() - kept.at < ESTIMATE_MS) return kept.rows;
    const rows = plannedRows(f);
    memo.estimates.delete(key);
    memo.estimates.set(key, { rows, at: Date.now() });
    if (memo.estimates.size > ESTIMATES_KEPT) memo.estimates.delete(memo.estimates.keys().next().value!);
    rows.catch(() => memo.estimates.delete(key));
    return rows;
  }

  /**
   * PostgreSQL, a `q` search with at most a role and a status besides: how it is read (see SEARCH_COMMON) and the planner's
   * estimate of its matches. `cap` is null for a common prefix. Undefined for any other filter.
   */
  async function searchPlan(f: UserFilter): Promise<{ cap: number | null; estimate: number } | undefined> {
    if (!postgres || f.q === undefined || f.createdFrom || f.createdTo || f.lastLoginFrom || f.lastLoginTo) return undefined;
    const prefix = await estimate({ q: f.q });
    const matches = f.role || f.status ? await estimate(searchFilter(f)) : prefix;
    const cap = matches < prefix / 2 ? SELECTIVE_SEARCH_CAP : SEARCH_CAP;
    return { cap: prefix <= SEARCH_COMMON ? cap : null, estimate: matches };
  }

  /**
   * A search's matches from the two prefix indexes alone (migration 0019 puts id, role and status in them), never
   * the table: at most `cap` + 1 prefix matches of each column (after `after`, in the list's direction), the filter's
   * among them and the id `q` names; their distinct count (without `after`), and the first `take` ids in order, a
   * user matched by both columns twice. When neither column reached the cap, that is every match. Left to the
   * planner, the one query with an OR read every match of a common prefix from the table and sorted them, or walked
   * the id index through tens of thousands of rows for a rarer one: 20–65 ms (docs/performance.md, "User search on
   * PostgreSQL").
   */
  function probe(f: UserFilter, cap: number, { after, desc, take }: { after?: number; desc: boolean; take: number }): Promise<Probe> {
    const key = JSON.stringify([f, cap, after, desc, take]);
    const running = memo.probes.get(key);
    if (running) return running;
    const prefix = f.q!.toLowerCase();
    const gt = desc ? '<' : '>';
    const read = (column: 'username' | 'email') => {
      let q = db.selectFrom('users').select(['id', 'role', 'status']).where((eb) => startsWith(eb, column, prefix));
      if (after !== undefined) q = q.where('id', gt, after);
      return q.limit(cap + 1);
    };
    const keep = sql<SqlBool>`${sql.join([sql`true`, ...(f.role ? [sql`role = ${f.role}`] : []), ...(f.status ? [sql`status = ${f.status}`] : [])], sql` and `)}`;
    const id = searchedId(f.q!);
    const dir = desc ? sql`desc` : sql`asc`;
    const made = db
      .with('u', () => read('username'))
      .with('e', () => read('email'))
      .with('m', (qc) => {
        const m = qc.selectFrom('u').select('id').where(keep).unionAll(qc.selectFrom('e').select('id').where(keep));
        if (id === undefined || (after !== undefined && !(desc ? id < after : id > after))) return m;
        return m.unionAll(qc.selectFrom('users').select('id').where('id', '=', id).where(keep));
      })
      .selectNoFrom((eb) => [
        eb.selectFrom('u').select(eb.fn.countAll().as('n')).as('nu'),
        eb.selectFrom('e').select(eb.fn.countAll().as('n')).as('ne'),
        after === undefined ? eb.selectFrom('m').select(sql<string>`count(distinct id)`.as('n')).as('count') : sql<null>`null`.as('count'),
        sql<(string | number)[]>`array(select id from m order by id ${dir} limit ${take})`.as('ids'),
      ])
      .executeTakeFirstOrThrow()
      .then((r) => ({ nu: Number(r.nu), ne: Number(r.ne), count: r.count === null ? null : Number(r.count), ids: [...new Set(r.ids.map(Number))] }))
      .finally(() => memo.probes.delete(key));
    memo.probes.set(key, made);
    return made;
  }
  /** A search's filter alone (no sort, no unset keys): the key its estimate and probes are kept under. */
  const searchFilter = (f: UserFilter): UserFilter => ({ q: f.q, ...(f.role && { role: f.role }), ...(f.status && { status: f.status }) });
  const complete = (r: Probe, cap: number) => r.nu <= cap && r.ne <= cap;
  /** A search's first page and its total ask for the same probe (the default page of 50 by id), so a cache miss reads the indexes once. */
  const FIRST = { desc: false, take: 3 * 51 };

  /** PostgreSQL: a search's page by id from `probe`, or undefined when its prefix is too common for it. */
  async function searchPage(f: UserFilter, cap: number, desc: boolean, page: { limit: number; offset?: number; cursor?: Position }): Promise<PublicUser[] | undefined> {
    const end = (page.offset ?? 0) + page.limit;
    // A user is in the read up to three times (username, email, the id `q` names); a first page by id asks for at
    // least what its total does, so that the two share the read.
    const take = Math.max(3 * end, desc ? 0 : FIRST.take);
    const r = await probe(searchFilter(f), cap, { after: page.cursor?.id, desc, take });
    if (!complete(r, cap)) return undefined;
    return byIds(r.ids.slice(page.offset ?? 0, end), desc);
  }

  /** The users of `ids`, by id. */
  async function byIds(ids: number[], desc: boolean): Promise<PublicUser[]> {
    if (ids.length === 0) return [];
    const rows = await db.selectFrom('users').select(PUBLIC_COLUMNS).where(sql<SqlBool>`id = any(${ids})`).orderBy('id', desc ? 'desc' : 'asc').execute();
    return rows.map(toPublicUser);
  }

  return {
    findById: records.findById,

    async findCredentials(login: string): Promise<Credentials | undefined> {
      const lower = login.toLowerCase();
      const r = await db
        .selectFrom('users')
        .select(CREDENTIAL_COLUMNS)
        .where((eb) => eb.or([eb(sql`lower(username)`, '=', lower), eb(sql`lower(email)`, '=', lower)]))
        .executeTakeFirst();
      return r && toCredentials(r);
    },

    async findCredentialsById(id: number): Promise<Credentials | undefined> {
      const r = await db
        .selectFrom('users')
        .select(CREDENTIAL_COLUMNS)
        .where('id', '=', id)
        .executeTakeFirst();
      return r && toCredentials(r);
    },

    /**
     * Up to `limit` users in the filter's sort: after `cursor` (keyset) when given, else from `offset`. Both read
     * the same order, so a page's last row makes the cursor of the next.
     */
    async list(f: UserFilter & { sort?: string }, page: { limit: number; offset?: number; cursor?: Position }): Promise<PublicUser[]> {
      const c = page.cursor;
      const { column, desc } = sortOf(f.sort);
      // A search by id on PostgreSQL: from the prefix indexes, or, for a common prefix, by walking the id order for
      // the page's ids (through an index alone under a role or status filter: migration 0019); then those rows.
      const plan = column === 'id' ? await searchPlan(f) : undefined;
      if (plan) {
        const found = plan.cap ? await searchPage(f, plan.cap, desc, page) : undefined;
        if (found) return found;
        let q = ordered(filtered(f, column, true).select('id'), f.sort);
        if (c) q = q.where((eb) => after(eb, f.sort, c));
        else if (page.offset) q = q.offset(page.offset);
        return byIds((await q.limit(page.limit).execute()).map((r) => Number(r.id)), desc);
      }
      if (column !== 'last_login_at' || page.offset) {
        let q = ordered(filtered(f, column).select(PUBLIC_COLUMNS), f.sort);
        if (c) q = q.where((eb) => after(eb, f.sort, c));
        else if (page.offset) q = q.offset(page.offset);
        return (await q.limit(page.limit).execute()).map(toPublicUser);
      }
      // Users who never signed in come last in both directions: read the others from the (last_login_at, id) index
      // in order, then, if the page is not full, those by id (an ORDER BY on "is null" first would sort everything).
      const dir = desc ? 'desc' : 'asc';
      const rows = [];
      if (c?.value !== null) {
        let q = filtered(f, column).select(PUBLIC_COLUMNS).where('last_login_at', 'is not', null).orderBy('last_login_at', dir).orderBy('id', dir);
        if (c) q = q.where((eb) => after(eb, f.sort, c));
        rows.push(...(await q.limit(page.limit).execute()));
      }
      if (rows.length < page.limit) {
        let q = filtered(f).select(PUBLIC_COLUMNS).where('last_login_at', 'is', null).orderBy('id', dir);
        if (c?.value === null) q = q.where('id', desc ? '<' : '>', c.id);
        rows.push(...(await q.limit(page.limit - rows.length).execute()));
      }
      return rows.map(toPublicUser);
    },

    async count(f: UserFilter): Promise<number> {
      return countRows(filtered(f));
    },

    /** How many users match, counting no further than `max` (a list total above it is estimated instead). */
    async countUpTo(f: UserFilter, max: number): Promise<number> {
      return countRows(db.selectFrom(filtered(f).select(sql<number>`1`.as('one')).limit(max).as('t')));
    },

    /**
     * PostgreSQL, a search `searchPlan` takes: how many users match and whether that is all of them (else the matches
     * among the prefix's first ones read, a lower bound), and the planner's estimate. Undefined for other filters.
     */
    async countSearch(f: UserFilter): Promise<{ count: number; complete: boolean; estimate: number } | undefined> {
      const plan = await searchPlan(f);
      if (!plan?.cap) return plan && { count: 0, complete: false, estimate: plan.estimate };
      const r = await probe(searchFilter(f), plan.cap, FIRST);
      return { count: r.count!, complete: complete(r, plan.cap), estimate: plan.estimate };
    },

    plannedRows,

    /**
     * A sample of the table for an estimate where there is no planner's (SQLite): every user in `windows` id ranges
     * spread evenly over the ids (about `sampleIds` ids in all; each a primary-key range, whatever the filter), and
     * the share of the id range they cover.
     */
    async sample(sampleIds: number, windows = 64): Promise<{ users: PublicUser[]; share: number }> {
      const span = await db.selectFrom('users').select((eb) => [eb.fn.min('id').as('lo'), eb.fn.max('id').as('hi')]).executeTakeFirstOrThrow();
      const lo = Number(span.lo ?? 0);
      const ids = span.hi === null ? 0 : Number(span.hi) - lo + 1;
      const size = Math.max(1, Math.ceil(sampleIds / windows));
      if (ids <= size * windows) return { users: (await db.selectFrom('users').select(PUBLIC_COLUMNS).execute()).map(toPublicUser), share: 1 };
      const users: PublicUser[] = [];
      for (let i = 0; i < windows; i++) {
        const a = lo + Math.floor((i * ids) / windows);
        const rows = await db.selectFrom('users').select(PUBLIC_COLUMNS).where('id', '>=', a).where('id', '<', a + size).execute();
        for (const r of rows) users.push(toPublicUser(r));
      }
      return { users, share: (size * windows) / ids };
    },

    async countAdmins(): Promise<number> {
      return this.count({ role: 'admin', status: 'active' });
    },

    /** Lifts the account's failed-login lockout on every node (the counters are keyed by the epoch). */
    async bumpLockoutEpoch(id: number): Promise<void> {
      await db
        .updateTable('users')
        .set({ lockout_epoch: sql<number>`lockout_epoch + 1` })
        .where('id', '=', id)
        .execute();
    },

    /** Ids of suspended users whose suspension ended by `now`, oldest first. */
    async dueSuspensions(now: string, limit: number): Promise<number[]> {
      const rows = await db
        .selectFrom('users')
        .select('id')
        .where('status', '=', 'suspended')
        .where('suspended_until', '<=', now)
        .orderBy('suspended_until')
        .limit(limit)
        .execute();
      return rows.map((r) => Number(r.id));
    },

    /**
     * Lifts a suspension that ended by `now`, only if it still stands: of two nodes lifting it at once, one
     * changes the row and the other gets undefined (and records nothing).
     */
    async liftEndedSuspension(id: number, now: string): Promise<PublicUser | undefined> {
      const r = await db
        .updateTable('users')
        .set({ status: 'active', suspended_reason: null, suspended_until: null, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'suspended')
        .where('suspended_until', '<=', now)
        .returning(PUBLIC_COLUMNS)
        .executeTakeFirst();
      return r && toPublicUser(r);
    },

    /** PostgreSQL only: locks the active admins' rows, in id order, until the transaction ends. */
    async lockActiveAdmins(): Promise<void> {
      await db.selectFrom('users').select('id').where('role', '=', 'admin').where('status', '=', 'active').orderBy('id').forUpdate().execute();
    },

    insert: (row: NewUserRow): Promise<PublicUser> => records.insert(row),
    update: (id: number, patch: UserPatchRow): Promise<PublicUser | undefined> => records.update(id, patch),
    delete: records.delete,
  };
}

export type UsersStore = ReturnType<typeof usersStore>;
