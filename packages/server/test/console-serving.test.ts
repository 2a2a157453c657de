/**
 * The operator console as the server serves it (a small built app made here, compressed by the real
 * scripts/compress-dist.mjs), and the console's cookie sign-in, over real HTTP on both databases.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { ADMIN, eachDatabase, startHarness, type Harness } from './helpers.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A raw HTTP answer: status, headers, undecoded body (fetch would decompress and hide content-encoding). */
interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json: () => Record<string, unknown>;
}

function raw(baseUrl: string, method: string, url: string, headers: Record<string, string> = {}, body?: unknown): Promise<Raw> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${baseUrl}${url}`,
      { method, headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const b = Buffer.concat(chunks);
          resolve({ status: res.statusCode!, headers: res.headers, body: b, text: b.toString(), json: () => JSON.parse(b.toString()) as Record<string, unknown> });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const HTML_ACCEPT = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const SCRIPT = `console.log(${JSON.stringify('gatrix console '.repeat(400))});\n`;

/** A built console as Vite lays it out, compressed by the script the console's build runs. */
function makeDist(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatrix-console-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(
    path.join(dir, 'index.html'),
    `<!doctype html><html><head><title>Gatrix console</title><script type="module" src="/assets/index-Ab12Cd34.js"></script></head><body><div id="root"></div>${'<!-- padding -->'.repeat(80)}</body></html>\n`,
  );
  writeFileSync(path.join(dir, 'assets/index-Ab12Cd34.js'), SCRIPT);
  writeFileSync(path.join(dir, 'assets/tiny-Zz99.css'), 'body{margin:0}\n');
  writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(path.join(dir, '.build-stamp'), 'not for the web\n');
  const r = spawnSync(process.execPath, [path.join(REPO, 'scripts/compress-dist.mjs'), dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return dir;
}

describe('console serving', () => {
  let h: Harness;
  let dist: string;
  before(async () => {
    dist = makeDist();
    h = await startHarness('sqlite', { listen: true, env: { GATRIX_CONSOLE: 'on', GATRIX_CONSOLE_DIR: dist } });
  });
  after(async () => {
    await h.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('the build script writes smaller .br and .gz copies, none for tiny files', () => {
    const js = path.join(dist, 'assets/index-Ab12Cd34.js');
    assert.ok(statSync(`${js}.br`).size < statSync(js).size);
    assert.ok(statSync(`${js}.gz`).size < statSync(js).size);
    assert.equal(brotliDecompressSync(readFileSync(`${js}.br`)).toString(), SCRIPT);
    assert.equal(existsSync(path.join(dist, 'assets/tiny-Zz99.css.br')), false);
  });

  it('/ is the console page: no-cache, with the Content-Security-Policy and security headers', async () => {
    const r = await raw(h.baseUrl, 'GET', '/', HTML_ACCEPT);
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/html/);
    assert.match(r.text, /Gatrix console/);
    assert.equal(r.headers['cache-control'], 'no-cache');
    const csp = String(r.headers['content-security-policy']);
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "frame-ancestors 'none'", "object-src 'none'"]) {
      assert.ok(csp.includes(directive), `${directive} in ${csp}`);
    }
    const host = new URL(h.baseUrl).host;
    assert.match(csp, new RegExp(`connect-src 'self' ws://${host.replace(/\./g, '\\.')} wss://${host.replace(/\./g, '\\.')}`));
    assert.doesNotMatch(csp, /unsafe-eval|upgrade-insecure-requests/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['x-frame-options'], 'SAMEORIGIN');
    assert.equal(r.headers['strict-transport-security'], undefined);
  });

  it('hashed assets are immutable for a year and sent pre-compressed to browsers that accept it', async () => {
    const br = await raw(h.baseUrl, 'GET', '/assets/index-Ab12Cd34.js', { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.status, 200);
    assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(br.headers['content-encoding'], 'br');
    assert.match(String(br.headers['content-type']), /javascript/);
    assert.match(String(br.headers.vary), /accept-encoding/i);
    assert.equal(brotliDecompressSync(br.body).toString(), SCRIPT);

    const gz = await raw(h.baseUrl, 'GET', '/assets/index-Ab12Cd34.js', { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), SCRIPT);

    const plain = await raw(h.baseUrl, 'GET', '/assets/index-Ab12Cd34.js');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.text, SCRIPT);

    const page = await raw(h.baseUrl, 'GET', '/', { ...HTML_ACCEPT, 'accept-encoding': 'br' });
    assert.equal(page.headers['content-encoding'], 'br');
    assert.equal(page.headers['cache-control'], 'no-cache');
  });

  it("the console's own URLs reload to the page; API paths and non-HTML requests do not", async () => {
    for (const url of ['/users?status=active', '/users/12/edit', '/index.html']) {
      const r = await raw(h.baseUrl, 'GET', url, HTML_ACCEPT);
      assert.equal(r.status, 200, url);
      assert.match(r.text, /Gatrix console/, url);
      assert.ok(r.headers['content-security-policy'], url);
    }
    // A script or fetch asking for a missing path gets the API's 404, not a page.
    const json = await raw(h.baseUrl, 'GET', '/users', { accept: 'application/json' });
    assert.equal(json.status, 404);
    assert.equal(json.json().code, 'route_not_found');
    for (const url of ['/api/v1/nope', '/api', '/api/', '/assets/missing-123.js']) {
      const r = await raw(h.baseUrl, 'GET', url, HTML_ACCEPT);
      assert.equal(r.status, 404, url);
      assert.match(String(r.headers['content-type']), /application\/problem\+json/, url);
    }
  });

  it('unknown paths keep answering 404 for every method, and a wrong method on a real route 405', async () => {
    for (const [method, url] of [['POST', '/api/v1/nope'], ['DELETE', '/users'], ['PUT', '/']] as const) {
      const r = await raw(h.baseUrl, method, url, HTML_ACCEPT);
      assert.equal(r.status, method === 'PUT' ? 405 : 404, `${method} ${url}: ${r.text}`);
    }
    const wrongMethod = await raw(h.baseUrl, 'GET', '/api/v1/auth/login', HTML_ACCEPT);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.allow, 'POST');
  });

  it('top-level files are served, dotfiles are not', async () => {
    const icon = await raw(h.baseUrl, 'GET', '/favicon.svg');
    assert.equal(icon.status, 200);
    assert.match(String(icon.headers['content-type']), /image\/svg\+xml/);
    assert.equal(icon.headers['cache-control'], 'no-cache');
    const stamp = await raw(h.baseUrl, 'GET', '/.build-stamp');
    assert.equal(stamp.status, 404);
  });

  it('API answers carry no console headers, and /docs and /openapi.json still work', async () => {
    const health = await raw(h.baseUrl, 'GET', '/healthz', HTML_ACCEPT);
    assert.equal(health.status, 200);
    assert.equal(health.json().status, 'ok');
    assert.equal(health.headers['content-security-policy'], undefined);
    const me = await raw(h.baseUrl, 'GET', '/api/v1/auth/me', { authorization: `Bearer ${h.adminToken}` });
    assert.equal(me.status, 200);
    assert.equal(me.headers['content-security-policy'], undefined);
    const doc = await raw(h.baseUrl, 'GET', '/openapi.json');
    assert.equal(doc.status, 200);
    assert.equal(doc.json().openapi, '3.1.0');
    const ui = await raw(h.baseUrl, 'GET', '/docs/', HTML_ACCEPT);
    assert.equal(ui.status, 200);
    assert.match(ui.text, /swagger/i);
  });
});

