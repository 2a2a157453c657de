import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { eachDatabase, startHarness, TestClock, type Harness } from './helpers.ts';

/** The users list at scale: keyset cursors under inserts, bound cursors, literal prefixes, estimated totals, granular caching. */
eachDatabase('users (scale)', (kind) => {
  let h: Harness;
  let key: string;
  // The list cache's lifetime (30 s; 2 s on PostgreSQL without Redis) runs on this clock, so a page cached in a test
  // stays cached until a change drops it.
  const clock = new TestClock();
  const EXACT_MAX = 100;
  before(async () => {
    h = await startHarness(kind, { clock, env: { GATRIX_USERS_EXACT_TOTAL_MAX: String(EXACT_MAX) } });
    key = (await h.apiKey('admin')).key;
  });
  after(() => h.close());

  interface Page {
    data: { id: number; username: string; displayName: string | null; role: string }[];
    pagination: { total: number; totalPages: number; totalExact: boolean };
    nextCursor: string | null;
  }
  const get = (qs: string) => h.call('GET', `/api/v1/users?${qs}`, { headers: { 'x-api-key': key } });
  const list = async (qs: string): Promise<Page> => {
    const r = await get(qs);
    assert.equal(r.statusCode, 200, r.body);
    return r.json<Page>();
  };
  const create = async (body: Record<string, unknown>) => {
    const r = await h.call('POST', '/api/v1/users', { headers: { 'x-api-key': key }, body });
    assert.equal(r.statusCode, 201, r.body);
    return r.json<{ id: number }>();
  };
  /** Users written straight into the table (fast, and unseen by the caches until forgetCached). */
  const seed = async (prefix: string, n: number, role: (i: number) => string) => {
    for (let i = 0; i < n; i += 100) {
      const rows = Array.from({ length: Math.min(100, n - i) }, (_, j) => {
        const k = i + j;
        const at = new Date(Date.UTC(2024, 0, 1) + k * 60_000).toISOString();
        return { username: `${prefix}${k}`, email: `${prefix}${k}@example.com`, display_name: null, role: role(k), status: 'active', password_hash: null, last_login_at: null, created_at: at, updated_at: at };
      });
      await h.db.db.insertInto('users').values(rows).execute();
    }
    h.services.users.forgetCached();
  };

  it('cursor pages walk every row exactly once while users are created between the pages', async () => {
    await seed('walk', 150, () => 'player');
    const first = (await h.db.db.selectFrom('users').select('id').where('username', 'like', 'walk%').execute()).map((u) => Number(u.id));
    assert.equal(first.length, 150);
    for (const sort of ['id', '-createdAt', 'lastLoginAt']) {
      const seen: number[] = [];
      let cursor: string | null = null;
      let n = 0;
      do {
        const p = await list(`q=walk&limit=7&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...p.data.map((u) => u.id));
        cursor = p.nextCursor;
        await create({ username: `walknew${sort.replace('-', 'd')}${n++}`, email: `walknew${sort.replace('-', 'd')}${n}@example.com` });
      } while (cursor);
      assert.equal(new Set(seen).size, seen.length, `${sort}: no user twice`);
      const walked = new Set(seen);
      assert.deepEqual(first.filter((id) => !walked.has(id)), [], `${sort}: every user that was there at the start`);
      assert.ok(n > 20, `${sort}: ${n} pages, a user created after each`);
    }
  });

  it('a cursor is bound to its sort and filters; a changed, foreign or malformed one is a 400 naming query.cursor', async () => {
    const p = await list('q=walk&limit=5&createdFrom=2024-01-01T00:00:00Z');
    const cursor = p.nextCursor!;
    // The same instant written with another offset is the same filter.
    assert.equal((await list(`q=walk&limit=5&createdFrom=2024-01-01T09:00:00%2B09:00&cursor=${cursor}`)).data[0].username, 'walk5');
    const [value, id, tag] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, number, string];
    const forged = Buffer.from(JSON.stringify([value, id + 50, tag])).toString('base64url');
    for (const [qs, why] of [
      [`q=walk&limit=5&createdFrom=2024-01-01T00:00:00Z&cursor=${forged}`, 'its id changed'],
      [`q=walk&limit=5&createdFrom=2024-01-01T00:00:00Z&sort=-id&cursor=${cursor}`, 'another sort'],
      [`q=walk&limit=5&cursor=${cursor}`, 'another filter'],
      [`q=walk&limit=5&createdFrom=2024-01-01T00:00:00Z&role=viewer&cursor=${cursor}`, 'a filter added'],
      [`q=walk&cursor=${Buffer.from(JSON.stringify(['id', null, 5])).toString('base64url')}`, 'the unsigned form'],
      ['q=walk&cursor=bm90LWpzb24', 'not JSON'],
      ['q=walk&cursor=!!', 'not base64url'],
    ]) {
      const r = await get(qs);
      assert.equal(r.statusCode, 400, `${why}: ${r.body}`);
      assert.equal(r.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(r.json().errors[0].path, 'query.cursor', why);
    }
  });

  it('q is a prefix in which % and _ are plain characters', async () => {
    await create({ username: 'pct_one', email: 'one.pct@example.com' });
    await create({ username: 'pctXone', email: 'x.pct@example.com' });
    await create({ username: 'pcpercent', email: 'pc%t@example.com' });
    const names = async (q: string) => (await list(`q=${encodeURIComponent(q)}`)).data.map((u) => u.username).sort();
    assert.deepEqual(await names('pct_'), ['pct_one'], '_ is not "any character"');
    assert.deepEqual(await names('pct'), ['pctXone', 'pct_one']);
    assert.deepEqual(await names('pc%'), ['pcpercent'], '% matches only a %');
    assert.deepEqual(await names('pc%one'), [], '% is not "anything"');
    assert.deepEqual(await names('%'), []);
    assert.deepEqual(await names('_'), []);
  });

  it('a search pages exactly as its filter reads, for a rare prefix and for one too common to collect (on PostgreSQL, the two ways a search is read)', async () => {
    // 6,000 users match "cmn" by username and by email: more than a PostgreSQL search collects from the prefix
    // indexes (5,000 a column), so it walks the id order, alone or under a role and status most of them have; under
    // the viewers' role (10 %) it collects on (to 10,000). "nar" matches 40 by both columns and 8 more by email only.
    await seed('cmn', 6000, (i) => (i % 10 === 0 ? 'viewer' : 'player'));
    await seed('nar', 40, (i) => (i % 4 === 0 ? 'operator' : 'player'));
    await h.db.db.insertInto('users').values(Array.from({ length: 8 }, (_, i) => {
      const at = new Date(Date.UTC(2024, 5, 1) + i * 60_000).toISOString();
      return { username: `mailonly${i}`, email: `Nar.mail${i}@example.com`, display_name: null, role: 'player', status: i % 2 ? 'active' : 'suspended', password_hash: null, last_login_at: null, created_at: at, updated_at: at };
    })).execute();
    if (kind === 'postgres') await sql`analyze users`.execute(h.db.db);
    h.services.users.forgetCached();
    const everyone = (await h.db.db.selectFrom('users').select(['id', 'username', 'email', 'role', 'status']).execute()).map((u) => ({ ...u, id: Number(u.id) }));
    const expected = (q: string, f: { role?: string; status?: string }, desc: boolean) =>
      everyone
        .filter((u) => u.username.toLowerCase().startsWith(q) || u.email.toLowerCase().startsWith(q) || String(u.id) === q)
        .filter((u) => (!f.role || u.role === f.role) && (!f.status || u.status === f.status))
        .map((u) => u.id)
        .sort((a, b) => (desc ? b - a : a - b));
    /** The ids of the first `pages` pages, read by cursor. */
    const walk = async (qs: string, pages: number) => {
      const ids: number[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < pages; i++) {
        const p: Page = await list(`${qs}${cursor ? `&cursor=${cursor}` : ''}`);
        ids.push(...p.data.map((u) => u.id));
        cursor = p.nextCursor;
        if (!cursor) break;
      }
      return ids;
    };
    for (const desc of [false, true]) {
      const sort = desc ? '-id' : 'id';
      for (const f of [{}, { role: 'operator' }, { role: 'player', status: 'suspended' }] as Record<string, string>[]) {
        const qs = new URLSearchParams({ q: 'NAR', sort, limit: '7', ...f }).toString();
        assert.deepEqual(await walk(qs, 20), expected('nar', f, desc), `${qs}: every match once, in order`);
      }
      for (const f of [{}, { role: 'viewer' }, { role: 'player', status: 'active' }] as Record<string, string>[]) {
        const qs = new URLSearchParams({ q: 'cmn', sort, limit: '50', ...f }).toString();
        assert.deepEqual(await walk(qs, 3), expected('cmn', f, desc).slice(0, 150), `${qs}: the first three pages`);
        const second = await list(`${qs}&page=2`);
        assert.deepEqual(second.data.map((u) => u.id), expected('cmn', f, desc).slice(50, 100), `${qs}: page 2 by offset`);
      }
    }
    const nar = await list('q=nar');
    assert.deepEqual(nar.pagination, { page: 1, limit: 50, total: 48, totalPages: 1, totalExact: true });
    const common = await list('q=cmn&limit=10');
    assert.equal(common.pagination.totalExact, false);
    assert.ok(common.pagination.total > 6000 * 0.6 && common.pagination.total < 6000 * 1.4, `estimate ${common.pagination.total} for 6,000`);
    const someone = everyone.find((u) => u.username === 'nar7')!;
    assert.deepEqual((await list(`q=${someone.id}`)).data.map((u) => u.id), expected(String(someone.id), {}, false), 'digits find the user with that id too');
  });

  it('totals are counted up to the limit and estimated above it, and say which; a registration moves both by one', async () => {
    await seed('est', 2000, (i) => (i % 40 === 0 ? 'operator' : 'player')); // 1,950 players and 50 operators
    if (kind === 'postgres') await sql`analyze users`.execute(h.db.db); // the planner's statistics, as autovacuum keeps them
    h.services.users.forgetCached();
    const ops = await list('q=est&role=operator');
    assert.deepEqual(ops.pagination, { page: 1, limit: 50, total: 50, totalPages: 1, totalExact: true });
    const players = await list('q=est&role=player&limit=10');
    assert.equal(players.pagination.totalExact, false, 'above the limit: an estimate');
    const t = players.pagination.total;
    assert.ok(t > 1950 * 0.6 && t < 1950 * 1.4, `estimate ${t} for 1,950`);
    assert.equal(players.pagination.totalPages, Math.ceil(t / 10));
    assert.equal(players.data.length, 10);
    await create({ username: 'est_new', email: 'est_new@example.com' });
    await create({ username: 'est_op', email: 'est_op@example.com', role: 'operator' });
    assert.equal((await list('q=est&role=player&limit=10')).pagination.total, t + 1);
    assert.deepEqual((await list('q=est&role=operator')).pagination, { page: 1, limit: 50, total: 51, totalPages: 2, totalExact: true });

    // Behind the caches' back, 1,000 more players and one more operator: past the pages' lifetime (30 s; 2 s on
    // PostgreSQL without Redis) the exact total is counted again, the estimate is kept until it is a minute old.
    await h.db.db.insertInto('users').values(Array.from({ length: 1001 }, (_, i) => {
      const at = new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();
      return { username: `estmore${i}`, email: `estmore${i}@example.com`, display_name: null, role: i === 0 ? 'operator' : 'player', status: 'active', password_hash: null, last_login_at: null, created_at: at, updated_at: at };
    })).execute();
    if (kind === 'postgres') await sql`analyze users`.execute(h.db.db);
    clock.advance(31_000);
    assert.equal((await list('q=est&role=operator')).pagination.total, 52, 'an exact total past the lifetime is counted again');
    assert.equal((await list('q=est&role=player&limit=10')).pagination.total, t + 1, 'an estimate is kept');
    clock.advance(30_000);
    const again = (await list('q=est&role=player&limit=10')).pagination;
    assert.equal(again.totalExact, false);
    assert.ok(again.total > t + 500, `a minute on, estimated again: ${again.total} for ${1950 + 1 + 1000}`);
  });

  it('a registration drops only the cached pages it can land on, and updates the totals', async () => {
    await seed('gran', 30, (i) => (i < 25 ? 'player' : 'viewer'));
    const first = await list('q=gran&role=player&limit=10');
    const last = await list('q=gran&role=player&limit=10&page=3');
    const newest = await list('q=gran&role=player&limit=10&sort=-id');
    const secondUrl = `q=gran&role=player&limit=10&sort=-id&cursor=${newest.nextCursor}`;
    await list(secondUrl);
    const viewers = await list('q=gran&role=viewer');
    assert.equal(last.nextCursor, null);
    assert.equal(first.pagination.total, 25);
    assert.equal(viewers.pagination.total, 5);
    // Behind the caches' back: a page that is still cached shows the old names, a dropped one the new.
    await h.db.db.updateTable('users').set({ display_name: 'Stale' }).where('username', 'like', 'gran%').execute();
    const stale = (p: Page) => p.data.some((u) => u.displayName === 'Stale');

    const joined = await create({ username: 'gran_new', email: 'gran_new@example.com' });
    const first2 = await list('q=gran&role=player&limit=10');
    assert.equal(stale(first2), false, 'the first page (ids sort first) is kept');
    assert.equal(first2.pagination.total, 26, '… with the new total');
    const last2 = await list('q=gran&role=player&limit=10&page=3');
    assert.equal(stale(last2), true, 'the last page, where the new user lands, is dropped');
    assert.equal(last2.data.length, 6, '… and shows the new user');
    const newest2 = await list('q=gran&role=player&limit=10&sort=-id');
    assert.equal(newest2.data[0].id, joined.id, 'newest first: the first page shows the new user…');
    assert.equal(stale(newest2), false, '… patched in place, not read again');
    assert.equal(newest2.data.length, 10);
    assert.equal(newest2.data[9].id, newest.data[8].id, 'its last row moved to the next page');
    const nextOfPatched = await list(`q=gran&role=player&limit=10&sort=-id&cursor=${newest2.nextCursor}`);
    assert.equal(nextOfPatched.data[0].id, newest.data[9].id, 'and its cursor continues after its new last row');
    assert.equal(stale(await list(secondUrl)), false, 'a cursor page after it is kept');
    const viewers2 = await list('q=gran&role=viewer');
    assert.equal(stale(viewers2), false, 'another filter is kept');
    assert.equal(viewers2.pagination.total, 5);

    // A player made a viewer leaves the players' totals and enters the viewers' page.
    const r = await h.call('PATCH', `/api/v1/users/${first.data[0].id}`, { headers: { 'x-api-key': key }, body: { role: 'viewer' } });
    assert.equal(r.statusCode, 200, r.body);
    const viewers3 = await list('q=gran&role=viewer');
    assert.equal(viewers3.pagination.total, 6);
    assert.ok(viewers3.data.some((u) => u.id === first.data[0].id));
    assert.equal((await list('q=gran&role=player&limit=10&page=3')).pagination.total, 25);
    // The oldest player sorts after that cursor page, which is kept; past its lifetime it is read again.
    assert.equal(stale(await list(secondUrl)), false);
    clock.advance(30_001);
    assert.equal(stale(await list(secondUrl)), true);
  });
});
