import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { ValidationError } from '../../core/errors.ts';
import type { PublicUser, UserFilter } from './schemas.ts';
import type { Position, sortOf } from './store.ts';

type Sort = ReturnType<typeof sortOf>;

/** A user row before and after a change: null before a create, null after a delete. */
export interface UserChange {
  before: PublicUser | null;
  after: PublicUser | null;
}

/**
 * Whether `u` is in the filter's result, as the store's query decides it (`filter` normalized by normalFilter:
 * its times as stored, so string order is time order).
 */
export function matches(f: UserFilter, u: PublicUser): boolean {
  if (f.role && u.role !== f.role) return false;
  if (f.status && u.status !== f.status) return false;
  if (f.q) {
    const p = f.q.toLowerCase();
    const id = /^[0-9]{1,10}$/.test(f.q) ? Number(f.q) : undefined;
    if (!u.username.toLowerCase().startsWith(p) && !u.email.toLowerCase().startsWith(p) && u.id !== id) return false;
  }
  if (f.createdFrom && u.createdAt < f.createdFrom) return false;
  if (f.createdTo && u.createdAt >= f.createdTo) return false;
  if (f.lastLoginFrom && (u.lastLoginAt === null || u.lastLoginAt < f.lastLoginFrom)) return false;
  if (f.lastLoginTo && (u.lastLoginAt === null || u.lastLoginAt >= f.lastLoginTo)) return false;
  return true;
}

/** Where `u` sorts: its sort value and id. */
export function positionOf(u: PublicUser, sort: Sort): Position {
  return { value: u[sort.key], id: u.id };
}

/**
 * Negative when `a` comes before `b` in the list's order (the store's `ordered`: nulls last, ties by id in the
 * sort's direction). Times are ISO strings of one format, whose order every collation agrees on; usernames are
 * ASCII, which JavaScript orders as SQLite does (bytes), but a PostgreSQL collation may not (`pageHolds`).
 */
function compare(sort: Sort, a: Position, b: Position): number {
  const dir = sort.desc ? -1 : 1;
  if (sort.key !== 'id' && a.value !== b.value) {
    if (a.value === null) return 1;
    if (b.value === null) return -1;
    return (a.value < b.value ? -1 : 1) * dir;
  }
  return (a.id - b.id) * dir;
}

/**
 * Keyset cursors: the last row's position, with a MAC over it, the sort and the filter, keyed by a secret every
 * node shares. A cursor that was changed, or made for another sort or filter, is a 400 naming `query.cursor`.
 */
export function cursorCodec(secret: string) {
  const key = createHmac('sha256', secret).update('gatrix users list cursor').digest();
  const mac = (sort: string, filterKey: string, value: Position['value'], id: number) =>
    createHmac('sha256', key).update(JSON.stringify([sort, filterKey, value, id])).digest().subarray(0, 12);
  return {
    encode(sort: string, filterKey: string, p: Position): string {
      return Buffer.from(JSON.stringify([p.value, p.id, mac(sort, filterKey, p.value, p.id).toString('base64url')])).toString('base64url');
    },
    decode(cursor: string, sort: string, filterKey: string): Position {
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        parsed = undefined;
      }
      if (Array.isArray(parsed) && parsed.length === 3 && Number.isSafeInteger(parsed[1]) && typeof parsed[2] === 'string' &&
        (parsed[0] === null || ['string', 'number'].includes(typeof parsed[0]))) {
        const [value, id, tag] = parsed as [Position['value'], number, string];
        const given = Buffer.from(tag, 'base64url');
        const expected = mac(sort, filterKey, value, id);
        if (given.length === expected.length && timingSafeEqual(given, expected)) return { value, id };
      }
      throw new ValidationError('query.cursor', 'is not a cursor of this list: pass a nextCursor as it was answered, with the same sort and filters');
    },
  };
}

/** A cached page: up to `limit` rows after `from` (a cursor page) or from `offset`, and whether more follow. */
export interface CachedPage {
  filter: UserFilter;
  sort: Sort;
  from?: Position;
  offset: number;
  limit: number;
  rows: PublicUser[];
  nextCursor: string | null;
  /** The cursor of the page after a row (to patch the page when a new user lands on it). */
  cursorAfter(u: PublicUser): string;
  at: number;
}

/** A cached total: exact (counted) or estimated. */
export interface CachedTotal {
  filter: UserFilter;
  total: number;
  exact: boolean;
  at: number;
}

/** Could `u` be on the page (or, before it, move the rows of an offset page)? */
function pageHolds(page: CachedPage, u: PublicUser, bytewiseUsernames: boolean): boolean {
  if (!matches(page.filter, u)) return false;
  if (page.sort.key === 'username' && !bytewiseUsernames) return true;
  const p = positionOf(u, page.sort);
  if (page.from && compare(page.sort, p, page.from) <= 0) return false;
  const last = page.rows[page.rows.length - 1];
  return page.nextCursor === null || !last || compare(page.sort, p, positionOf(last, page.sort)) <= 0;
}

/**
 * A page with a new user on it, without reading it again: the user in its place and, on a full page, the last row
 * pushed to the next page. Undefined when that cannot be told here (an offset page after the first, whose rows all
 * shift; a username order the database may not share).
 */
function withNewUser(page: CachedPage, u: PublicUser, bytewiseUsernames: boolean): CachedPage | undefined {
  if (page.offset > 0 || (page.sort.key === 'username' && !bytewiseUsernames)) return undefined;
  const p = positionOf(u, page.sort);
  let i = page.rows.findIndex((r) => compare(page.sort, p, positionOf(r, page.sort)) < 0);
  if (i < 0) i = page.rows.length;
  const rows = [...page.rows.slice(0, i), u, ...page.rows.slice(i)];
  if (rows.length <= page.limit) return { ...page, rows };
  rows.pop();
  return { ...page, rows, nextCursor: page.cursorAfter(rows[rows.length - 1]) };
}

