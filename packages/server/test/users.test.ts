import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { usersStore } from '../src/modules/users/store.ts';
import { eachDatabase, startHarness, type Harness } from './helpers.ts';

eachDatabase('users', (kind) => {
  let h: Harness;
  before(async () => {
    h = await startHarness(kind);
  });
  after(() => h.close());

  // The seed body: the integration guide's user samples (docs/integration-guide.md).
  it('creates a user with the seed body; role defaults to player, status to active, and no hash leaks', async () => {
    const r = await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'player123', email: 'Player@Example.com', role: 'player' } });
    assert.equal(r.statusCode, 201, r.body);
    const u = r.json();
    assert.equal(u.username, 'player123');
    assert.equal(u.email, 'player@example.com');
    assert.equal(u.role, 'player');
    assert.equal(u.status, 'active');
    assert.equal(r.headers.location, `/api/v1/users/${u.id}`);
    assert.ok(!('passwordHash' in u) && !('password_hash' in u) && !r.body.includes('scrypt'));
  });

  it('PUT is a partial update: the seed body {status, lastLoginAt} keeps every other field', async () => {
    const created = (await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'partial1', email: 'partial1@example.com', displayName: 'Partial One', role: 'viewer' } })).json();
    const lastLoginAt = new Date().toISOString();
    const r = await h.call('PUT', `/api/v1/users/${created.id}`, { token: h.adminToken, body: { status: 'pending', lastLoginAt } });
    assert.equal(r.statusCode, 200, r.body);
    const u = r.json();
    assert.equal(u.status, 'pending');
    assert.equal(u.lastLoginAt, lastLoginAt);
    assert.equal(u.displayName, 'Partial One');
    assert.equal(u.role, 'viewer');
    assert.equal(u.email, 'partial1@example.com');
    const p = await h.call('PATCH', `/api/v1/users/${created.id}`, { token: h.adminToken, body: { displayName: null } });
    assert.equal(p.json().displayName, null);
    assert.equal(p.json().status, 'pending');
  });

  it('duplicate username or email (any case) is a 409 naming the field', async () => {
    await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'dupe', email: 'dupe@example.com' } });
    const byName = await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'DUPE', email: 'other@example.com' } });
    assert.equal(byName.statusCode, 409);
    assert.equal(byName.json().code, 'username_taken');
    assert.deepEqual(byName.json().errors.map((e: { path: string }) => e.path), ['username']);
    const byEmail = await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'dupe2', email: 'DUPE@example.com' } });
    assert.equal(byEmail.statusCode, 409);
    assert.equal(byEmail.json().code, 'email_taken');
    const rename = await h.call('PATCH', `/api/v1/users/1`, { token: h.adminToken, body: { username: 'Dupe' } });
    assert.equal(rename.statusCode, 409);
  });

  it('concurrent creates with one username give exactly one 201 and the rest 409', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'racer', email: `racer${i}@example.com` } }),
      ),
    );
    const codes = results.map((r) => r.statusCode).sort();
    assert.deepEqual(codes, [201, ...Array(11).fill(409)]);
    const list = await h.call('GET', '/api/v1/users?q=racer', { token: h.adminToken });
    assert.equal(list.json().pagination.total, 1);
  });

  it('lists with pagination, role/status filters, search and sort', async () => {
    for (let i = 0; i < 7; i++) {
      await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: `lister${i}`, email: `lister${i}@example.com`, role: i % 2 ? 'operator' : 'player', status: i === 0 ? 'suspended' : 'active' } });
    }
    const r = await h.call('GET', '/api/v1/users?page=2&limit=2&q=lister&sort=-username', { token: h.adminToken });
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.deepEqual(body.pagination, { page: 2, limit: 2, total: 7, totalPages: 4, totalExact: true });
    assert.deepEqual(body.data.map((u: { username: string }) => u.username), ['lister4', 'lister3']);
    const ops = (await h.call('GET', '/api/v1/users?role=operator&q=lister', { token: h.adminToken })).json();
    assert.equal(ops.pagination.total, 3);
    assert.ok(ops.data.every((u: { role: string }) => u.role === 'operator'));
    const suspended = (await h.call('GET', '/api/v1/users?status=suspended&q=lister', { token: h.adminToken })).json();
    assert.deepEqual(suspended.data.map((u: { username: string }) => u.username), ['lister0']);
    const like = (await h.call('GET', '/api/v1/users?q=%25', { token: h.adminToken })).json();
    assert.equal(like.pagination.total, 0, 'a % in q is matched literally');
  });

  it('a new user shows in the total right after it is created (count cache is cleared on write)', async () => {
    const before = (await h.call('GET', '/api/v1/users?role=viewer', { token: h.adminToken })).json().pagination.total;
    await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'countme', email: 'countme@example.com', role: 'viewer' } });
    const after = (await h.call('GET', '/api/v1/users?role=viewer', { token: h.adminToken })).json().pagination.total;
    assert.equal(after, before + 1);
  });

  it('a cached list page is served as the schema shapes it, and an update shows in the next request', async () => {
    const created = (await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'cachedpage', email: 'cachedpage@example.com', role: 'viewer' } })).json();
    const url = '/api/v1/users?q=cachedpage';
    const first = await h.call('GET', url, { token: h.adminToken });
    const second = await h.call('GET', url, { token: h.adminToken });
    assert.equal(first.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(second.body, first.body, 'the cached page answers the same bytes');
    assert.equal(second.headers['content-length'], String(Buffer.byteLength(first.body)));
    const [user] = second.json().data;
    assert.deepEqual(Object.keys(user).sort(), ['createdAt', 'displayName', 'email', 'id', 'lastLoginAt', 'role', 'status', 'suspendedReason', 'suspendedUntil', 'updatedAt', 'username']);
    await h.call('PATCH', `/api/v1/users/${created.id}`, { token: h.adminToken, body: { displayName: 'Renamed' } });
    const third = (await h.call('GET', url, { token: h.adminToken })).json();
    assert.equal(third.data[0].displayName, 'Renamed');
  });

  it('a login shows its lastLoginAt in the next list request (the page cache is cleared)', async () => {
    const body = { username: 'loginlist', email: 'loginlist@example.com', role: 'viewer', password: 'list-password-9' };
    assert.equal((await h.call('POST', '/api/v1/users', { token: h.adminToken, body })).statusCode, 201);
    const url = '/api/v1/users?q=loginlist';
    assert.equal((await h.call('GET', url, { token: h.adminToken })).json().data[0].lastLoginAt, null);
    const login = await h.call('POST', '/api/v1/auth/login', { body: { username: body.username, password: body.password } });
    assert.equal(login.statusCode, 200, login.body);
    assert.equal((await h.call('GET', url, { token: h.adminToken })).json().data[0].lastLoginAt, login.json().user.lastLoginAt);
  });

  it('rejects bad input with 400 naming the field and writes nothing', async () => {
    const cases: [unknown, string][] = [
      [{ username: 'ok_name', email: 'not-an-email' }, 'email'],
      [{ username: 'x', email: 'x@example.com' }, 'username'],
      [{ username: 'a'.repeat(65), email: 'long@example.com' }, 'username'],
      [{ username: 'okname2', email: 'ok2@example.com', role: 'god' }, 'role'],
      [{ username: 'okname3', email: 'ok3@example.com', isAdmin: true }, 'isAdmin'],
      [{ email: 'ok4@example.com' }, 'username'],
      [{ username: 'okname5', email: 'ok5@example.com', password: 'short' }, 'password'],
      [{ username: 42, email: 'ok6@example.com' }, 'username'],
    ];
    const total = (await h.call('GET', '/api/v1/users', { token: h.adminToken })).json().pagination.total;
    for (const [body, path] of cases) {
      const r = await h.call('POST', '/api/v1/users', { token: h.adminToken, body });
      assert.equal(r.statusCode, 400, `${JSON.stringify(body)} → ${r.body}`);
      assert.equal(r.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(r.json().errors[0].path, path, r.body);
    }
    for (const q of ['limit=0', 'limit=101', 'page=-1', 'page=abc', 'role=god', 'sort=password']) {
      const r = await h.call('GET', `/api/v1/users?${q}`, { token: h.adminToken });
      assert.equal(r.statusCode, 400, q);
      assert.match(r.json().errors[0].path, /^query\./);
    }
    const empty = await h.call('PUT', '/api/v1/users/1', { token: h.adminToken, body: {} });
    assert.equal(empty.statusCode, 400);
    assert.equal((await h.call('GET', '/api/v1/users', { token: h.adminToken })).json().pagination.total, total);
  });

  it('GET, PUT and DELETE an unknown id are 404 user_not_found', async () => {
    for (const m of ['GET', 'PUT', 'DELETE']) {
      const r = await h.call(m, '/api/v1/users/999999', { token: h.adminToken, ...(m === 'PUT' ? { body: { status: 'active' } } : {}) });
      assert.equal(r.statusCode, 404, m);
      assert.equal(r.json().code, 'user_not_found');
    }
  });

  it('deletes a user, and refuses to remove the last active admin', async () => {
    const u = (await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'deleteme', email: 'deleteme@example.com' } })).json();
    assert.equal((await h.call('DELETE', `/api/v1/users/${u.id}`, { token: h.adminToken })).statusCode, 204);
    assert.equal((await h.call('GET', `/api/v1/users/${u.id}`, { token: h.adminToken })).statusCode, 404);

    const key = await h.apiKey('admin');
    const demote = await h.call('PATCH', '/api/v1/users/1', { headers: { 'x-api-key': key.key }, body: { role: 'operator' } });
    assert.equal(demote.statusCode, 409);
    assert.equal(demote.json().code, 'last_admin');
    const del = await h.call('DELETE', '/api/v1/users/1', { headers: { 'x-api-key': key.key } });
    assert.equal(del.json().code, 'last_admin');
    assert.equal((await h.call('GET', '/api/v1/users/1', { token: h.adminToken })).json().role, 'admin');
    const self = await h.call('DELETE', '/api/v1/users/1', { token: h.adminToken });
    assert.equal(self.statusCode, 403);
  });

  it('two admins demoting each other at once leave one active admin (20 rounds)', async () => {
    const r = await startHarness(kind);
    try {
      const key = (await r.apiKey('admin')).key;
      const [a, b] = [await r.userToken('admin'), await r.userToken('admin')];
      const patch = (id: number, role: string, token?: string) =>
        r.call('PATCH', `/api/v1/users/${id}`, { ...(token ? { token } : { headers: { 'x-api-key': key } }), body: { role } });
      assert.equal((await patch(1, 'operator')).statusCode, 200);
      for (let round = 0; round < 20; round++) {
        for (const u of [a, b]) assert.equal((await patch(u.id, 'admin')).statusCode, 200);
        const answers = await Promise.all([patch(b.id, 'operator', a.token), patch(a.id, 'operator', b.token)]);
        assert.ok(answers.filter((x) => x.statusCode === 200).length <= 1, `round ${round}: ${answers.map((x) => x.body).join(' ')}`);
        assert.equal(await usersStore(r.ctx.db).countAdmins(), 1, `round ${round}`);
      }
    } finally {
      await r.close();
    }
  });

  it('start-up with no active admin left and the admin username taken does not fail', async () => {
    const r = await startHarness(kind);
    try {
      await usersStore(r.ctx.db).update(1, { role: 'viewer' });
      assert.equal(await r.services.auth.ensureAdmin(), undefined);
      assert.equal((await usersStore(r.ctx.db).findById(1))?.role, 'viewer');
    } finally {
      await r.close();
    }
  });

  it('passwords: at least 10 characters, not the username or email, not a common one, not unchanged', async () => {
    const create = (username: string, password: string) =>
      h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username, email: `${username}@example.com`, password } });
    for (const [username, password, code] of [
      ['pw_nine', 'nine-ch!!', 'validation_failed'],
      ['pw_same_name', 'PW_SAME_NAME', 'weak_password'],
      ['pw_same_mail', 'pw_same_mail@example.com', 'weak_password'],
      ['pw_common', 'Basketball', 'weak_password'],
    ]) {
      const r = await create(username, password);
      assert.equal(r.statusCode, 400, `${password}: ${r.body}`);
      assert.equal(r.json().code, code, password);
      assert.equal(r.json().errors[0].path, 'password');
    }
    const u = await create('pw_fine', 'a-fine-password-1');
    assert.equal(u.statusCode, 201, u.body);
    const update = (body: object) => h.call('PATCH', `/api/v1/users/${u.json().id}`, { token: h.adminToken, body });
    assert.equal((await update({ password: 'a-fine-password-1' })).json().code, 'password_unchanged');
    assert.equal((await update({ password: 'qwertyuiop' })).json().code, 'weak_password');
    assert.equal((await update({ username: 'pw_renamed1', password: 'pw_renamed1' })).json().code, 'weak_password');
    assert.equal((await update({ password: 'another-fine-password-2' })).statusCode, 200);
  });

  it('a player reads its own profile but no one else', async () => {
    const p = await h.userToken('player');
    assert.equal((await h.call('GET', `/api/v1/users/${p.id}`, { token: p.token })).statusCode, 200);
    assert.equal((await h.call('GET', '/api/v1/users/1', { token: p.token })).statusCode, 403);
    assert.equal((await h.call('GET', '/api/v1/users', { token: p.token })).statusCode, 403);
  });
});
