import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readEventsAfter } from '../src/events/outbox.ts';
import { usersStore } from '../src/modules/users/store.ts';
import { eachDatabase, startHarness, TestClock, until, type Harness } from './helpers.ts';

/** The users routes the operator console needs: search and keyset paging, bulk, CSV export, suspension, unlock, password reset, sessions. */
eachDatabase('users (console)', (kind) => {
  let h: Harness;
  let admin: string; // admin API key: its own audit actor, and never "yourself" to a user route
  let operator: string;
  before(async () => {
    h = await startHarness(kind);
    admin = (await h.apiKey('admin')).key;
    operator = (await h.userToken('operator')).token;
  });
  after(() => h.close());

  const asKey = (key: string) => ({ headers: { 'x-api-key': key } });
  const create = async (body: Record<string, unknown>) => {
    const r = await h.call('POST', '/api/v1/users', { ...asKey(admin), body });
    assert.equal(r.statusCode, 201, r.body);
    return r.json<{ id: number; username: string; email: string }>();
  };
  const audits = (action: string, targetId?: number) => {
    let q = h.db.db.selectFrom('audit_logs').selectAll().where('action', '=', action);
    if (targetId !== undefined) q = q.where('target_id', '=', String(targetId));
    return q.orderBy('id').execute();
  };
  const lastSeq = async () => Number((await h.db.db.selectFrom('outbox_events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst())?.m ?? 0);
  const list = async (qs: string, token = admin) => {
    const r = await h.call('GET', `/api/v1/users?${qs}`, asKey(token));
    assert.equal(r.statusCode, 200, r.body);
    return r.json<{ data: { id: number; username: string; lastLoginAt: string | null }[]; pagination: { total: number }; nextCursor: string | null }>();
  };
  const login = (username: string, password: string) => h.call('POST', '/api/v1/auth/login', { body: { username, password } });

  describe('list', () => {
    it('q is a case-insensitive prefix of the username or email, or the exact id; not a substring', async () => {
      const a = await create({ username: 'pfxAlpha', email: 'zeta.pfx@example.com', displayName: 'pfxbeta' });
      const b = await create({ username: 'xpfxbeta', email: 'PfxMail@example.com' });
      const names = async (q: string) => (await list(`q=${encodeURIComponent(q)}&limit=100`)).data.map((u) => u.username).sort();
      assert.deepEqual(await names('PFX'), ['pfxAlpha', 'xpfxbeta'], 'username prefix of one, email prefix of the other');
      assert.deepEqual(await names('pfxa'), ['pfxAlpha']);
      assert.deepEqual(await names('zeta.'), ['pfxAlpha'], 'email prefix');
      assert.deepEqual(await names('pfxbeta'), [], 'neither a substring nor the display name matches');
      assert.deepEqual(await names('fxalpha'), []);
      assert.deepEqual(await names(String(b.id)), ['xpfxbeta'], 'an all-digit q matches the id');
      assert.equal((await list(`q=${a.id}`)).data.some((u) => u.id === a.id), true);
      assert.deepEqual(await names('pfx_'), [], '_ is taken literally');
    });

    it('createdFrom/createdTo and lastLoginFrom/lastLoginTo filter by time ranges', async () => {
      const u = await create({ username: 'rangeuser', email: 'rangeuser@example.com' });
      const at = '2024-03-01T10:00:00.000Z';
      await h.db.db.updateTable('users').set({ created_at: at, last_login_at: '2024-04-01T00:00:00.000Z' }).where('id', '=', u.id).execute();
      h.services.users.forgetCached();
      const ids = async (qs: string) => (await list(`q=rangeuser&${qs}`)).data.map((x) => x.id);
      assert.deepEqual(await ids('createdFrom=2024-03-01T10:00:00Z&createdTo=2024-03-01T10:00:01Z'), [u.id], 'from is inclusive');
      assert.deepEqual(await ids('createdFrom=2024-03-01T10:00:00.001Z'), []);
      assert.deepEqual(await ids('createdTo=2024-03-01T10:00:00Z'), [], 'to is exclusive');
      assert.deepEqual(await ids('createdFrom=2024-03-01T19:00:00%2B09:00'), [u.id], 'offsets are understood');
      assert.deepEqual(await ids('lastLoginFrom=2024-03-31T00:00:00Z&lastLoginTo=2024-04-02T00:00:00Z'), [u.id]);
      assert.deepEqual(await ids('lastLoginTo=2024-04-01T00:00:00Z'), []);
      for (const [qs, path] of [['createdFrom=yesterday', 'query.createdFrom'], ['lastLoginTo=2024-06-30T23:59:60Z', 'query.lastLoginTo']]) {
        const bad = await h.call('GET', `/api/v1/users?${qs}`, asKey(admin));
        assert.equal(bad.statusCode, 400, `${qs}: ${bad.body}`);
        assert.equal(bad.json().errors[0].path, path);
      }
    });

    it('cursor pages walk every sort (descending and nullable lastLoginAt too) in the offset order, once each', async () => {
      const made: number[] = [];
      for (let i = 0; i < 9; i++) made.push((await create({ username: `ks${i}`, email: `ks${i}@example.com` })).id);
      // Some users signed in (some at the same moment), the others never: lastLoginAt has ties and nulls.
      for (const [i, id] of made.entries()) {
        if (i % 3 === 0) continue;
        await h.db.db.updateTable('users').set({ last_login_at: `2025-01-0${1 + (i % 2)}T00:00:00.000Z`, created_at: `2025-02-0${1 + (i % 4)}T00:00:00.000Z` }).where('id', '=', id).execute();
      }
      h.services.users.forgetCached();
      for (const sort of ['id', '-id', 'username', '-username', 'createdAt', '-createdAt', 'lastLoginAt', '-lastLoginAt']) {
        const all = (await list(`q=ks&limit=100&sort=${sort}`)).data.map((u) => u.id);
        assert.equal(all.length, 9);
        const walked: number[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const p = await list(`q=ks&limit=2&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`);
          walked.push(...p.data.map((u) => u.id));
          cursor = p.nextCursor;
          pages++;
        } while (cursor);
        assert.deepEqual(walked, all, sort);
        assert.equal(pages, 5, `${sort}: 9 rows in pages of 2, and no empty page at the end`);
        if (sort.endsWith('lastLoginAt')) {
          const lastLogins = (await list(`q=ks&limit=100&sort=${sort}`)).data.map((u) => u.lastLoginAt);
          assert.deepEqual(lastLogins.slice(-3), [null, null, null], `${sort}: users who never signed in come last`);
        }
      }
      // Offset paging still works, and its page answers a nextCursor too.
      const page2 = await list('q=ks&limit=2&page=2&sort=username');
      assert.deepEqual(page2.data.map((u) => u.username), ['ks2', 'ks3']);
      assert.ok(page2.nextCursor);
      assert.deepEqual((await list(`q=ks&limit=2&sort=username&cursor=${page2.nextCursor}`)).data.map((u) => u.username), ['ks4', 'ks5']);
    });

    it('a cursor survives a delete of rows before it; a bad or foreign cursor is a 400 naming query.cursor', async () => {
      for (let i = 0; i < 4; i++) await create({ username: `kd${i}`, email: `kd${i}@example.com` });
      const first = await list('q=kd&limit=2&sort=username');
      await h.call('DELETE', `/api/v1/users/${first.data[0].id}`, asKey(admin));
      assert.deepEqual((await list(`q=kd&limit=2&sort=username&cursor=${first.nextCursor}`)).data.map((u) => u.username), ['kd2', 'kd3']);
      for (const cursor of ['notacursor', Buffer.from('[1,2]').toString('base64url'), first.nextCursor!]) {
        const r = await h.call('GET', `/api/v1/users?q=kd&sort=-id&cursor=${cursor}`, asKey(admin));
        assert.equal(r.statusCode, 400, cursor);
        assert.equal(r.headers['content-type'], 'application/problem+json; charset=utf-8');
        assert.equal(r.json().errors[0].path, 'query.cursor');
      }
    });

    it('the 2 s page cache keys on the new parameters', async () => {
      await create({ username: 'cachekey1', email: 'cachekey1@example.com' });
      const all = await list('q=cachekey');
      const none = await list('q=cachekey&createdTo=2000-01-01T00:00:00Z');
      assert.equal(all.data.length, 1);
      assert.equal(none.data.length, 0);
      assert.equal((await list('q=cachekey&lastLoginFrom=2000-01-01T00:00:00Z')).data.length, 0);
    });
  });

  describe('bulk', () => {
    it('validates the body, naming the field', async () => {
      const cases: [unknown, string][] = [
        [{ action: 'setStatus', ids: [2], status: 'gone' }, 'status'],
        [{ action: 'setStatus', ids: [2] }, 'status'],
        [{ action: 'setRole', ids: [2] }, 'role'],
        [{ action: 'explode', ids: [2] }, 'action'],
        [{ action: 'delete' }, 'ids'],
        [{ action: 'delete', ids: [2], filter: { role: 'player' } }, 'ids'],
        [{ action: 'delete', ids: Array.from({ length: 10_001 }, (_, i) => i + 1) }, 'ids'],
        [{ action: 'delete', ids: [2, 2] }, 'ids'],
        [{ action: 'delete', filter: { q: 'x', bogus: 1 } }, 'filter.bogus'],
        [{ action: 'delete', ids: [2], reason: 'r'.repeat(501) }, 'reason'],
        [{ action: 'delete', filter: { createdFrom: '2024-06-30T23:59:60Z' } }, 'filter.createdFrom'],
        [{ action: 'setRole', role: 'viewer', ids: [2], until: '2099-01-01T00:00:00Z' }, 'until'],
        [{ action: 'setStatus', status: 'active', ids: [2], until: '2099-01-01T00:00:00Z' }, 'until'],
        [{ action: 'setStatus', status: 'suspended', ids: [2], until: '2000-01-01T00:00:00Z' }, 'until'],
      ];
      for (const [body, path] of cases) {
        const r = await h.call('POST', '/api/v1/users/bulk', { ...asKey(admin), body });
        assert.equal(r.statusCode, 400, `${JSON.stringify(body).slice(0, 80)} → ${r.body}`);
        assert.equal(r.json().errors[0].path, path, r.body);
      }
    });

    it('is refused to an operator (users.write)', async () => {
      const u = await create({ username: 'bulkop', email: 'bulkop@example.com' });
      const r = await h.call('POST', '/api/v1/users/bulk', { token: operator, body: { action: 'delete', ids: [u.id] } });
      assert.equal(r.statusCode, 403);
      assert.equal((await h.call('GET', `/api/v1/users/${u.id}`, asKey(admin))).statusCode, 200);
    });

    it('by ids: each user its own audited change with the reason; yourself, the last admin and unknown ids fail alone', async () => {
      const me = await h.userToken('admin');
      const [a, b] = [await create({ username: 'bulka', email: 'bulka@example.com' }), await create({ username: 'bulkb', email: 'bulkb@example.com' })];
      const seq = await lastSeq();
      const r = await h.call('POST', '/api/v1/users/bulk', { token: me.token, body: { action: 'setStatus', status: 'suspended', ids: [a.id, me.id, 999_999, b.id], reason: 'Spam wave' } });
      assert.equal(r.statusCode, 200, r.body);
      const body = r.json();
      assert.equal(body.total, 4);
      assert.equal(body.succeeded, 2);
      assert.equal(body.failed, 2);
      assert.deepEqual(body.results.map((x: { id: number; ok: boolean; error?: { code: string } }) => [x.id, x.ok, x.error?.code]), [
        [a.id, true, undefined],
        [me.id, false, 'own_account'],
        [999_999, false, 'user_not_found'],
        [b.id, true, undefined],
      ]);
      for (const u of [a, b]) {
        const got = (await h.call('GET', `/api/v1/users/${u.id}`, asKey(admin))).json();
        assert.equal(got.status, 'suspended');
        assert.equal(got.suspendedReason, 'Spam wave');
        const [entry] = await audits('user.update', u.id);
        assert.equal(entry.actor_name, me.username);
        assert.equal(entry.reason, 'Spam wave', 'the body reason is the fallback of X-Audit-Reason');
        assert.equal(JSON.parse(entry.after!).reason, undefined, 'the reason is not mixed into the user snapshot');
      }
      const events = (await readEventsAfter(h.db.db, seq)).map((e) => e.envelope).filter((e) => e.event === 'user.updated');
      assert.equal(events.length, 2);

      // The last active admin cannot be demoted in bulk either.
      const solo = await startHarness(kind);
      try {
        const key = (await solo.apiKey('admin')).key;
        const d = await solo.call('POST', '/api/v1/users/bulk', { headers: { 'x-api-key': key }, body: { action: 'setRole', role: 'viewer', ids: [1] } });
        assert.equal(d.json().results[0].error.code, 'last_admin');
        assert.equal((await usersStore(solo.db.db).findById(1))?.role, 'admin');
      } finally {
        await solo.close();
      }
    });

    it('suspends with an end time (until) that the scheduler lifts like a single suspension', async () => {
      const u = await create({ username: 'bulkuntil', email: 'bulkuntil@example.com' });
      const until = new Date(Date.now() + 3_600_000).toISOString();
      const r = await h.call('POST', '/api/v1/users/bulk', { ...asKey(admin), body: { action: 'setStatus', status: 'suspended', filter: { q: 'bulkuntil' }, until, reason: 'Cooling off' } });
      assert.equal(r.json().succeeded, 1, r.body);
      const got = (await h.call('GET', `/api/v1/users/${u.id}`, asKey(admin))).json();
      assert.equal(got.status, 'suspended');
      assert.equal(got.suspendedUntil, until);
      assert.equal(got.suspendedReason, 'Cooling off');
    });

    it('by filter: acts on every matching user ("select all N"), deletes included', async () => {
      for (let i = 0; i < 5; i++) await create({ username: `bulkf${i}`, email: `bulkf${i}@example.com`, role: 'viewer' });
      const r = await h.call('POST', '/api/v1/users/bulk', { ...asKey(admin), body: { action: 'setRole', role: 'operator', filter: { q: 'bulkf', role: 'viewer' } } });
      assert.equal(r.json().succeeded, 5, r.body);
      assert.equal((await audits('user.update')).filter((e) => JSON.parse(e.before!).username.startsWith('bulkf')).every((e) => e.reason === null), true, 'no reason given, none recorded');
      assert.equal((await list('q=bulkf&role=operator')).pagination.total, 5);
      const del = await h.call('POST', '/api/v1/users/bulk', {
        headers: { 'x-api-key': admin, 'x-audit-reason': encodeURIComponent('정리 cleanup') },
        body: { action: 'delete', filter: { q: 'bulkf' }, reason: 'body reason' },
      });
      assert.equal(del.json().succeeded, 5, del.body);
      assert.equal((await list('q=bulkf')).pagination.total, 0);
      const deleted = (await audits('user.delete')).filter((e) => JSON.parse(e.before!).username.startsWith('bulkf'));
      assert.equal(deleted.length, 5);
      assert.deepEqual(deleted.map((e) => e.reason), Array(5).fill('정리 cleanup'), 'X-Audit-Reason wins over the body reason');
      assert.equal(deleted[0].after, null);
    });
  });

  describe('CSV export', () => {
    it('streams every matching user in batches, escapes formulas, is audited; viewers may, players may not', async () => {
      // More rows than one read batch (500), without 600 HTTP calls.
      const store = usersStore(h.db.db);
      const now = new Date().toISOString();
      for (let i = 0; i < 620; i++) {
        await store.insert({ username: `csv${String(i).padStart(4, '0')}`, email: `csv${i}@example.com`, display_name: null, role: 'player', status: 'active', password_hash: null, last_login_at: null, created_at: now, updated_at: now });
      }
      await create({ username: 'csvevil', email: 'csvevil@example.com', displayName: '=HYPERLINK("http://x","a, b")' });
      await create({ username: 'csvminus', email: 'csvminus@example.com', displayName: '-2+3' });
      h.services.users.forgetCached();
      const viewer = (await h.userToken('viewer')).token;
      const r = await h.call('GET', '/api/v1/users/export.csv?q=csv&sort=username', { token: viewer });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.headers['content-type'], 'text/csv; charset=utf-8');
      assert.match(String(r.headers['content-disposition']), /^attachment; filename="users-\d{8}T\d{6}\.csv"$/);
      assert.equal(r.headers['cache-control'], 'no-store');
      assert.ok(!r.body.startsWith('\uFEFF'), 'no BOM unless asked');
      const lines = r.body.split('\r\n');
      assert.equal(lines[0], 'id,username,email,displayName,role,status,suspendedReason,suspendedUntil,lastLoginAt,createdAt,updatedAt');
      assert.equal(lines.at(-1), '', 'ends with a line break');
      const rows = lines.slice(1, -1);
      assert.equal(rows.length, 622);
      assert.deepEqual(rows.slice(0, 2).map((l) => l.split(',')[1]), ['csv0000', 'csv0001']);
      assert.equal(new Set(rows.map((l) => l.split(',')[0])).size, 622, 'no row twice across batches');
      const evil = rows.find((l) => l.includes('csvevil'))!;
      assert.ok(evil.includes(`"'=HYPERLINK(""http://x"",""a, b"")"`), evil);
      assert.ok(rows.find((l) => l.includes('csvminus'))!.includes(",'-2+3,"));

      await until(async () => (await audits('users.exported')).length === 1, 'the export audit entry');
      const [entry] = await audits('users.exported');
      assert.deepEqual(JSON.parse(entry.after!), { filter: { q: 'csv' }, rows: 622, complete: true });

      const bom = await h.call('GET', '/api/v1/users/export.csv?q=csvevil&bom=true', { token: viewer });
      assert.ok(bom.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])));
      const player = (await h.userToken('player')).token;
      assert.equal((await h.call('GET', '/api/v1/users/export.csv', { token: player })).statusCode, 403);
      for (const [qs, path] of [['status=gone', 'query.status'], ['createdTo=2024-06-30T23:59:60Z', 'query.createdTo']]) {
        const bad = await h.call('GET', `/api/v1/users/export.csv?${qs}`, { token: viewer });
        assert.equal(bad.statusCode, 400, qs);
        assert.equal(bad.json().errors[0].path, path);
      }
    });
  });

  describe('suspension', () => {
    it('suspend: validation, permission, ends sessions, blocks sign-in, audited with its reason; unsuspend lifts it', async () => {
      const body = { username: 'suspendme', email: 'suspendme@example.com', password: 'suspend-pass-1' };
      const u = await create(body);
      const session = (await login(body.username, body.password)).json();
      for (const [b, path] of [[{}, 'reason'], [{ reason: '' }, 'reason'], [{ reason: 'x'.repeat(501) }, 'reason'], [{ reason: 'r', until: 'soon' }, 'until'], [{ reason: 'r', until: '2001-01-01T00:00:00Z' }, 'until']] as const) {
        const r = await h.call('POST', `/api/v1/users/${u.id}/suspend`, { ...asKey(admin), body: b });
        assert.equal(r.statusCode, 400, JSON.stringify(b));
        assert.equal(r.json().errors[0].path, path);
      }
      assert.equal((await h.call('POST', `/api/v1/users/${u.id}/suspend`, { token: operator, body: { reason: 'r' } })).statusCode, 403);
      assert.equal((await h.call('POST', '/api/v1/users/999999/suspend', { ...asKey(admin), body: { reason: 'r' } })).statusCode, 404);
      const me = await h.userToken('admin');
      assert.equal((await h.call('POST', `/api/v1/users/${me.id}/suspend`, { token: me.token, body: { reason: 'r' } })).json().code, 'own_account');

      const until = new Date(Date.now() + 3_600_000).toISOString();
      const r = await h.call('POST', `/api/v1/users/${u.id}/suspend`, { ...asKey(admin), body: { reason: 'Chargeback', until } });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual([r.json().status, r.json().suspendedReason, r.json().suspendedUntil], ['suspended', 'Chargeback', until]);
      assert.equal((await login(body.username, body.password)).json().code, 'account_suspended');
      assert.equal((await h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.refreshToken } })).statusCode, 401, 'its sessions ended');
      const [entry] = await audits('user.suspend', u.id);
      assert.equal(JSON.parse(entry.after!).suspendedReason, 'Chargeback');

      const lifted = await h.call('POST', `/api/v1/users/${u.id}/unsuspend`, { ...asKey(admin) });
      assert.deepEqual([lifted.json().status, lifted.json().suspendedReason, lifted.json().suspendedUntil], ['active', null, null]);
      assert.equal((await audits('user.unsuspend', u.id)).length, 1);
      assert.equal((await h.call('POST', `/api/v1/users/${u.id}/unsuspend`, { ...asKey(admin) })).statusCode, 200, 'again: answered as it is');
      assert.equal((await audits('user.unsuspend', u.id)).length, 1, 'and nothing recorded');
      assert.equal((await login(body.username, body.password)).statusCode, 200);
      assert.equal((await h.call('POST', `/api/v1/users/${u.id}/unsuspend`, { token: operator })).statusCode, 403);
    });

    it('the scheduler lifts an ended suspension once, as the system, even when two passes race', async () => {
      const clock = new TestClock();
      const s = await startHarness(kind, { clock });
      try {
        const key = (await s.apiKey('admin')).key;
        const made = [];
        for (let i = 0; i < 3; i++) {
          const c = await s.call('POST', '/api/v1/users', { headers: { 'x-api-key': key }, body: { username: `expire${i}`, email: `expire${i}@example.com` } });
          made.push(c.json().id as number);
        }
        const until = new Date(clock.now().getTime() + 60_000).toISOString();
        for (const id of made.slice(0, 2)) {
          assert.equal((await s.call('POST', `/api/v1/users/${id}/suspend`, { headers: { 'x-api-key': key }, body: { reason: 'cool down', until } })).statusCode, 200);
        }
        await s.call('POST', `/api/v1/users/${made[2]}/suspend`, { headers: { 'x-api-key': key }, body: { reason: 'for good' } });
        const seq = Number((await s.db.db.selectFrom('outbox_events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst())?.m ?? 0);
        clock.advance(59_999);
        assert.equal(await s.services.users.runDueTransitions(), 0, 'not a millisecond early');
        clock.advance(1);
        const counts = await Promise.all([s.services.users.runDueTransitions(), s.services.users.runDueTransitions(), s.services.scheduler.tick()]);
        assert.equal(counts.reduce((x, y) => x + y, 0), 2, `two lifts in all: ${counts.join(',')}`);
        for (const id of made.slice(0, 2)) {
          const u = await usersStore(s.db.db).findById(id);
          assert.deepEqual([u?.status, u?.suspendedReason, u?.suspendedUntil], ['active', null, null]);
          const entries = await s.db.db.selectFrom('audit_logs').selectAll().where('action', '=', 'user.unsuspend').where('target_id', '=', String(id)).execute();
          assert.equal(entries.length, 1);
          assert.equal(entries[0].actor_type, 'system');
        }
        assert.equal((await usersStore(s.db.db).findById(made[2]))?.status, 'suspended', 'a suspension without an end stays');
        const events = (await readEventsAfter(s.db.db, seq)).map((e) => e.envelope).filter((e) => e.event === 'user.updated');
        assert.deepEqual(events.map((e) => (e.data as { userId: number }).userId).sort(), made.slice(0, 2).sort());
        assert.deepEqual((events[0].data as unknown as { changes: { status: unknown } }).changes.status, { from: 'suspended', to: 'active' });
      } finally {
        await s.close();
      }
    });
  });

  describe('unlock, password reset, sessions', () => {
    it('unlock lifts a login lockout at once; audited; refused to operators; 404 for no user', async () => {
      const body = { username: 'lockme', email: 'lockme@example.com', password: 'lockme-pass-1' };
      const u = await create(body);
      for (let i = 0; i < h.config.login.maxFailuresPerAccount; i++) await login(body.username, 'wrong-password-x');
      assert.equal((await login(body.username, body.password)).statusCode, 429, 'locked out');
      assert.equal((await h.call('POST', `/api/v1/users/${u.id}/unlock`, { token: operator })).statusCode, 403);
      assert.equal((await h.call('POST', '/api/v1/users/999999/unlock', asKey(admin))).json().code, 'user_not_found');
      const r = await h.call('POST', `/api/v1/users/${u.id}/unlock`, asKey(admin));
      assert.equal(r.statusCode, 204);
      assert.equal((await login(body.username, body.password)).statusCode, 200);
      assert.equal((await audits('user.unlock', u.id)).length, 1);
    });

    it('reset-password answers a strong password once, never stores or audits it in clear, and ends sessions', async () => {
      const body = { username: 'resetme', email: 'resetme@example.com', password: 'reset-pass-1' };
      const u = await create(body);
      const session = (await login(body.username, body.password)).json();
      assert.equal((await h.call('POST', `/api/v1/users/${u.id}/reset-password`, { token: operator })).statusCode, 403);
      const me = await h.userToken('admin');
      assert.equal((await h.call('POST', `/api/v1/users/${me.id}/reset-password`, { token: me.token })).json().code, 'own_account');
      const r = await h.call('POST', `/api/v1/users/${u.id}/reset-password`, asKey(admin));
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.headers['cache-control'], 'no-store');
      const { temporaryPassword } = r.json();
      assert.match(temporaryPassword, /^[A-Za-z0-9_-]{24}$/);
      assert.equal((await login(body.username, body.password)).statusCode, 401, 'the old password is gone');
      assert.equal((await h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.refreshToken } })).statusCode, 401, 'its sessions ended');
      assert.equal((await login(body.username, temporaryPassword)).statusCode, 200);
      const [entry] = await audits('user.password_reset', u.id);
      assert.ok(entry);
      const stored = JSON.stringify([await h.db.db.selectFrom('audit_logs').selectAll().execute(), await h.db.db.selectFrom('outbox_events').selectAll().execute(), await h.db.db.selectFrom('users').selectAll().execute()]);
      assert.ok(!stored.includes(temporaryPassword), 'the password is nowhere in clear');
      const again = (await h.call('POST', `/api/v1/users/${u.id}/reset-password`, asKey(admin))).json().temporaryPassword;
      assert.notEqual(again, temporaryPassword);
    });

    it('sessions: lists live ones without tokens, revokes one (audited), refuses operators', async () => {
      const body = { username: 'sessme', email: 'sessme@example.com', password: 'sessme-pass-1' };
      const u = await create(body);
      const [s1, s2] = [(await login(body.username, body.password)).json(), (await login(body.username, body.password)).json()];
      assert.equal((await h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: s2.refreshToken } })).statusCode, 200);
      const r = await h.call('GET', `/api/v1/users/${u.id}/sessions`, asKey(admin));
      assert.equal(r.statusCode, 200, r.body);
      const sessions = r.json().data as { id: string; createdAt: string; expiresAt: string; lastUsedAt: string | null }[];
      assert.equal(sessions.length, 2);
      assert.deepEqual(Object.keys(sessions[0]).sort(), ['createdAt', 'expiresAt', 'id', 'lastUsedAt']);
      assert.equal(sessions.filter((x) => x.lastUsedAt !== null).length, 1, 'the refreshed one');
      assert.ok(!r.body.includes(s1.refreshToken) && !r.body.includes(s2.refreshToken));
      assert.equal((await h.call('GET', `/api/v1/users/${u.id}/sessions`, { token: operator })).statusCode, 403);
      assert.equal((await h.call('GET', '/api/v1/users/999999/sessions', asKey(admin))).statusCode, 404);

      const target = sessions.find((x) => x.lastUsedAt === null)!;
      assert.equal((await h.call('DELETE', `/api/v1/users/${u.id}/sessions/${target.id}`, { token: operator })).statusCode, 403);
      assert.equal((await h.call('DELETE', `/api/v1/users/1/sessions/${target.id}`, asKey(admin))).json().code, 'session_not_found', 'another user\'s session');
      assert.equal((await h.call('DELETE', `/api/v1/users/${u.id}/sessions/${target.id}`, asKey(admin))).statusCode, 204);
      assert.equal((await h.call('DELETE', `/api/v1/users/${u.id}/sessions/${target.id}`, asKey(admin))).statusCode, 404, 'already ended');
      assert.equal((await h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: s1.refreshToken } })).statusCode, 401);
      const left = (await h.call('GET', `/api/v1/users/${u.id}/sessions`, asKey(admin))).json().data;
      assert.deepEqual(left.map((x: { id: string }) => x.id), sessions.filter((x) => x !== target).map((x) => x.id));
      const [entry] = await audits('user.session_revoke', u.id);
      assert.deepEqual(JSON.parse(entry.after!), { sessionId: target.id });
      const bad = await h.call('DELETE', `/api/v1/users/${u.id}/sessions/${'x'.repeat(65)}`, asKey(admin));
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().errors[0].path, 'params.sessionId');
    });
  });
});
