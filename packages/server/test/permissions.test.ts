/**
 * Access control, table-driven over the REAL route table (`h.routes`):
 *   - the route table equals ROUTE_PERMISSIONS below, written by hand: a route added, removed or given another
 *     permission fails here until the table says so;
 *   - every non-public route refuses a missing or bad credential with 401;
 *   - for every route and every kind of caller, the answer is 403 exactly when the pinned permission refuses
 *     the caller, through Fastify and, for the game-client routes, through the fast path in front of it;
 *   - the permission matrix itself is the one docs/security.md describes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { RouteInfo } from '../src/app/build-app.ts';
import { accessTokens } from '../src/modules/auth/tokens.ts';
import { allows, API_KEY_TYPES, PERMISSIONS, ROLES, type Permission, type Principal } from '../src/core/permissions.ts';
import { eachDatabase, startHarness, type Harness } from './helpers.ts';
import { ALL_GRANTS, EXPECTED } from './permission-matrix.ts';

/**
 * Every route and the permission it must declare, written by hand from docs/security.md rather than read from
 * the routes: the routes are checked against it, so weakening a route (`webhooks.write` → `webhooks.read`) fails.
 * A new route fails "the route table is exactly ROUTE_PERMISSIONS" until it is added here.
 */
const ROUTE_PERMISSIONS: Record<string, Permission> = {
  'GET /docs/problems': 'public',
  'GET /openapi.json': 'public',
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/refresh': 'public',
  'POST /api/v1/auth/logout': 'self',
  'GET /api/v1/auth/me': 'self',
  'PUT /api/v1/auth/password': 'self',
  'GET /api/v1/users': 'users.read',
  'POST /api/v1/users': 'users.write',
  'GET /api/v1/users/:id': 'users.readSelf',
  'PUT /api/v1/users/:id': 'users.write',
  'PATCH /api/v1/users/:id': 'users.write',
  'DELETE /api/v1/users/:id': 'users.write',
  'GET /api/v1/users/export.csv': 'users.read',
  'POST /api/v1/users/bulk': 'users.write',
  'POST /api/v1/users/:id/suspend': 'users.write',
  'POST /api/v1/users/:id/unsuspend': 'users.write',
  'POST /api/v1/users/:id/unlock': 'users.write',
  'POST /api/v1/users/:id/reset-password': 'users.write',
  'GET /api/v1/users/:id/sessions': 'users.write',
  'DELETE /api/v1/users/:id/sessions/:sessionId': 'users.write',
  'GET /api/v1/api-keys': 'apiKeys.read',
  'POST /api/v1/api-keys': 'apiKeys.write',
  'GET /api/v1/api-keys/:id': 'apiKeys.read',
  'DELETE /api/v1/api-keys/:id': 'apiKeys.write',
  'GET /api/v1/audit-logs': 'audit.read',
  'GET /api/v1/audit-logs/export.csv': 'audit.read',
  'GET /api/v1/game-worlds': 'ops.read',
  'POST /api/v1/game-worlds': 'ops.write',
  'PUT /api/v1/game-worlds/order': 'ops.write',
  'GET /api/v1/game-worlds/:id': 'ops.read',
  'PUT /api/v1/game-worlds/:id': 'ops.write',
  'PATCH /api/v1/game-worlds/:id': 'ops.write',
  'PUT /api/v1/game-worlds/:id/maintenance': 'ops.write',
  'DELETE /api/v1/game-worlds/:id': 'ops.write',
  'GET /api/v1/game-worlds/:worldId/instances': 'ops.read',
  'PUT /api/v1/game-worlds/:worldId/instances/:instanceId': 'instances.write',
  'DELETE /api/v1/game-worlds/:worldId/instances/:instanceId': 'instances.write',
  'GET /api/v1/maintenance': 'ops.read',
  'PUT /api/v1/maintenance': 'ops.write',
  'GET /api/v1/client/client-version': 'client.read',
  'GET /api/v1/client/status': 'client.read',
  'GET /api/v1/client/game-worlds': 'client.read',
  'GET /api/v1/client/client-versions': 'client.read',
  'GET /api/v1/server/snapshot': 'ops.read',
  'GET /api/v1/client/notices': 'client.read',
  'GET /api/v1/event-types': 'webhooks.read',
  'GET /api/v1/webhooks': 'webhooks.read',
  'POST /api/v1/webhooks': 'webhooks.write',
  'GET /api/v1/webhooks/:id': 'webhooks.read',
  'PUT /api/v1/webhooks/:id': 'webhooks.write',
  'PATCH /api/v1/webhooks/:id': 'webhooks.write',
  'DELETE /api/v1/webhooks/:id': 'webhooks.write',
  'POST /api/v1/webhooks/:id/test': 'webhooks.write',
  'POST /api/v1/webhooks/:id/rotate-secret': 'webhooks.write',
  'GET /api/v1/webhooks/:id/deliveries': 'webhooks.read',
  'POST /api/v1/webhooks/:id/recover': 'webhooks.write',
  'GET /api/v1/webhooks/health': 'webhooks.read',
  'GET /api/v1/webhooks/:id/health': 'webhooks.read',
  'POST /api/v1/webhooks/:id/deliveries/retry': 'webhooks.write',
  'GET /api/v1/webhook-deliveries/:id': 'webhooks.read',
  'GET /api/v1/webhook-deliveries/:id/attempts': 'webhooks.read',
  'POST /api/v1/webhook-deliveries/:id/retry': 'webhooks.write',
  'GET /api/v1/whitelist': 'ops.read',
  'POST /api/v1/whitelist/import': 'ops.write',
  'POST /api/v1/whitelist/test': 'ops.write',
  'GET /api/v1/whitelist/export.csv': 'ops.read',
  'POST /api/v1/whitelist': 'ops.write',
  'GET /api/v1/whitelist/:id': 'ops.read',
  'PUT /api/v1/whitelist/:id': 'ops.write',
  'PATCH /api/v1/whitelist/:id': 'ops.write',
  'DELETE /api/v1/whitelist/:id': 'ops.write',
  'GET /api/v1/client-versions': 'ops.read',
  'POST /api/v1/client-versions': 'ops.write',
  'GET /api/v1/client-versions/:id': 'ops.read',
  'PUT /api/v1/client-versions/:id': 'ops.write',
  'PATCH /api/v1/client-versions/:id': 'ops.write',
  'DELETE /api/v1/client-versions/:id': 'ops.write',
  'GET /api/v1/notices': 'ops.read',
  'POST /api/v1/notices': 'ops.write',
  'GET /api/v1/notices/:id': 'ops.read',
  'PUT /api/v1/notices/:id': 'ops.write',
  'PATCH /api/v1/notices/:id': 'ops.write',
  'DELETE /api/v1/notices/:id': 'ops.write',
  'GET /api/v1/monitoring/metrics': 'monitoring.read',
  'GET /api/v1/monitoring/timeseries': 'monitoring.read',
  'GET /api/v1/monitoring/errors': 'monitoring.admin',
  'POST /api/v1/monitoring/errors/:id/resolve': 'monitoring.admin',
  'GET /metrics': 'monitoring.read',
  'GET /api/v1/events': 'events.read',
};