describe('console not built, or turned off', () => {
  it('without a build, / says how to build it and the API works', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'gatrix-console-empty-'));
    const h = await startHarness('sqlite', { listen: true, env: { GATRIX_CONSOLE: 'on', GATRIX_CONSOLE_DIR: empty } });
    try {
      const r = await raw(h.baseUrl, 'GET', '/', HTML_ACCEPT);
      assert.equal(r.status, 200);
      assert.match(r.text, /npm run build -w @gatrix\/console/);
      assert.ok(r.headers['content-security-policy']);
      assert.equal((await raw(h.baseUrl, 'GET', '/users', HTML_ACCEPT)).status, 404);
      assert.equal((await raw(h.baseUrl, 'GET', '/healthz')).status, 200);
    } finally {
      await h.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('GATRIX_CONSOLE=off serves nothing at /', async () => {
    const dist = makeDist();
    const h = await startHarness('sqlite', { listen: true, env: { GATRIX_CONSOLE: 'off', GATRIX_CONSOLE_DIR: dist } });
    try {
      const r = await raw(h.baseUrl, 'GET', '/', HTML_ACCEPT);
      assert.equal(r.status, 404);
      assert.equal(r.json().code, 'route_not_found');
      assert.equal(h.routes.some((route) => route.url.startsWith('/assets')), false);
    } finally {
      await h.close();
      rmSync(dist, { recursive: true, force: true });
    }
  });
});

