/**
 * The game-client fast path (src/modules/client/fast-path.ts) answers in front of Fastify. Every request here
 * is sent twice: over real HTTP, where the fast path may answer, and through app.inject, which always takes
 * the Fastify route. Both must give the same status, content type and body (problem bodies compared without
 * their per-request id), and the fast path must have answered exactly the plain success cases.
 * The fast path works from memory only, so one database (SQLite) is enough.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse as parseQuery } from 'fast-querystring';
import { plainQuery } from '../src/modules/client/fast-path.ts';
import { startHarness, type Harness } from './helpers.ts';

interface Case {
  name: string;
  url: string;
  headers?: Record<string, string>;
  method?: 'GET' | 'HEAD';
  /** The fast path answers it (else Fastify does). */
  fast: boolean;
}

const V = '/api/v1/client/client-version';
const L = '/api/v1/client/client-versions';
const N = '/api/v1/client/notices';

describe('game-client fast path', () => {
  let h: Harness;
  let client: string;
  let server: string;
  let admin: string;
  let player: string;
  let cases: Case[];

  before(async () => {
    h = await startHarness('sqlite', { listen: true, env: { TRUST_PROXY: 'true' } });
    admin = (await h.apiKey('admin')).key;
    client = (await h.apiKey('client')).key;
    server = (await h.apiKey('server')).key;
    player = (await h.userToken('player')).token;
    const post = async (url: string, body: unknown) => {
      const r = await h.call('POST', url, { token: admin, body });
      assert.equal(r.statusCode, 201, r.body);
    };
    for (const [value, type] of [['qa-1', 'account'], ['203.0.113.7', 'ip'], ['2001:db8:1::/48', 'ip']] as const) {
      await post('/api/v1/whitelist', { type, value });
    }
    await post('/api/v1/client-versions', {
      channel: 'PC',
      subChannel: 'Steam',
      version: '1.0.0',
      status: 'ONLINE',
      gameServerAddress: 'game.example.com:7777',
      gameServerAddressForWhitelist: 'qa.example.com:7777',
      patchAddress: 'https://patch.example.com/1.0.0/',
      minPatchVersion: '1.0041',
      customPayload: { build: 100 },
    });
    await post('/api/v1/client-versions', {
      channel: 'PC',
      subChannel: 'Steam',
      version: '1.0.1',
      status: 'MAINTENANCE',
      maintenanceMessage: 'Back soon',
      maintenanceMessages: { ko: '곧 돌아옵니다' },
      gameServerAddress: 'game.example.com:7777',
      patchAddress: 'https://patch.example.com/1.0.1/',
    });
    await post('/api/v1/game-worlds', { worldId: 'w1', name: 'World 1' });
    await post('/api/v1/notices', { title: 'For all', body: 'Hello', translations: { ko: { title: '모두에게', body: '안녕' } } });
    await post('/api/v1/notices', { title: 'Steam 1.x in w1', body: 'Event', channels: ['PC'], worldIds: ['w1'], minVersion: '1.0', maxVersion: '1.9', priority: 3 });

    const key = { 'x-api-key': client };
    const q = (query: string) => `${V}?channel=PC&subChannel=Steam&${query}`;
    cases = [
      { name: 'plain answer', url: q('version=1.0.0&patchVersion=1.0041'), headers: key, fast: true },
      { name: 'old patch', url: q('version=1.0.0&patchVersion=1.0040'), headers: key, fast: true },
      { name: 'maintenance, Korean', url: q('version=1.0.1&lang=ko'), headers: key, fast: true },
      { name: 'maintenance, unknown language', url: q('version=1.0.1&lang=fr'), headers: key, fast: true },
      { name: 'whitelisted account', url: q('version=1.0.1&accountId=qa-1'), headers: key, fast: true },
      { name: 'whitelisted IPv4 behind the proxy', url: q('version=1.0.1'), headers: { ...key, 'x-forwarded-for': '203.0.113.7' }, fast: true },
      { name: 'whitelisted IPv6 CIDR', url: q('version=1.0.1'), headers: { ...key, 'x-forwarded-for': '2001:db8:1::42' }, fast: true },
      { name: 'server key, bearer', url: q('version=1.0.0'), headers: { authorization: `Bearer ${server}` }, fast: true },
      { name: 'admin key', url: q('version=1.0.0'), headers: { 'x-api-key': admin }, fast: true },
      { name: 'given request id', url: q('version=1.0.0'), headers: { ...key, 'x-request-id': 'req-42' }, fast: true },
      { name: 'extra parameter', url: q('version=1.0.0&utm=x'), headers: key, fast: true },
      { name: 'percent-encoded value', url: q('version=1.0.1&accountId=qa%2D1&lang=k%6F'), headers: key, fast: true },
      { name: 'percent-encoded key', url: q('version=1.0.1&account%49d=qa-1'), headers: key, fast: true },
      { name: 'plus in a value', url: q('version=1.0.1&accountId=qa+1'), headers: key, fast: true },
      { name: 'a value with =', url: q('version=1.0.1&accountId=qa=1'), headers: key, fast: true },
      { name: 'trailing &', url: `${q('version=1.0.0')}&`, headers: key, fast: true },
      { name: 'empty query', url: '/api/v1/client/status?', headers: key, fast: true },
      { name: 'key without a value', url: q('version=1.0.0&lang'), headers: key, fast: false },
      { name: 'empty accountId', url: q('version=1.0.0&accountId='), headers: key, fast: false },
      { name: 'repeated accountId', url: q('version=1.0.1&accountId=qa-1&accountId=qa-1'), headers: key, fast: false },
      { name: 'status', url: '/api/v1/client/status?lang=ko', headers: key, fast: true },
      { name: 'status, whitelisted', url: '/api/v1/client/status?accountId=qa-1', headers: key, fast: true },
      { name: 'game worlds', url: '/api/v1/client/game-worlds', headers: key, fast: true },
      { name: 'platform alias', url: `${V}?platform=PC&subChannel=Steam&version=1.0.0&patchVersion=1.0041`, headers: key, fast: true },
      { name: 'platform equal to channel', url: q('platform=PC&version=1.0.0'), headers: key, fast: true },
      { name: 'latest', url: q('version=latest&lang=ko'), headers: key, fast: true },
      { name: 'latest, whitelisted', url: q('version=latest&accountId=qa-1'), headers: key, fast: true },
      { name: 'version list', url: `${L}?channel=PC&subChannel=Steam`, headers: key, fast: true },
      { name: 'version list by platform', url: `${L}?platform=PC&subChannel=Steam`, headers: key, fast: true },
      { name: 'version list, unknown channel', url: `${L}?channel=Nope&subChannel=Steam`, headers: key, fast: true },
      { name: 'notices', url: N, headers: key, fast: true },
      { name: 'notices, targeted, Korean', url: `${N}?channel=PC&worldId=w1&version=1.0.1&lang=ko-KR`, headers: key, fast: true },
      { name: 'notices by platform', url: `${N}?platform=PC&subChannel=Steam&worldId=w1&version=1.2`, headers: key, fast: true },
      { name: 'notices with an accountId (notices do not depend on the caller)', url: `${N}?accountId=qa-1`, headers: key, fast: true },
      { name: 'notices, platform differs from channel', url: `${N}?channel=PC&platform=Mobile`, headers: key, fast: false },
      { name: 'notices, bad version', url: `${N}?version=1.x`, headers: key, fast: false },
      { name: 'notices without a key', url: N, fast: false },
      { name: 'latest of an unknown channel', url: `${V}?channel=Nope&subChannel=Steam&version=latest`, headers: key, fast: false },
      { name: 'platform differs from channel', url: q('platform=Mobile&version=1.0.0'), headers: key, fast: false },
      { name: 'neither channel nor platform', url: `${L}?subChannel=Steam`, headers: key, fast: false },
      { name: 'version list without a key', url: `${L}?channel=PC&subChannel=Steam`, fast: false },
      { name: 'unknown version', url: q('version=9.9.9'), headers: key, fast: false },
      { name: 'missing channel', url: `${V}?subChannel=Steam&version=1.0.0`, headers: key, fast: false },
      { name: 'repeated channel', url: q('version=1.0.0&channel=Mobile'), headers: key, fast: false },
      { name: 'bad version', url: q('version=1..0'), headers: key, fast: false },
      { name: 'NUL in accountId', url: q('version=1.0.0&accountId=a%00b'), headers: key, fast: false },
      { name: 'accountId too long', url: q(`version=1.0.0&accountId=${'a'.repeat(129)}`), headers: key, fast: false },
      { name: 'no credential', url: q('version=1.0.0'), fast: false },
      { name: 'unknown key', url: q('version=1.0.0'), headers: { 'x-api-key': 'gtx_client_nope' }, fast: false },
      { name: 'unknown key again (cached)', url: q('version=1.0.0'), headers: { 'x-api-key': 'gtx_client_nope' }, fast: false },
      { name: 'player token (not allowed)', url: q('version=1.0.0'), headers: { authorization: `Bearer ${player}` }, fast: false },
      { name: 'HEAD', url: q('version=1.0.0'), headers: key, method: 'HEAD', fast: false },
      { name: 'trailing slash', url: `${V}/?channel=PC&subChannel=Steam&version=1.0.0`, headers: key, fast: false },
    ];
  });
  after(() => h.close());

  /** Problem bodies carry a per-request id; everything else must match byte for byte. */
  const comparable = (contentType: string | undefined, body: string) => {
    if (!contentType?.startsWith('application/problem+json')) return body;
    const { requestId: _requestId, instance: _instance, ...rest } = JSON.parse(body) as Record<string, unknown>;
    return JSON.stringify(rest);
  };

  it('answers exactly what the Fastify route answers, and only the plain success cases', async () => {
    // Warm the credential cache and the snapshot the way traffic would.
    for (const c of cases) await fetch(`${h.baseUrl}${c.url}`, { method: c.method ?? 'GET', headers: c.headers });
    for (const c of cases) {
      const before = h.fastPath!.answered;
      const real = await fetch(`${h.baseUrl}${c.url}`, { method: c.method ?? 'GET', headers: c.headers });
      const realBody = await real.text();
      const handledFast = h.fastPath!.answered - before;
      const viaFastify = await h.app.inject({ method: c.method ?? 'GET', url: c.url, headers: c.headers });

      assert.equal(handledFast, c.fast ? 1 : 0, `${c.name}: answered by the ${handledFast ? 'fast path' : 'Fastify route'}`);
      assert.equal(real.status, viaFastify.statusCode, `${c.name}: status`);
      assert.equal(real.headers.get('content-type'), viaFastify.headers['content-type'], `${c.name}: content type`);
      assert.equal(comparable(real.headers.get('content-type') ?? undefined, realBody), comparable(viaFastify.headers['content-type'] as string | undefined, viaFastify.body), `${c.name}: body`);
      assert.ok(real.headers.get('x-request-id'), `${c.name}: x-request-id`);
      if (c.headers?.['x-request-id']) assert.equal(real.headers.get('x-request-id'), c.headers['x-request-id']);
      if (c.fast) assert.equal(real.headers.get('content-length'), String(Buffer.byteLength(realBody)));
    }
  });

  it("parses a plain query as fast-querystring does, and leaves every other query to it", () => {
    const keys = new Map(['channel', 'subChannel', 'version', 'accountId', 'lang'].map((k) => [k, k]));
    const names = [...keys.keys(), 'utm', 'account%49d', 'lang+', 'versioN', ''];
    const values = ['PC', '1.0.0', 'ko', 'qa-1', '', 'a=b', 'qa%2D1', 'qa+1', '%', '%E0%A4%A', '%00'];
    let seed = 7;
    const random = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    let plain = 0;
    for (let i = 0; i < 20_000; i++) {
      const pairs: string[] = [];
      for (let j = random(6); j > 0; j--) pairs.push(names[random(names.length)] + (random(10) === 0 ? '' : `=${values[random(values.length)]}`));
      const search = pairs.join('&') + (random(10) === 0 ? '&' : '');
      const mine = plainQuery(search, keys);
      if (mine === undefined) continue;
      plain++;
      assert.deepEqual(mine, { ...(parseQuery(search) as Record<string, unknown>) }, `?${search}`);
    }
    const expected = { channel: 'PC', subChannel: 'Steam', version: '1.0.0', accountId: 'qa-1', lang: 'ko' };
    assert.deepEqual(plainQuery('channel=PC&subChannel=Steam&version=1.0.0&accountId=qa-1&lang=ko', keys), expected);
    assert.ok(plain > 100, `${plain} of the generated queries were plain`);
  });

  it('answers the whitelisted caller for that caller alone', async () => {
    const url = `${V}?channel=PC&subChannel=Steam&version=1.0.1`;
    const qa = (await (await fetch(`${h.baseUrl}${url}&accountId=qa-1`, { headers: { 'x-api-key': client } })).json()) as { status: string };
    const anyone = (await (await fetch(`${h.baseUrl}${url}`, { headers: { 'x-api-key': client } })).json()) as { status: string; message: string };
    assert.equal(qa.status, 'ONLINE');
    assert.equal(anyone.status, 'MAINTENANCE');
    assert.equal(anyone.message, 'Back soon');
  });

  it("no client route lets a whitelisted caller's answer reach the next caller, on the fast path or the Fastify route", async () => {
    const asAdmin = { token: admin };
    const set = async (method: string, url: string, body: unknown) => {
      const r = await h.call(method, url, { ...asAdmin, body });
      assert.equal(r.statusCode, 200, r.body);
    };
    const world = (await h.call('GET', '/api/v1/game-worlds', asAdmin)).json<{ data: { id: number; worldId: string }[] }>().data.find((w) => w.worldId === 'w1')!;
    await set('PUT', '/api/v1/maintenance', { enabled: true, message: 'Global maintenance' });
    await set('PUT', `/api/v1/game-worlds/${world.id}/maintenance`, { enabled: true, message: 'w1 down' });
    try {
      /** Each game-client route, asked for something a whitelisted caller is let through. */
      const urls: Record<string, string> = {
        '/api/v1/client/client-version': `${V}?channel=PC&subChannel=Steam&version=1.0.1`, // MAINTENANCE
        '/api/v1/client/status': '/api/v1/client/status',
        '/api/v1/client/game-worlds': '/api/v1/client/game-worlds',
      };
      /** Routes whose answer does not depend on the caller at all (no accountId, no whitelist addresses). */
      const callerIndependent = [L, N];
      const clientRoutes = h.routes.filter((r) => r.url.startsWith('/api/v1/client/')).map((r) => r.url);
      assert.deepEqual(clientRoutes.sort(), [...Object.keys(urls), ...callerIndependent].sort(), 'every game-client route is covered');
      const whitelisted: { name: string; query: string; headers: Record<string, string> }[] = [
        { name: 'whitelisted account', query: 'accountId=qa-1', headers: {} },
        { name: 'whitelisted IP', query: '', headers: { 'x-forwarded-for': '203.0.113.7' } },
      ];
      const key = { 'x-api-key': client };
      const transports = {
        fast: async (url: string, headers: Record<string, string>) => {
          const before = h.fastPath!.answered;
          const r = await fetch(`${h.baseUrl}${url}`, { headers: { ...key, ...headers } });
          const body = await r.text();
          assert.equal(h.fastPath!.answered - before, 1, `the fast path answered ${url}`);
          return body;
        },
        normal: async (url: string, headers: Record<string, string>) => (await h.app.inject({ method: 'GET', url, headers: { ...key, ...headers } })).body,
      };
      /** A fresh snapshot, loaded through another version, so the route's own cached answers are empty. */
      const freshSnapshot = async () => {
        h.services.client.invalidate();
        await h.services.client.clientVersion({ channel: 'PC', subChannel: 'Steam', version: '1.0.0' }, undefined);
      };

      for (const [path, url] of Object.entries(urls)) {
        for (const [transport, send] of Object.entries(transports)) {
          await freshSnapshot();
          const anyone = await send(url, {});
          assert.match(anyone, /"(status":"MAINTENANCE|maintenance":true)/, `${path}: the answer for anyone is maintenance`);
          for (const w of whitelisted) {
            const label = `${path} ${transport}, ${w.name} first`;
            await freshSnapshot();
            const own = await send(w.query ? `${url}${url.includes('?') ? '&' : '?'}${w.query}` : url, w.headers);
            assert.notEqual(own, anyone, `${label}: the whitelisted caller passes through`);
            assert.equal(await send(url, {}), anyone, `${label}: the next caller gets the answer for anyone`);
          }
        }
      }
    } finally {
      await set('PUT', `/api/v1/game-worlds/${world.id}/maintenance`, { enabled: false });
      await set('PUT', '/api/v1/maintenance', { enabled: false });
    }
  });

  it('sees a change at once, and a revoked key is refused', async () => {
    const url = `${h.baseUrl}${V}?channel=PC&subChannel=Steam&version=1.0.0&patchVersion=1.0041`;
    const get = async (key = client) => {
      const r = await fetch(url, { headers: { 'x-api-key': key } });
      return { status: r.status, body: (await r.json()) as { status?: string; message?: string } };
    };
    assert.equal((await get()).body.status, 'ONLINE');
    const r = await h.call('PUT', '/api/v1/maintenance', { token: admin, body: { enabled: true, message: 'Global maintenance' } });
    assert.equal(r.statusCode, 200, r.body);
    for (let i = 0; i < 3; i++) assert.deepEqual((await get()).body.status, 'MAINTENANCE'); // the first may reload, the rest are fast
    assert.equal((await get()).body.message, 'Global maintenance');

    const doomed = await h.apiKey('client');
    assert.equal((await get(doomed.key)).status, 200);
    assert.equal((await get(doomed.key)).status, 200);
    const del = await h.call('DELETE', `/api/v1/api-keys/${doomed.id}`, { token: admin });
    assert.ok(del.statusCode < 300, del.body);
    assert.equal((await get(doomed.key)).status, 401);
  });
});