/** The only routes anyone may call without a credential. Anything else that turns up public is a mistake. */
const PUBLIC_ROUTES = new Set(['GET /healthz', 'GET /readyz', 'GET /openapi.json', 'GET /docs/problems', 'POST /api/v1/auth/login', 'POST /api/v1/auth/refresh']);
/** The docs UI plugin's routes (the Swagger UI and its assets), which carry no permission of ours. */
const isDocs = (r: RouteInfo) => (r.url === '/docs' || r.url.startsWith('/docs/')) && r.url !== '/docs/problems';

const routeKey = (r: Pick<RouteInfo, 'method' | 'url'>) => `${r.method} ${r.url}`;

interface Caller {
  /** What `grantOf` gives for this caller: a role, or key:<type>. */
  grant: (typeof ALL_GRANTS)[number];
  label: string;
  principal: Principal;
  headers: Record<string, string>;
  /** A user's own id. */
  userId?: number;
}

interface Plan {
  url: string;
  body?: unknown;
  /** What an allowed caller gets; undefined = anything but 401/403/5xx. */
  expect?: number;
}

/** Request bodies accepted by both dialects and side-effect free enough to repeat for every caller. */
function planFor(route: RouteInfo, caller: Caller | undefined, ctx: { keyId: number; n: () => number }): Plan {
  const id999 = route.url.replace(/:\w+/g, '999999');
  switch (routeKey(route)) {
    case 'POST /api/v1/auth/logout':
      // Logs out only the session of that (unknown) refresh token: the caller's access token keeps working.
      return { url: route.url, body: { refreshToken: 'not-a-real-refresh-token' }, expect: 204 };
    case 'GET /api/v1/auth/me':
      return { url: route.url, expect: 200 };
    case 'PUT /api/v1/auth/password':
      // The wrong current password: proves the route was reached without changing anything.
      return { url: route.url, body: { currentPassword: 'not-the-password', newPassword: 'new-password-123' }, expect: 400 };
    case 'GET /api/v1/users':
    case 'GET /api/v1/api-keys':
    case 'GET /api/v1/audit-logs':
      return { url: route.url, expect: 200 };
    case 'POST /api/v1/users': {
      const n = ctx.n();
      return { url: route.url, body: { username: `perm_user_${n}`, email: `perm_user_${n}@example.com` }, expect: 201 };
    }
    case 'GET /api/v1/users/:id':
      // A player may read only itself (the special case has its own test below).
      return { url: `/api/v1/users/${caller?.userId ?? 1}`, expect: 200 };
    case 'PUT /api/v1/users/:id':
    case 'PATCH /api/v1/users/:id':
      return { url: id999, body: { displayName: 'Permission Probe' }, expect: 404 };
    case 'DELETE /api/v1/users/:id':
    case 'DELETE /api/v1/api-keys/:id':
      // An id that does not exist: 404 proves the permission check passed, and nothing is deleted or revoked.
      return { url: id999, expect: 404 };
    case 'POST /api/v1/api-keys':
      return { url: route.url, body: { name: `perm key ${ctx.n()}`, type: 'client' }, expect: 201 };
    case 'GET /api/v1/api-keys/:id':
      return { url: route.url.replace(':id', String(ctx.keyId)), expect: 200 };
    default:
      // A route this table does not know yet: non-existent ids for writes, id 1 for reads, an empty JSON body.
      // Auth runs in onRequest, before validation, so the 401/403 checks hold whatever the body is.
      return {
        url: route.method === 'GET' ? route.url.replace(/:\w+/g, '1') : id999,
        body: ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined,
      };
  }
}