const totalAffected = (t: CachedTotal, c: UserChange) => (c.before !== null && matches(t.filter, c.before)) || (c.after !== null && matches(t.filter, c.after));

/** Changes remembered for loads still running when they happened. */
const RECENT = 64;

/**
 * How long an estimated total is kept, however short the pages' lifetime: it is "about N" either way, this node's
 * changes move it by one, and making it may mean counting 10,000 rows (a `q` prefix the planner under-estimates
 * took 50–165 ms on a million users), which PostgreSQL without Redis would otherwise redo every 2 s per filter.
 */
const ESTIMATE_TTL_MS = 60_000;

const isEstimate = (e: object): boolean => 'exact' in e && e.exact === false;

/**
 * The user list's pages and totals, each kept up to `ttlMs`. A change of a user (here, or on another node through
 * the change feed) touches only the pages it can be on, and moves the totals of the filters it enters or leaves by
 * one, instead of clearing everything: a registration, which sorts last by id, is put into the last page of each
 * filter it matches and into the first page of the newest-first sorts (offset pages after the first, which all
 * shift, are dropped), and leaves the other pages and filters alone. An update or delete drops the pages it touches.
 */
export class UserListCache {
  private readonly pages = new Map<string, CachedPage>();
  private readonly totals = new Map<string, CachedTotal>();
  /** Counts changes; recent[i] is change number generation - recent.length + 1 + i. */
  private generation = 0;
  private readonly recent: UserChange[] = [];
  /** Loads running, by map and key: concurrent misses of one key share one query. */
  private readonly loading = new Map<string, Promise<unknown>>();
  private readonly pageAffected = (page: CachedPage, c: UserChange) =>
    (c.before !== null && pageHolds(page, c.before, this.bytewiseUsernames)) || (c.after !== null && pageHolds(page, c.after, this.bytewiseUsernames));

  /** `bytewiseUsernames`: the database orders usernames as JavaScript does (SQLite); else any change of a user matching a username-sorted page drops it. */
  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly bytewiseUsernames: boolean,
    private readonly maxEntries = 1000,
  ) {}

  page(key: string, load: () => Promise<Omit<CachedPage, 'at'>>): Promise<CachedPage> {
    return this.get(this.pages, `p${key}`, load, this.pageAffected);
  }

  total(key: string, load: () => Promise<Omit<CachedTotal, 'at'>>): Promise<CachedTotal> {
    return this.get(this.totals, `t${key}`, load, totalAffected);
  }

  /** A user changed: drop the pages it may be on, move the totals of the filters it entered or left. */
  changed(c: UserChange): void {
    this.generation++;
    this.loading.clear(); // a request after a change does not wait for a load begun before it
    this.recent.push(c);
    if (this.recent.length > RECENT) this.recent.shift();
    for (const [key, page] of this.pages) {
      if (!this.pageAffected(page, c)) continue;
      // A registration lands on the first page of the newest-first sorts (and the last of the others): patch it.
      const patched = c.before === null && c.after !== null ? withNewUser(page, c.after, this.bytewiseUsernames) : undefined;
      if (patched) this.pages.set(key, patched);
      else this.pages.delete(key);
    }
    for (const [key, t] of this.totals) {
      const delta = (c.after !== null && matches(t.filter, c.after) ? 1 : 0) - (c.before !== null && matches(t.filter, c.before) ? 1 : 0);
      // A new object: an answer built on the old total is known stale by identity.
      if (delta !== 0) this.totals.set(key, { ...t, total: Math.max(0, t.total + delta) });
    }
  }

  /** Users changed in a way the feed cannot describe (or a test wrote the table directly): drop everything. */
  clear(): void {
    this.generation += RECENT + 1;
    this.loading.clear();
    this.recent.length = 0;
    this.pages.clear();
    this.totals.clear();
  }

  private get<E extends { at: number }>(map: Map<string, E>, key: string, load: () => Promise<Omit<E, 'at'>>, affected: (e: E, c: UserChange) => boolean): Promise<E> {
    const hit = map.get(key);
    const at = this.clock.now().getTime();
    if (hit && at - hit.at < (isEstimate(hit) ? Math.max(this.ttlMs, ESTIMATE_TTL_MS) : this.ttlMs)) return Promise.resolve(hit);
    let running = this.loading.get(key) as Promise<E> | undefined;
    if (!running) {
      const mine: Promise<E> = this.load(map, key, load, affected, at).finally(() => {
        if (this.loading.get(key) === mine) this.loading.delete(key);
      });
      running = mine;
      this.loading.set(key, running);
    }
    return running;
  }

  private async load<E extends { at: number }>(map: Map<string, E>, key: string, load: () => Promise<Omit<E, 'at'>>, affected: (e: E, c: UserChange) => boolean, at: number): Promise<E> {
    const start = this.generation;
    const entry = { ...(await load()), at } as E;
    // Changes made while it loaded: it may or may not have seen them, so it is kept only if none concerns it; an
    // estimate is kept anyway (it is one either way, and one that takes long would otherwise never be kept while
    // users keep registering).
    const missed = this.generation - start;
    if (isEstimate(entry) || (missed <= this.recent.length && !this.recent.slice(this.recent.length - missed).some((c) => affected(entry, c)))) {
      map.delete(key);
      if (map.size >= this.maxEntries) map.delete(map.keys().next().value!);
      map.set(key, entry);
    }
    return entry;
  }
}
