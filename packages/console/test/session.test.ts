// The console's API client and session against a real Gatrix server (SQLite): sign-in, the generated client through
// the fetcher, refresh-and-retry on an expired access token, the expired state when the session cannot be renewed,
// problem+json errors with their field, and the X-Audit-Reason header.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN, startHarness, TestClock, until, type Harness } from '../../server/test/helpers.ts';
import { setApiBase } from '../src/api/base.ts';
import { ApiError } from '../src/api/errors.ts';
import { apiFetch } from '../src/api/fetcher.ts';
import { getMe } from '../src/api/generated/auth/auth.ts';
import { createUser } from '../src/api/generated/users/users.ts';
import { currentAccessToken, getSession, login, logout, refreshSession } from '../src/auth/session.ts';

/** What the browser does for the console: keeps the server's cookies (the HttpOnly refresh cookie) and sends them back. */
const sent: { url: string; method: string; headers: Headers; body?: string }[] = [];
const cookies = new Map<string, string>();
const realFetch = globalThis.fetch;
/** When set, a response it returns a promise for is handed over once that settles (a slow answer). */
let holdResponse: ((url: string) => Promise<void> | undefined) | undefined;
globalThis.fetch = async (input: RequestInfo | URL, init: RequestInit = {}) => {
  const headers = new Headers(init.headers);
  if (cookies.size > 0) headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
  sent.push({ url: String(input), method: init.method ?? 'GET', headers, body: typeof init.body === 'string' ? init.body : undefined });
  const hold = holdResponse?.(String(input));
  const response = await realFetch(input, { ...init, headers });
  await hold;
  for (const c of response.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair.indexOf('=');
    cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
  }
  return response;
};
const paths = () => sent.map((s) => new URL(s.url).pathname);

describe('console session and API client', () => {
  let h: Harness;
  const clock = new TestClock();

  before(async () => {
    h = await startHarness('sqlite', { listen: true, clock });
    setApiBase(h.baseUrl);
  });
  after(async () => {
    await logout();
    await h.close();
  });

  it('signs in, marked as the console, and calls the API through the generated client', async () => {
    const user = await login(ADMIN.username, ADMIN.password);
    assert.equal(user.username, ADMIN.username);
    assert.equal(getSession().status, 'signedIn');
    // The session's end (the refresh cookie's lifetime) is known, for the expiry warning.
    const ends = getSession().sessionExpiresAt! - Date.now();
    assert.ok(Math.abs(ends - h.config.refreshTokenTtlSeconds * 1000) < 60_000, `session ends in ${ends} ms`);
    const loginCall = sent.find((s) => s.url.endsWith('/api/v1/auth/login'));
    assert.equal(loginCall?.headers.get('x-gatrix-client'), 'console');
    const me = await getMe();
    assert.equal(me.username, ADMIN.username);
    assert.equal(sent.at(-1)?.headers.get('authorization'), `Bearer ${currentAccessToken()}`);
  });

  it('refreshes once and retries when the access token has expired', async () => {
    const before = currentAccessToken();
    clock.advance((h.config.accessTokenTtlSeconds + 5) * 1000);
    sent.length = 0;
    const me = await getMe();
    assert.equal(me.username, ADMIN.username);
    assert.deepEqual(paths(), ['/api/v1/auth/me', '/api/v1/auth/refresh', '/api/v1/auth/me']);
    assert.notEqual(currentAccessToken(), before);
    // The refresh token travels only in the HttpOnly cookie: never in a body the page could read or send.
    const refresh = sent.find((x) => x.url.endsWith('/api/v1/auth/refresh'))!;
    assert.match(refresh.headers.get('cookie') ?? '', /gatrix_refresh=/);
    assert.equal(refresh.headers.get('x-gatrix-client'), 'console');
    assert.doesNotMatch(refresh.body ?? '', /refreshToken/);
    assert.equal(getSession().status, 'signedIn');
  });

  it('concurrent 401s share one refresh', async () => {
    clock.advance((h.config.accessTokenTtlSeconds + 5) * 1000);
    sent.length = 0;
    await Promise.all([getMe(), getMe(), getMe()]);
    assert.equal(paths().filter((p) => p === '/api/v1/auth/refresh').length, 1);
  });

  it('a 401 that arrives after another call renewed the token is retried without a second refresh', async () => {
    clock.advance((h.config.accessTokenTtlSeconds + 5) * 1000);
    const expired = currentAccessToken();
    sent.length = 0;
    let calls = 0;
    // The second call's 401 (sent with the expired token) comes back only once the first call's refresh is done.
    holdResponse = (url) => (new URL(url).pathname === '/api/v1/auth/me' && ++calls === 2 ? until(() => currentAccessToken() !== expired, 'the refresh') : undefined);
    try {
      await Promise.all([getMe(), getMe()]);
    } finally {
      holdResponse = undefined;
    }
    assert.deepEqual(paths(), ['/api/v1/auth/me', '/api/v1/auth/me', '/api/v1/auth/refresh', '/api/v1/auth/me', '/api/v1/auth/me']);
    assert.equal(sent.at(-1)?.headers.get('authorization'), `Bearer ${currentAccessToken()}`);
    assert.equal(getSession().status, 'signedIn');
  });

  it('turns problem+json into an ApiError naming the field', async () => {
    await assert.rejects(
      createUser({ username: 'valid_name', email: 'not-an-email', password: 'long-enough-password-1', role: 'viewer' }),
      (e: unknown) => e instanceof ApiError && e.status === 400 && e.field === 'email' && Boolean(e.fieldErrors.email) && typeof e.requestId === 'string',
    );
  });

  it('sends the reason URL-encoded as X-Audit-Reason', async () => {
    sent.length = 0;
    const reason = 'Ticket #42: 계정 정리 & cleanup';
    const created = await createUser({ username: `r${Date.now()}`, email: `r${Date.now()}@example.com`, password: 'long-enough-password-1', role: 'viewer' }, { reason });
    assert.ok(created.id > 0);
    const header = sent.at(-1)?.headers.get('x-audit-reason');
    assert.equal(header, encodeURIComponent(reason));
    assert.equal(decodeURIComponent(header!), reason);
    // Without a reason, no header.
    await apiFetch({ url: '/api/v1/auth/me', method: 'GET' });
    assert.equal(sent.at(-1)?.headers.get('x-audit-reason'), null);
  });

  it('becomes expired (not signed out) when the session cannot be refreshed any more', async () => {
    // Every session of the admin ends (as after a password change elsewhere).
    const r = await h.call('POST', '/api/v1/auth/logout', { token: currentAccessToken(), body: {} });
    assert.equal(r.statusCode, 204);
    clock.advance((h.config.accessTokenTtlSeconds + 5) * 1000);
    await assert.rejects(getMe(), (e: unknown) => e instanceof ApiError && e.status === 401);
    assert.equal(getSession().status, 'expired');
    assert.equal(getSession().user?.username, ADMIN.username, 'the page keeps who was signed in, for the re-login modal');
    assert.equal(await refreshSession(), false);
    // Signing in again restores it.
    await login(ADMIN.username, ADMIN.password);
    assert.equal(getSession().status, 'signedIn');
    assert.equal((await getMe()).username, ADMIN.username);
  });
});