function inject(h: Harness, method: string, url: string, headers: Record<string, string>, body?: unknown): Promise<LightMyRequestResponse> {
  return h.app.inject({ method: method as 'GET', url, headers, ...(body !== undefined ? { payload: body as object } : {}) });
}

function assertProblem(r: LightMyRequestResponse, status: number, code: string | RegExp, what: string): void {
  assert.equal(r.statusCode, status, `${what}: expected ${status}, got ${r.statusCode} ${r.body}`);
  if (r.headers['content-type'] === undefined && r.body === '') return; // HEAD: headers only
  assert.match(String(r.headers['content-type']), /^application\/problem\+json/, `${what}: content-type`);
  if (r.body === '') return; // HEAD
  const p = r.json<{ status: number; code: string; requestId: string }>();
  assert.equal(p.status, status, what);
  if (typeof code === 'string') assert.equal(p.code, code, `${what}: code`);
  else assert.match(p.code, code, `${what}: code`);
  assert.equal(p.requestId, r.headers['x-request-id'], `${what}: requestId`);
}

/** Each GET route is also reachable as HEAD (Fastify adds it); the same checks must hold there. */
function methodsOf(route: RouteInfo): string[] {
  return route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];
}

describe('permission matrix (docs/security.md)', () => {
  it('PERMISSIONS is the table docs/security.md describes', () => {
    assert.deepEqual(Object.keys(PERMISSIONS).sort(), Object.keys(EXPECTED).sort(), 'a permission was added or removed: extend EXPECTED and docs/security.md');
    for (const [perm, grants] of Object.entries(EXPECTED)) {
      assert.deepEqual([...PERMISSIONS[perm as Permission]].sort(), [...grants].sort(), `grants of ${perm}`);
    }
  });

  it('writes are never granted to read-only callers; server keys write only their world instances', () => {
    for (const [perm, grants] of Object.entries(PERMISSIONS) as [Permission, readonly string[]][]) {
      if (!perm.endsWith('.write') && perm !== 'monitoring.admin') continue;
      const readOnly = perm === 'instances.write' ? ['viewer', 'player', 'key:client'] : ['viewer', 'player', 'key:server', 'key:client'];
      for (const ro of readOnly) assert.ok(!grants.includes(ro), `${perm} must not grant ${ro}`);
    }
  });

  it('allows() follows the table and refuses anonymous callers everywhere but public', () => {
    for (const perm of Object.keys(PERMISSIONS) as Permission[]) {
      assert.equal(allows(perm, undefined), perm === 'public', `anonymous on ${perm}`);
      for (const grant of ALL_GRANTS) {
        const p: Principal = grant.startsWith('key:')
          ? { kind: 'apiKey', keyId: 1, name: 'k', keyType: grant.slice(4) as (typeof API_KEY_TYPES)[number] }
          : { kind: 'user', userId: 1, username: 'u', role: grant as (typeof ROLES)[number] };
        assert.equal(allows(perm, p), perm === 'public' || (EXPECTED[perm] as readonly string[]).includes(grant), `${grant} on ${perm}`);
      }
    }
  });
});