/** `name=value` and the attributes of the gatrix_refresh Set-Cookie, or undefined when none was set. */
function refreshCookie(r: Raw): { value: string; attrs: string[]; line: string } | undefined {
  const lines = ([] as string[]).concat(r.headers['set-cookie'] ?? []);
  const line = lines.find((l) => l.startsWith('gatrix_refresh='));
  if (!line) return undefined;
  const [pair, ...attrs] = line.split(/;\s*/);
  return { value: pair.slice('gatrix_refresh='.length), attrs: attrs.map((a) => a.toLowerCase()), line };
}

eachDatabase('console cookie sign-in', (kind) => {
  let h: Harness;
  const CONSOLE = { 'x-gatrix-client': 'console' };
  before(async () => {
    h = await startHarness(kind, { listen: true, env: { TRUST_PROXY: 'loopback', GATRIX_LOGIN_MAX_FAILURES_PER_IP: '1000' } });
  });
  after(() => h.close());

  const login = (headers: Record<string, string> = CONSOLE, username = ADMIN.username, password = ADMIN.password) =>
    raw(h.baseUrl, 'POST', '/api/v1/auth/login', headers, { username, password });
  const refresh = (cookie: string | undefined, headers: Record<string, string> = CONSOLE) =>
    raw(h.baseUrl, 'POST', '/api/v1/auth/refresh', { ...headers, ...(cookie ? { cookie: `gatrix_refresh=${cookie}` } : {}) });
  const sessionsOf = async (userId: number) =>
    Number((await h.db.db.selectFrom('refresh_tokens').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow()).n);

  it('login sets the refresh token in an HttpOnly, SameSite=Strict cookie scoped to the auth routes, never in the body', async () => {
    const r = await login();
    assert.equal(r.status, 200, r.text);
    const body = r.json();
    assert.equal(typeof body.accessToken, 'string');
    assert.equal('refreshToken' in body, false);
    assert.equal(body.refreshExpiresIn, 30 * 86_400, 'the console learns when its session ends');
    assert.doesNotMatch(r.text, /gtr_/);
    assert.equal(r.headers['cache-control'], 'no-store');
    const c = refreshCookie(r)!;
    assert.ok(c, 'a gatrix_refresh cookie');
    assert.match(c.value, /^gtr_/);
    for (const attr of ['httponly', 'samesite=strict', 'path=/api/v1/auth', `max-age=${30 * 86_400}`]) assert.ok(c.attrs.includes(attr), `${attr} in ${c.line}`);
    assert.equal(c.attrs.includes('secure'), false, 'plain HTTP: not Secure');
    // The access token works.
    const me = await raw(h.baseUrl, 'GET', '/api/v1/auth/me', { authorization: `Bearer ${String(body.accessToken)}` });
    assert.equal(me.status, 200);
  });

  it('the cookie is Secure when the request came over HTTPS through a trusted proxy', async () => {
    const c = refreshCookie(await login({ ...CONSOLE, 'x-forwarded-proto': 'https' }))!;
    assert.ok(c.attrs.includes('secure'), c.line);
  });

  it('API clients keep getting the refresh token in the body, and no cookie', async () => {
    const r = await login({});
    assert.equal(r.status, 200);
    assert.match(String(r.json().refreshToken), /^gtr_/);
    assert.equal(refreshCookie(r), undefined);
    const again = await raw(h.baseUrl, 'POST', '/api/v1/auth/refresh', {}, { refreshToken: r.json().refreshToken });
    assert.equal(again.status, 200);
    assert.match(String(again.json().refreshToken), /^gtr_/);
  });

  it('refresh reads the cookie and rotates it; replaying the old cookie ends the session', async () => {
    const first = refreshCookie(await login())!.value;
    const r1 = await refresh(first);
    assert.equal(r1.status, 200, r1.text);
    assert.equal('refreshToken' in r1.json(), false);
    assert.equal(r1.json().refreshExpiresIn, 30 * 86_400);
    const second = refreshCookie(r1)!;
    assert.notEqual(second.value, first);
    assert.ok(second.attrs.includes('httponly'));
    const me = await raw(h.baseUrl, 'GET', '/api/v1/auth/me', { authorization: `Bearer ${String(r1.json().accessToken)}` });
    assert.equal(me.status, 200);

    const replay = await refresh(first);
    assert.equal(replay.status, 401);
    assert.equal(replay.json().code, 'refresh_token_reused');
    const cleared = refreshCookie(replay)!;
    assert.ok(cleared.value === '' && (cleared.attrs.some((a) => a.startsWith('expires=thu, 01 jan 1970')) || cleared.attrs.includes('max-age=0')), cleared.line);
    // The whole session ended: the newer cookie is refused too.
    assert.equal((await refresh(second.value)).status, 401);
  });

  it('without the X-Gatrix-Client header the cookie is ignored (a cross-site form cannot send the header)', async () => {
    const cookie = refreshCookie(await login())!.value;
    const r = await refresh(cookie, {});
    assert.equal(r.status, 400);
    assert.match(String(r.headers['content-type']), /application\/problem\+json/);
    assert.equal(r.json().code, 'validation_failed');
    assert.deepEqual((r.json().errors as { path: string }[]).map((e) => e.path), ['refreshToken']);
    // Nothing was spent: the console can still use it.
    assert.equal((await refresh(cookie)).status, 200);
  });

  it('another Origin is refused on login, refresh and logout; the same origin is accepted', async () => {
    const evil = { ...CONSOLE, origin: 'https://evil.example' };
    const l = await login(evil);
    assert.equal(l.status, 403);
    assert.equal(l.json().code, 'cross_origin_refused');
    assert.equal(refreshCookie(l), undefined);

    const cookie = refreshCookie(await login({ ...CONSOLE, origin: h.baseUrl }))!.value;
    for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:1`]) {
      const r = await refresh(cookie, { ...CONSOLE, origin });
      assert.equal(r.status, 403, origin);
      assert.equal(r.json().code, 'cross_origin_refused');
    }
    const out = await raw(h.baseUrl, 'POST', '/api/v1/auth/logout', { ...evil, authorization: `Bearer ${h.adminToken}`, cookie: `gatrix_refresh=${cookie}` });
    assert.equal(out.status, 403);
    // The refused calls spent and ended nothing.
    const ok = await refresh(cookie, { ...CONSOLE, origin: h.baseUrl });
    assert.equal(ok.status, 200, ok.text);
  });

  it('players cannot sign in to the console, and no session is created for them', async () => {
    const player = await h.userToken('player');
    const before = await sessionsOf(player.id);
    const r = await login(CONSOLE, player.username, 'password-123');
    assert.equal(r.status, 403);
    assert.match(String(r.headers['content-type']), /application\/problem\+json/);
    assert.equal(r.json().code, 'console_forbidden');
    assert.equal(r.json().detail, 'Players cannot sign in to the console');
    assert.equal(refreshCookie(r), undefined);
    assert.equal(await sessionsOf(player.id), before);
    // The game's sign-in (no console header) still works for them.
    assert.equal((await login({}, player.username, 'password-123')).status, 200);
    // A wrong password is the usual 401, so the refusal tells nothing to someone without it.
    assert.equal((await login(CONSOLE, player.username, 'wrong-password')).status, 401);
  });

  it('logout clears the cookie and ends its session only', async () => {
    const a = await login();
    const b = await login();
    const cookieA = refreshCookie(a)!.value;
    const cookieB = refreshCookie(b)!.value;
    const out = await raw(h.baseUrl, 'POST', '/api/v1/auth/logout', { ...CONSOLE, authorization: `Bearer ${String(a.json().accessToken)}`, cookie: `gatrix_refresh=${cookieA}` });
    assert.equal(out.status, 204, out.text);
    const cleared = refreshCookie(out)!;
    assert.equal(cleared.value, '');
    assert.ok(cleared.attrs.includes('path=/api/v1/auth'));
    assert.equal((await refresh(cookieA)).status, 401);
    assert.equal((await refresh(cookieB)).status, 200);
    // Logout still needs the access token.
    assert.equal((await raw(h.baseUrl, 'POST', '/api/v1/auth/logout', { ...CONSOLE, cookie: `gatrix_refresh=${cookieB}` })).status, 401);
  });

  it('console sign-ins are audited like any other', async () => {
    const r = await login();
    const userId = (r.json().user as { id: number }).id;
    const audit = await raw(h.baseUrl, 'GET', `/api/v1/audit-logs?action=auth.login&targetId=${userId}&limit=100`, { authorization: `Bearer ${h.adminToken}` });
    assert.equal(audit.status, 200, audit.text);
    const entries = audit.json().data as { action: string; targetId: string; requestId: string | null }[];
    assert.ok(entries.length > 0);
    assert.ok(entries.every((e) => e.action === 'auth.login' && e.targetId === String(userId)));
  });
});
