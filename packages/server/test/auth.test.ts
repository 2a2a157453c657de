import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ADMIN, eachDatabase, startHarness, TestClock, type Harness } from './helpers.ts';

eachDatabase('auth', (kind) => {
  let h: Harness;
  const clock = new TestClock();
  before(async () => {
    h = await startHarness(kind, { clock, env: { GATRIX_LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', GATRIX_LOGIN_MAX_FAILURES_PER_IP: '1000' } });
  });
  after(() => h.close());

  async function makeUser(username: string, password = 'password-123') {
    const r = await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username, email: `${username}@example.com`, password, role: 'operator' } });
    assert.equal(r.statusCode, 201, r.body);
    return r.json<{ id: number }>();
  }
  const login = (body: object, ip = '10.0.0.1') => h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: body, remoteAddress: ip });

  it('logs in by username or email and returns tokens and the user', async () => {
    const u = await makeUser('alice');
    for (const body of [{ username: 'alice', password: 'password-123' }, { email: 'ALICE@example.com', password: 'password-123' }, { username: 'alice@example.com', password: 'password-123' }]) {
      const r = await login(body);
      assert.equal(r.statusCode, 200, r.body);
      const t = r.json();
      assert.equal(t.tokenType, 'Bearer');
      assert.equal(t.expiresIn, 900);
      assert.equal(t.user.id, u.id);
      assert.ok(t.user.lastLoginAt);
      const me = await h.call('GET', '/api/v1/auth/me', { token: t.accessToken });
      assert.equal(me.json().username, 'alice');
    }
  });

  it('a wrong password and an unknown user fail with the same answer', async () => {
    await makeUser('bob');
    const wrong = await login({ username: 'bob', password: 'nope-nope' }, '10.0.0.2');
    const unknown = await login({ username: 'nobody', password: 'nope-nope' }, '10.0.0.2');
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    const strip = (b: { requestId?: string }) => ({ ...b, requestId: undefined });
    assert.deepEqual(strip(wrong.json()), strip(unknown.json()));
    assert.equal(wrong.json().code, 'invalid_credentials');
  });

  it('rate-limits failed logins per account and IP (username and email are one account), not the owner elsewhere', async () => {
    await makeUser('carol');
    const attacker = '10.1.0.1';
    for (const username of ['carol', 'CAROL@example.com', 'Carol']) {
      assert.equal((await login({ username, password: 'bad-password' }, attacker)).statusCode, 401);
    }
    const blocked = await login({ username: 'carol@example.com', password: 'password-123' }, attacker);
    assert.equal(blocked.statusCode, 429);
    assert.ok(Number(blocked.headers['retry-after']) > 0);
    assert.equal(blocked.json().code, 'too_many_login_attempts');
    assert.equal((await login({ username: 'carol', password: 'password-123' }, '10.1.0.99')).statusCode, 200);
    assert.equal((await login({ username: 'carol', password: 'password-123' }, attacker)).statusCode, 429);
  });

  it('guessing the current password in PUT /auth/password is throttled like login', async () => {
    await makeUser('cody');
    const t = (await login({ username: 'cody', password: 'password-123' }, '10.1.1.1')).json();
    const change = (currentPassword: string) =>
      h.app.inject({
        method: 'PUT',
        url: '/api/v1/auth/password',
        remoteAddress: '10.1.1.1',
        headers: { authorization: `Bearer ${t.accessToken}` },
        payload: { currentPassword, newPassword: 'cody-new-password-1' },
      });
    for (let i = 0; i < 3; i++) assert.equal((await change(`guess-number-${i}`)).statusCode, 400);
    const blocked = await change('password-123');
    assert.equal(blocked.statusCode, 429, blocked.body);
    assert.equal(blocked.json().code, 'too_many_login_attempts');
    assert.equal((await login({ username: 'cody', password: 'password-123' }, '10.1.1.1')).statusCode, 429, 'the same counter as login');
  });

  it('rate-limits failed logins per IP', async () => {
    const strict = await startHarness(kind, { env: { GATRIX_LOGIN_MAX_FAILURES_PER_IP: '2' } });
    try {
      const l = (username: string) => strict.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: 'bad-password' }, remoteAddress: '10.9.9.9' });
      assert.equal((await l('u1')).statusCode, 401);
      assert.equal((await l('u2')).statusCode, 401);
      const third = await l('u3');
      assert.equal(third.statusCode, 429);
      const other = await strict.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: ADMIN.username, password: ADMIN.password }, remoteAddress: '10.9.9.10' });
      assert.equal(other.statusCode, 200, 'another IP is not limited');
    } finally {
      await strict.close();
    }
  });

  it('refresh rotates the token; presenting a spent one revokes the whole family', async () => {
    await makeUser('dave');
    const t0 = (await login({ username: 'dave', password: 'password-123' })).json();
    const r1 = await h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: t0.refreshToken } });
    assert.equal(r1.statusCode, 200, r1.body);
    const t1 = r1.json();
    assert.notEqual(t1.refreshToken, t0.refreshToken);
    assert.equal((await h.call('GET', '/api/v1/auth/me', { token: t1.accessToken })).statusCode, 200);

    const reuse = await h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: t0.refreshToken } });
    assert.equal(reuse.statusCode, 401);
    assert.equal(reuse.json().code, 'refresh_token_reused');
    const afterTheft = await h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: t1.refreshToken } });
    assert.equal(afterTheft.statusCode, 401, 'the newest token of the family was revoked too');
  });

  it('two concurrent refreshes with one token: at most one succeeds', async () => {
    await makeUser('erin');
    const t0 = (await login({ username: 'erin', password: 'password-123' })).json();
    const rs = await Promise.all([0, 1, 2].map(() => h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: t0.refreshToken } })));
    assert.ok(rs.filter((r) => r.statusCode === 200).length <= 1);
  });

  it('logout ends the session of its refresh token', async () => {
    await makeUser('frank');
    const t = (await login({ username: 'frank', password: 'password-123' })).json();
    assert.equal((await h.call('POST', '/api/v1/auth/logout', { token: t.accessToken, body: { refreshToken: t.refreshToken } })).statusCode, 204);
    assert.equal((await h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: t.refreshToken } })).statusCode, 401);
  });

  it('logout without a body (none, or empty under a JSON content type) ends every session', async () => {
    await makeUser('fiona');
    for (const headers of [{}, { 'content-type': 'application/json', 'content-length': '0' }]) {
      const t = (await login({ username: 'fiona', password: 'password-123' })).json();
      const r = await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${t.accessToken}`, ...headers } });
      assert.equal(r.statusCode, 204, r.body);
      assert.equal((await h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: t.refreshToken } })).statusCode, 401);
    }
  });

  it('an expired access token is refused; the refresh token still works until it expires', async () => {
    await makeUser('gina');
    const t = (await login({ username: 'gina', password: 'password-123' })).json();
    clock.advance(901_000);
    try {
      const me = await h.call('GET', '/api/v1/auth/me', { token: t.accessToken });
      assert.equal(me.statusCode, 401);
      assert.equal(me.json().code, 'invalid_credentials');
      assert.equal((await h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: t.refreshToken } })).statusCode, 200);
    } finally {
      clock.advance(-901_000);
    }
  });

  it('a suspended user cannot log in, refresh, or use its access token', async () => {
    const u = await makeUser('hank');
    const t = (await login({ username: 'hank', password: 'password-123' })).json();
    assert.equal((await h.call('PATCH', `/api/v1/users/${u.id}`, { token: h.adminToken, body: { status: 'suspended' } })).statusCode, 200);
    const l = await login({ username: 'hank', password: 'password-123' });
    assert.equal(l.statusCode, 403);
    assert.equal(l.json().code, 'account_suspended');
    assert.equal((await h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: t.refreshToken } })).statusCode, 401);
    assert.equal((await h.call('GET', '/api/v1/auth/me', { token: t.accessToken })).statusCode, 401);
  });

  it('a role change takes effect on the next request', async () => {
    const u = await makeUser('ivan');
    const t = (await login({ username: 'ivan', password: 'password-123' })).json();
    assert.equal((await h.call('GET', '/api/v1/users', { token: t.accessToken })).statusCode, 200);
    await h.call('PATCH', `/api/v1/users/${u.id}`, { token: h.adminToken, body: { role: 'player' } });
    assert.equal((await h.call('GET', '/api/v1/users', { token: t.accessToken })).statusCode, 403);
  });

  it('changes the password: checks the current one, ends other sessions, the new one works', async () => {
    await makeUser('judy');
    const t = (await login({ username: 'judy', password: 'password-123' })).json();
    const bad = await h.call('PUT', '/api/v1/auth/password', { token: t.accessToken, body: { currentPassword: 'wrong-one', newPassword: 'new-password-456' } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].path, 'currentPassword');
    const ok = await h.call('PUT', '/api/v1/auth/password', { token: t.accessToken, body: { currentPassword: 'password-123', newPassword: 'new-password-456' } });
    assert.equal(ok.statusCode, 204);
    assert.equal((await h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: t.refreshToken } })).statusCode, 401);
    assert.equal((await login({ username: 'judy', password: 'password-123' }, '10.3.0.1')).statusCode, 401);
    assert.equal((await login({ username: 'judy', password: 'new-password-456' }, '10.3.0.1')).statusCode, 200);
  });

  it('a password change refuses an unchanged, short, common or own-username password', async () => {
    await makeUser('kim_pw');
    const t = (await login({ username: 'kim_pw', password: 'password-123' })).json();
    for (const [newPassword, code] of [
      ['password-123', 'password_unchanged'],
      ['short-pw1', 'validation_failed'],
      ['1234567890', 'weak_password'],
      ['KIM_PW@example.com', 'weak_password'],
    ]) {
      const r = await h.call('PUT', '/api/v1/auth/password', { token: t.accessToken, body: { currentPassword: 'password-123', newPassword } });
      assert.equal(r.statusCode, 400, newPassword);
      assert.equal(r.json().code, code, newPassword);
      assert.equal(r.json().errors[0].path, 'newPassword');
    }
  });

  it('login requires a username or email', async () => {
    const r = await login({ password: 'x' });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().errors[0].path, 'username');
  });
});