eachDatabase('permissions on every route', (kind) => {
  let h: Harness;
  let routes: RouteInfo[];
  let protectedRoutes: RouteInfo[];
  const callers: Caller[] = [];
  let keyId = 0;
  let counter = 0;
  const ctx = { get keyId() { return keyId; }, n: () => ++counter };

  before(async () => {
    h = await startHarness(kind, { listen: true });
    routes = h.routes;
    protectedRoutes = routes.filter((r) => r.permission !== 'public');
    for (const role of ROLES) {
      const { id, token } = await h.userToken(role);
      callers.push({
        grant: role,
        label: `${role} user`,
        principal: { kind: 'user', userId: id, username: `${role}`, role },
        headers: { authorization: `Bearer ${token}` },
        userId: id,
      });
    }
    for (const type of API_KEY_TYPES) {
      const k = await h.apiKey(type);
      const principal: Principal = { kind: 'apiKey', keyId: k.id, name: `${type} key`, keyType: type };
      // The integration guide's SDK sample (docs/integration-guide.md) sends keys as Bearer; others use X-API-Key. Both must get the same rights.
      callers.push({ grant: `key:${type}`, label: `${type} key (X-API-Key)`, principal, headers: { 'x-api-key': k.key } });
      callers.push({ grant: `key:${type}`, label: `${type} key (Bearer)`, principal, headers: { authorization: `Bearer ${k.key}` } });
      keyId = k.id;
    }
  });
  after(() => h.close());

  it('the route table is exactly ROUTE_PERMISSIONS: every route, with the permission written down for it', () => {
    const actual = Object.fromEntries(routes.filter((r) => !isDocs(r)).map((r) => [routeKey(r), r.permission]));
    const sorted = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
    assert.deepEqual(sorted(actual), sorted(ROUTE_PERMISSIONS));
  });

  it('the route table is complete and every route declares a known permission', () => {
    assert.ok(protectedRoutes.length >= 10, `only ${protectedRoutes.length} protected routes were collected`);
    for (const r of routes) assert.ok(r.permission in PERMISSIONS, `${routeKey(r)} declares unknown permission ${String(r.permission)}`);
    for (const key of ['GET /api/v1/users', 'DELETE /api/v1/users/:id', 'POST /api/v1/api-keys', 'GET /api/v1/audit-logs', 'GET /api/v1/auth/me']) {
      assert.ok(routes.some((r) => routeKey(r) === key), `${key} is in h.routes`);
    }
  });

  it('only the allow-listed routes (and the docs UI) are public', () => {
    const publicOnes = routes.filter((r) => r.permission === 'public' && !isDocs(r)).map(routeKey).sort();
    assert.deepEqual(publicOnes, [...PUBLIC_ROUTES].sort());
    for (const r of routes.filter(isDocs)) assert.equal(r.method, 'GET', `${routeKey(r)}: the docs UI is read-only`);
  });

  it('the route-level matrix: client keys reach only client.read and the event feed, players only /auth/*, their profile and the event feed, server keys no user or key admin', () => {
    for (const r of routes) {
      // The event feed shows every caller only the events it may hear (test/event-feed.test.ts).
      if (routeKey(r) === 'GET /api/v1/events') continue;
      if (allows(r.permission, { kind: 'apiKey', keyId: 1, name: 'c', keyType: 'client' })) {
        assert.ok(r.permission === 'public' || r.permission === 'client.read', `a client key reaches ${routeKey(r)} (${r.permission})`);
        if (r.permission === 'client.read') assert.ok(r.url.startsWith('/api/v1/client/'), `client.read on ${routeKey(r)}`);
      }
      if (allows(r.permission, { kind: 'user', userId: 1, username: 'p', role: 'player' })) {
        assert.ok(['self', 'users.readSelf', 'public'].includes(r.permission), `a player reaches ${routeKey(r)} (${r.permission})`);
        if (r.permission !== 'public') {
          assert.ok(r.url.startsWith('/api/v1/auth/') || routeKey(r) === 'GET /api/v1/users/:id', `a player reaches ${routeKey(r)}`);
        }
      }
      if (/^\/api\/v1\/(users|api-keys|audit-logs)/.test(r.url)) {
        assert.ok(!allows(r.permission, { kind: 'apiKey', keyId: 1, name: 's', keyType: 'server' }), `a server key reaches ${routeKey(r)}`);
      }
      if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && r.url.startsWith('/api/v1/') && !r.url.startsWith('/api/v1/auth/')) {
        assert.ok(!allows(r.permission, { kind: 'user', userId: 1, username: 'v', role: 'viewer' }), `a viewer may ${routeKey(r)}`);
      }
    }
  });

  it('every protected route answers 401 problem+json without a credential or with a bad one, for every method', async () => {
    const otherSecret = accessTokens('another-secret-another-secret-0123456789', 900);
    const ours = accessTokens(h.config.jwtSecret, 900);
    const badCredentials: [string, Record<string, string>, string][] = [
      ['no credential', {}, 'unauthorized'],
      ['Basic auth', { authorization: 'Basic YWRtaW46YWRtaW4tcGFzc3dvcmQtMQ==' }, 'unauthorized'],
      ['empty Bearer', { authorization: 'Bearer ' }, 'unauthorized'],
      ['garbage Bearer', { authorization: 'Bearer not-a-token' }, 'invalid_credentials'],
      ['garbage X-API-Key', { 'x-api-key': 'garbage-key' }, 'invalid_credentials'],
      ['unknown gtx_ key', { 'x-api-key': `gtx_admin_${'A'.repeat(32)}` }, 'invalid_credentials'],
      ['JWT signed with another secret', { authorization: `Bearer ${await otherSecret.sign(1, new Date())}` }, 'invalid_credentials'],
      ['expired JWT', { authorization: `Bearer ${await ours.sign(1, new Date(Date.now() - 3600_000))}` }, 'invalid_credentials'],
      [
        'alg:none JWT',
        { authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"1","typ":"access","iss":"gatrix","aud":"gatrix-api"}').toString('base64url')}.` },
        'invalid_credentials',
      ],
    ];
    let checked = 0;
    for (const route of protectedRoutes) {
      const plan = planFor(route, undefined, ctx);
      for (const method of methodsOf(route)) {
        for (const [what, headers, code] of badCredentials) {
          const r = await inject(h, method, plan.url, headers, plan.body);
          assertProblem(r, 401, code, `${method} ${plan.url} with ${what}`);
          checked++;
        }
      }
    }
    assert.ok(checked >= protectedRoutes.length * badCredentials.length);
  });

  it('every route × every caller: 403 naming the permission exactly when the pinned permission refuses, never 401/403 when it allows', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => !isDocs(r))) {
      const permission = ROUTE_PERMISSIONS[routeKey(route)];
      if (permission === undefined) {
        failures.push(`${routeKey(route)} is not in ROUTE_PERMISSIONS`);
        continue;
      }
      for (const caller of callers) {
        const allowed = permission === 'public' || (EXPECTED[permission] as readonly string[]).includes(caller.grant);
        for (const method of methodsOf(route)) {
          const plan = planFor(route, caller, ctx);
          const r = await inject(h, method, plan.url, caller.headers, plan.body);
          const what = `${caller.label} ${method} ${plan.url} (${permission}, ${allowed ? 'allowed' : 'refused'})`;
          if (!allowed) {
            if (r.statusCode !== 403) failures.push(`${what}: expected 403, got ${r.statusCode} ${r.body.slice(0, 200)}`);
            else if (method !== 'HEAD') {
              assertProblem(r, 403, 'forbidden', what);
              const detail = r.json<{ detail: string }>().detail;
              // The 403 names the permission and who has it: each role by name, each key type as "<type> … API keys".
              const named = [permission, ...EXPECTED[permission].map((g) => g.replace(/^key:/, ''))].every((word) => new RegExp(`\\b${word.replace('.', '\\.')}\\b`).test(detail));
              if (!named || (EXPECTED[permission].some((g) => g.startsWith('key:')) && !/API keys/.test(detail))) failures.push(`${what}: 403 detail "${detail}" does not say who has ${permission}`);
            }
            continue;
          }
          if (r.statusCode === 401 || r.statusCode === 403 || r.statusCode >= 500) {
            failures.push(`${what}: got ${r.statusCode} ${r.body.slice(0, 200)}`);
          } else if (plan.expect !== undefined && r.statusCode !== plan.expect) {
            failures.push(`${what}: expected ${plan.expect}, got ${r.statusCode} ${r.body.slice(0, 200)}`);
          }
        }
      }
    }
    assert.deepEqual(failures, []);
  });

  it('the pinned table holds on the fast path: the game-client routes over real HTTP answer each caller as the table says', async () => {
    const admin = (await h.apiKey('admin')).key;
    const version = await h.call('POST', '/api/v1/client-versions', {
      headers: { 'x-api-key': admin },
      body: { channel: 'PC', subChannel: 'Steam', version: '1.0.0', status: 'ONLINE', gameServerAddress: 'game.example.com:7777', patchAddress: 'https://patch.example.com/' },
    });
    assert.ok([201, 409].includes(version.statusCode), version.body); // 409: the matrix above may have made it
    const urls: Record<string, string> = {
      '/api/v1/client/client-version': '/api/v1/client/client-version?channel=PC&subChannel=Steam&version=1.0.0',
      '/api/v1/client/client-versions': '/api/v1/client/client-versions?channel=PC&subChannel=Steam',
    };
    const clientRoutes = Object.entries(ROUTE_PERMISSIONS).filter(([key]) => key.startsWith('GET /api/v1/client/'));
    assert.equal(clientRoutes.length, 5);
    const failures: string[] = [];
    for (const [key, permission] of clientRoutes) {
      const path = key.slice('GET '.length);
      for (const caller of callers) {
        const allowed = (EXPECTED[permission] as readonly string[]).includes(caller.grant);
        const what = `${caller.label} ${key} (${permission}, ${allowed ? 'allowed' : 'refused'})`;
        // The fast path answers once the credential cache and the snapshot are warm, which the first calls fill
        // (and a busy machine may see a cache expire in between): an allowed caller must reach it within a few
        // calls, a refused one never, and every answer must be 200 or 403 as the table says.
        let fastAnswers = 0;
        for (let attempt = 0; attempt < 5 && (allowed ? fastAnswers === 0 : true); attempt++) {
          const before = h.fastPath!.answered;
          const r = await fetch(`${h.baseUrl}${urls[path] ?? path}`, { headers: caller.headers });
          const body = await r.text();
          fastAnswers += h.fastPath!.answered - before;
          if (r.status !== (allowed ? 200 : 403)) failures.push(`${what}: got ${r.status} ${body.slice(0, 120)}`);
        }
        if (allowed && fastAnswers === 0) failures.push(`${what}: the fast path never answered`);
        if (!allowed && fastAnswers > 0) failures.push(`${what}: the fast path answered a refused caller`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('the credentials used above still work: nothing was revoked, deleted or logged out', async () => {
    for (const c of callers) {
      const probe = c.grant.startsWith('key:') ? '/api/v1/users' : '/api/v1/auth/me';
      const r = await inject(h, 'GET', probe, c.headers);
      assert.notEqual(r.statusCode, 401, `${c.label} can still authenticate`);
    }
    const admin = await h.call('GET', '/api/v1/users/1', { token: h.adminToken });
    assert.equal(admin.json().role, 'admin');
    assert.equal(admin.json().status, 'active');
  });

  it('GET /users/:id: a player reads only its own profile; staff and admin keys read anyone', async () => {
    const player = callers.find((c) => c.grant === 'player')!;
    const viewer = callers.find((c) => c.grant === 'viewer')!;
    const own = await inject(h, 'GET', `/api/v1/users/${player.userId}`, player.headers);
    assert.equal(own.statusCode, 200);
    assert.equal(own.json().id, player.userId);
    for (const other of [1, viewer.userId!, 999999]) {
      // Someone else's id, existing or not, is 403: a player cannot probe which ids exist.
      assertProblem(await inject(h, 'GET', `/api/v1/users/${other}`, player.headers), 403, 'forbidden', `player reads user ${other}`);
    }
    for (const c of callers.filter((x) => x.grant !== 'player')) {
      const r = await inject(h, 'GET', `/api/v1/users/${player.userId}`, c.headers);
      assert.equal(r.statusCode, allows('users.readSelf', c.principal) ? 200 : 403, `${c.label} reads the player`);
    }
  });

  it('a refused call changes nothing: forbidden creates and deletes leave the data as it was', async () => {
    const count = async () => (await h.call('GET', '/api/v1/users', { token: h.adminToken })).json().pagination.total as number;
    const before = await count();
    const viewer = callers.find((c) => c.grant === 'viewer')!;
    const server = callers.find((c) => c.grant === 'key:server')!;
    for (const c of [viewer, server]) {
      assertProblem(await inject(h, 'POST', '/api/v1/users', c.headers, { username: `nope_${c.grant.replace(':', '_')}`, email: `nope_${c.grant.replace(':', '')}@example.com` }), 403, 'forbidden', `${c.label} creates`);
      assertProblem(await inject(h, 'DELETE', `/api/v1/users/${viewer.userId}`, c.headers), 403, 'forbidden', `${c.label} deletes`);
      assertProblem(await inject(h, 'DELETE', `/api/v1/api-keys/${keyId}`, c.headers), 403, 'forbidden', `${c.label} revokes`);
    }
    assert.equal(await count(), before);
    assert.equal((await h.call('GET', `/api/v1/api-keys/${keyId}`, { token: h.adminToken })).json().revokedAt, null);
  });
});
