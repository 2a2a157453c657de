/**
 * GatrixServerCache against a real Gatrix: the shared parity table (test/fixtures/parity-cases.json, also run by
 * the Python SDK's tests) through the server's HTTP answers and the cache's local answers, compared equal; the
 * cache following changes through the live stream; stale/fresh when Gatrix goes away; close() leaving nothing
 * open. `GATRIX_UPDATE_PARITY=1` rewrites the fixture's expected answers from the server.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GatrixServerCache } from '../src/index.ts';
import { PACKAGE_DIR, runNode, startGatrix, until, type Gatrix } from './helpers.ts';

const FIXTURE = path.join(PACKAGE_DIR, 'test', 'fixtures', 'parity-cases.json');
const UPDATE = process.env.GATRIX_UPDATE_PARITY === '1';

type Json = Record<string, unknown>;
type Caller = {
  accountId?: string;
  ip: string;
  lang?: string;
};
interface Parity {
  setup: { versions: Json[]; whitelist: Json[]; worlds: Json[]; maintenance: Json; notices: Json[] };
  snapshots: Record<'off' | 'on', Json>;
  resolution: { global: boolean; query: Json & Caller; expected: Json | null }[];
  callers: { global: boolean; caller: Caller; status: Json; worlds: Json[] }[];
  whitelist: { accountId?: string; ip?: string; expected: boolean }[];
  notices: { query: Record<string, string | undefined>; expected: Json[] }[];
}

const STATUSES = ['ONLINE', 'OFFLINE', 'MAINTENANCE', 'FORCED_UPDATE', 'RECOMMENDED_UPDATE', 'UNDER_REVIEW', 'BLOCKED_PATCH_ALLOWED'];
const CALLERS: Caller[] = [
  { ip: '192.0.2.1' },
  { ip: '192.0.2.1', accountId: 'qa-1' },
  { ip: '198.51.100.23' },
  { ip: '2001:db8:1::99' },
];
const PATCHES = [undefined, '1.0040', '1.0041', '1.100'];
const LANGS = ['ko', 'ko-KR', 'en-US', 'fr'];

/** The table's inputs: what is set up, and the questions. Expected answers come from the server. */
function parityInputs(): Omit<Parity, 'snapshots'> {
  const versions = STATUSES.map((status, i) => ({
    channel: 'PC',
    subChannel: 'Steam',
    version: `2.${i}`,
    status,
    gameServerAddress: 'game.example.com:7000',
    gameServerAddressForWhitelist: i % 2 === 0 ? 'qa-game.example.com:7000' : null,
    patchAddress: 'https://cdn.example.com/patch',
    patchAddressForWhitelist: i % 3 === 0 ? 'https://qa-cdn.example.com/patch' : null,
    minPatchVersion: i === 4 ? null : '1.0041',
    maintenanceMessage: i === 5 ? null : 'Version maintenance',
    maintenanceMessages: { ko: '버전 점검', en: 'Version maintenance (en)' },
  }));
  const whitelist = [
    { type: 'account', value: 'qa-1' },
    { type: 'account', value: 'qa-off', enabled: false },
    { type: 'account', value: 'qa-old', startsAt: '2020-01-01T00:00:00.000Z', endsAt: '2020-02-01T00:00:00.000Z' },
    { type: 'account', value: 'qa-later', startsAt: '2099-01-01T00:00:00.000Z' },
    { type: 'account', value: 'qa-now', startsAt: '2020-01-01T00:00:00.000Z', endsAt: '2099-01-01T00:00:00.000Z' },
    { type: 'ip', value: '203.0.113.7' },
    { type: 'ip', value: '198.51.100.0/24' },
    { type: 'ip', value: '2001:db8::1' },
    { type: 'ip', value: '2001:db8:1::/48' },
    { type: 'ip', value: '::ffff:192.0.2.128/121' },
    { type: 'ip', value: '10.9.0.0/16', enabled: false },
    { type: 'ip', value: '172.16.0.0/12', startsAt: '2099-01-01T00:00:00.000Z' },
    { type: 'ip', value: '100.64.0.0/10', startsAt: '2020-01-01T00:00:00.000Z', endsAt: '2020-02-01T00:00:00.000Z' },
  ];
  const worlds = [
    { worldId: 'w-open', name: 'Open' },
    { worldId: 'w-down', name: 'Down', maintenance: true, maintenanceMessage: 'World down', maintenanceMessages: { ko: '월드 점검', 'en-US': 'World down (en-US)' } },
    { worldId: 'w-hidden', name: 'Hidden', visible: false },
    { worldId: 'w-later', name: 'Later' },
  ];
  const notices = [
    { title: 'For everyone', body: 'Hello', translations: { ko: { title: '모두에게', body: '안녕' } } },
    { title: 'Steam only', body: 'Sale', priority: 5, channels: ['PC'], subChannels: ['Steam'], translations: { 'en-US': { title: 'Steam (en-US)', body: 'Sale (en-US)' } } },
    { title: 'New builds', body: 'Update', category: 'update', minVersion: '2.3', maxVersion: '2.5' },
    { title: 'World down soon', body: 'Down', category: 'maintenance', priority: 9, worldIds: ['w-down'] },
    { title: 'Past', body: 'Over', startsAt: '2020-01-01T00:00:00.000Z', endsAt: '2020-02-01T00:00:00.000Z' },
    { title: 'Future', body: 'Later', startsAt: '2099-01-01T00:00:00.000Z' },
    { title: 'Disabled', body: 'Off', enabled: false },
  ];
  const noticeCases: Parity['notices'] = [];
  for (const channel of [undefined, 'PC']) {
    for (const subChannel of [undefined, 'Steam', 'Epic']) {
      for (const worldId of [undefined, 'w-down']) {
        for (const version of [undefined, '2.2', '2.3', '2.10']) for (const lang of [undefined, 'ko-KR', 'en']) noticeCases.push({ query: { channel, subChannel, worldId, version, lang }, expected: [] });
      }
    }
  }
  const maintenance = { enabled: true, message: 'Global maintenance', messages: { ko: '전체 점검', 'en-US': 'Global maintenance (en-US)' } };

  const resolution: Parity['resolution'] = [];
  for (const global of [false, true]) {
    for (const caller of CALLERS) {
      for (const lang of LANGS) {
        for (const [i] of STATUSES.entries()) {
          for (const patchVersion of PATCHES) resolution.push({ global, query: { channel: 'PC', subChannel: 'Steam', version: `2.${i}`, patchVersion, ...caller, lang }, expected: null });
        }
        resolution.push({ global, query: { channel: 'PC', subChannel: 'Steam', version: 'latest', patchVersion: '1.100', ...caller, lang }, expected: null });
        resolution.push({ global, query: { channel: 'PC', subChannel: 'Steam', version: '9.9', ...caller, lang }, expected: null });
        resolution.push({ global, query: { channel: 'PC', subChannel: 'Nope', version: 'latest', ...caller, lang }, expected: null });
      }
    }
  }
  const callers: Parity['callers'] = [];
  for (const global of [false, true]) for (const caller of CALLERS) for (const lang of LANGS) callers.push({ global, caller: { ...caller, lang }, status: {}, worlds: [] });
  const ips = ['203.0.113.7', '203.0.113.8', '198.51.100.0', '198.51.100.255', '198.51.101.1', '::ffff:198.51.100.23', '::ffff:203.0.113.7', '2001:db8::1', '2001:DB8:0::1',
    '2001:db8::2', '2001:db8:1::', '2001:db8:1:ffff::1', '2001:db8:2::1', '192.0.2.130', '192.0.2.127', '::ffff:192.0.2.200', '10.9.1.1', '172.16.5.5', '100.64.1.1', '127.0.0.1', '::1'];
  const accounts = ['qa-1', 'QA-1', 'qa-off', 'qa-old', 'qa-later', 'qa-now', 'nobody'];
  const cases: Parity['whitelist'] = [
    ...ips.map((ip) => ({ ip, expected: false })),
    ...accounts.map((accountId) => ({ accountId, expected: false })),
    ...accounts.map((accountId, i) => ({ accountId, ip: ips[i], expected: false })),
  ];
  return { setup: { versions, whitelist, worlds, maintenance, notices }, resolution, callers, whitelist: cases, notices: noticeCases };
}

describe('GatrixServerCache', () => {
  let g: Gatrix;
  let serverKey: string;
  before(async () => {
    g = await startGatrix();
    serverKey = (await g.apiKey('server')).key;
  });
  after(() => g.close());

  const admin = (method: string, url: string, body?: unknown) => g.call(method, url, { token: g.adminKey, body });

  it('answers every case of the shared parity table exactly as the server does (HTTP), and as the table says', { timeout: 600_000 }, async () => {
    const inputs = parityInputs();
    const table: Parity = UPDATE ? { ...inputs, snapshots: { off: {}, on: {} } } : (JSON.parse(readFileSync(FIXTURE, 'utf8')) as Parity);
    assert.deepEqual(table.setup, inputs.setup, 'the fixture was made from these inputs (GATRIX_UPDATE_PARITY=1 remakes it)');
    assert.ok(table.resolution.length >= 770, `${table.resolution.length} resolution cases`);
    for (const body of inputs.setup.versions) assert.equal((await admin('POST', '/api/v1/client-versions', body)).statusCode, 201);
    for (const body of inputs.setup.whitelist) assert.equal((await admin('POST', '/api/v1/whitelist', body)).statusCode, 201);
    for (const body of inputs.setup.worlds) assert.equal((await admin('POST', '/api/v1/game-worlds', body)).statusCode, 201);
    for (const body of inputs.setup.notices) assert.equal((await admin('POST', '/api/v1/notices', body)).statusCode, 201);
    const later = (await admin('GET', '/api/v1/game-worlds?q=w-later')).json<{ data: { id: number }[] }>().data[0];
    const scheduled = { enabled: true, message: 'Later', startsAt: '2099-01-01T00:00:00.000Z', endsAt: '2099-01-02T00:00:00.000Z' };
    assert.equal((await admin('PUT', `/api/v1/game-worlds/${later.id}/maintenance`, scheduled)).statusCode, 200);

    const cache = new GatrixServerCache({ apiKey: serverKey, baseURL: g.baseUrl });
    await cache.ready();
    const client = (await g.apiKey('client')).key;
    const ask = (url: string, query: Caller & Record<string, unknown>) => {
      const { ip, ...rest } = query;
      const qs = new URLSearchParams(Object.entries(rest).filter(([, v]) => v !== undefined) as [string, string][]).toString();
      return g.app.inject({ method: 'GET', url: `${url}?${qs}`, headers: { 'x-api-key': client }, remoteAddress: ip });
    };

    for (const global of [false, true]) {
      assert.equal((await admin('PUT', '/api/v1/maintenance', global ? inputs.setup.maintenance : { enabled: false })).statusCode, 200);
      await until(() => cache.isMaintenanceActive() === global, `the cache sees global maintenance ${global ? 'start' : 'end'}`);
      const snapshot = (await admin('GET', '/api/v1/server/snapshot')).json<Json>();
      if (UPDATE) table.snapshots[global ? 'on' : 'off'] = snapshot;

      for (const c of table.resolution.filter((r) => r.global === global)) {
        const r = await ask('/api/v1/client/client-version', c.query);
        const server = r.statusCode === 404 ? null : r.json<Json>();
        assert.ok(r.statusCode === 200 || r.statusCode === 404, r.body);
        if (UPDATE) c.expected = server;
        const { ip, accountId, lang, channel, subChannel, version, patchVersion } = c.query as Caller & Record<string, string>;
        const local = cache.resolveClientVersion({ channel, subChannel, version, patchVersion, accountId, ip, lang });
        assert.deepEqual(server, c.expected, `server: ${JSON.stringify(c.query)} global=${global}`);
        assert.deepEqual(local, c.expected, `cache: ${JSON.stringify(c.query)} global=${global}`);
      }
      for (const c of table.callers.filter((r) => r.global === global)) {
        const status = (await ask('/api/v1/client/status', c.caller)).json<Json>();
        // `population` is a live figure of the world's instances, not part of the snapshot: the cache leaves it out.
        const worlds = (await ask('/api/v1/client/game-worlds', c.caller)).json<{ data: Json[] }>().data.map(({ population: _population, ...w }) => w);
        if (UPDATE) Object.assign(c, { status, worlds });
        assert.deepEqual([status, worlds], [c.status, c.worlds], `server: ${JSON.stringify(c.caller)} global=${global}`);
        assert.deepEqual([cache.status(c.caller), cache.worlds(c.caller)], [c.status, c.worlds], `cache: ${JSON.stringify(c.caller)} global=${global}`);
        const down = cache.maintenanceFor({ ...c.caller, worldId: 'w-down' });
        assert.equal(down.active, global ? status.maintenance : (worlds.find((w) => w.worldId === 'w-down')!.maintenance as boolean));
        assert.equal(down.message, global ? status.message : worlds.find((w) => w.worldId === 'w-down')!.maintenanceMessage);
        assert.equal(cache.maintenanceFor({ ...c.caller, worldId: 'w-later' }).scope, global ? 'global' : null, 'a window that has not started is not in effect');
      }
    }
    for (const c of table.whitelist) {
      const r = await admin('POST', '/api/v1/whitelist/test', { accountId: c.accountId, ip: c.ip ?? '192.0.2.1' });
      assert.equal(r.statusCode, 200, r.body);
      const allowed = r.json<{ allowed: boolean }>().allowed;
      if (UPDATE) c.expected = allowed;
      assert.equal(allowed, c.expected, `server: ${JSON.stringify(c)}`);
      assert.equal(cache.isWhitelisted({ accountId: c.accountId, ip: c.ip ?? '192.0.2.1' }), c.expected, `cache: ${JSON.stringify(c)}`);
    }
    assert.ok(table.whitelist.some((c) => c.expected) && table.whitelist.some((c) => !c.expected));
    for (const c of table.notices) {
      const server = (await ask('/api/v1/client/notices', { ...c.query, ip: '192.0.2.1' })).json<{ data: Json[] }>().data;
      if (UPDATE) c.expected = server;
      // updatedAt is the time each notice was written in this run; the table holds it from the run that made it.
      const stamped = (list: Json[]) => list.map(({ updatedAt: _updatedAt, ...n }) => n);
      assert.deepEqual(stamped(server), stamped(c.expected), `server: notices ${JSON.stringify(c.query)}`);
      assert.deepEqual(cache.notices(c.query), server, `cache: notices ${JSON.stringify(c.query)}`);
    }
    assert.ok(new Set(table.notices.map((c) => c.expected.length)).size > 2, 'the notice cases get different answers');
    if (UPDATE) writeFileSync(FIXTURE, `${JSON.stringify(table, null, 1)}\n`);
    assert.equal((await admin('PUT', '/api/v1/maintenance', { enabled: false })).statusCode, 200);
    await cache.close();
  });

  it('follows changes through the live stream, without a request per answer', async () => {
    const cache = new GatrixServerCache({ apiKey: serverKey, baseURL: g.baseUrl, revalidateMs: 600_000 });
    await cache.ready();
    assert.equal(cache.isWhitelisted({ ip: '233.252.0.9' }), false, 'not yet (and the matcher is built)');
    const created = await admin('POST', '/api/v1/whitelist', { type: 'ip', value: '233.252.0.0/24' });
    await until(() => cache.isWhitelisted({ ip: '233.252.0.9' }), 'the new entry reaches the cache (layered over the built matcher)');
    const account = await admin('POST', '/api/v1/whitelist', { type: 'account', value: 'qa-live' });
    assert.equal(account.statusCode, 201, account.body);
    await until(() => cache.isWhitelisted({ accountId: 'qa-live' }), 'a second new entry is layered too');
    assert.equal(cache.isWhitelisted({ ip: '233.252.0.9' }), true, 'the first is still there');
    await admin('DELETE', `/api/v1/whitelist/${account.json<{ id: number }>().id}`);
    await until(() => !cache.isWhitelisted({ accountId: 'qa-live' }), 'a deleted entry leaves the cache');
    await admin('PATCH', `/api/v1/whitelist/${created.json<{ id: number }>().id}`, { enabled: false });
    await until(() => !cache.isWhitelisted({ ip: '233.252.0.9' }), 'the disabled entry leaves the cache');
    const w = (await admin('POST', '/api/v1/game-worlds', { worldId: 'w-live', name: 'Live' })).json<{ id: number }>();
    await admin('PUT', `/api/v1/game-worlds/${w.id}/maintenance`, { enabled: true, message: 'Live down' });
    await until(() => cache.isMaintenanceActive('w-live'), 'world maintenance reaches the cache');
    assert.equal(cache.maintenanceFor({ worldId: 'w-live', lang: 'ko' }).message, 'Live down');
    // A global window scheduled for later starts nothing, yet game clients are told of it: so is the cache.
    const startsAt = new Date(Date.now() + 3_600_000).toISOString();
    await admin('PUT', '/api/v1/maintenance', { enabled: true, message: 'Soon', startsAt, endsAt: new Date(Date.now() + 7_200_000).toISOString() });
    await until(() => cache.status({}).upcoming?.startsAt === startsAt, 'the scheduled global window reaches the cache');
    assert.equal(cache.isMaintenanceActive(), false);
    await admin('PUT', '/api/v1/maintenance', { enabled: false });
    await cache.close();
  });

  it('a removed or changed entry leaves the cache at once, and what still covers the caller keeps it in', async () => {
    const wide = (await admin('POST', '/api/v1/whitelist', { type: 'ip', value: '198.19.0.0/16' })).json<{ id: number }>();
    const narrow = (await admin('POST', '/api/v1/whitelist', { type: 'ip', value: '198.19.5.0/24' })).json<{ id: number }>();
    const tester = (await admin('POST', '/api/v1/whitelist', { type: 'account', value: 'qa-edit' })).json<{ id: number }>();
    const cache = new GatrixServerCache({ apiKey: serverKey, baseURL: g.baseUrl, revalidateMs: 600_000 });
    await cache.ready();
    assert.equal(cache.isWhitelisted({ ip: '198.19.5.1' }), true, 'the matcher is built with both networks');
    const applied = () => new Promise<void>((resolve) => cache.once('updated', () => resolve()));
    let next = applied();
    await admin('PATCH', `/api/v1/whitelist/${narrow.id}`, { enabled: false });
    await next;
    assert.equal(cache.isWhitelisted({ ip: '198.19.5.1' }), true, 'the /16 still covers an address of the removed /24');
    assert.equal(cache.isWhitelisted({ ip: '198.20.0.1' }), false);
    next = applied();
    await admin('PATCH', `/api/v1/whitelist/${tester.id}`, { value: 'qa-edited' });
    await next;
    assert.equal(cache.isWhitelisted({ accountId: 'qa-edit' }), false, 'the former value no longer matches');
    assert.equal(cache.isWhitelisted({ accountId: 'qa-edited' }), true, 'the new value does');
    next = applied();
    await admin('DELETE', `/api/v1/whitelist/${wide.id}`);
    await next;
    assert.equal(cache.isWhitelisted({ ip: '198.19.5.1' }), false, 'nothing covers it any more');
    assert.equal(cache.isWhitelisted({ ip: '198.19.200.1' }), false);
    next = applied();
    await admin('PATCH', `/api/v1/whitelist/${narrow.id}`, { enabled: true });
    await next;
    assert.equal(cache.isWhitelisted({ ip: '198.19.5.1' }), true, 're-enabled, it is back');
    await admin('DELETE', `/api/v1/whitelist/${narrow.id}`);
    await admin('DELETE', `/api/v1/whitelist/${tester.id}`);
    await cache.close();
  });

  it('evaluates windows against the clock at call time, with no event', async () => {
    let now = Date.parse('2099-01-01T00:00:00.000Z') - 1;
    const cache = new GatrixServerCache({ apiKey: serverKey, baseURL: g.baseUrl, now: () => now });
    await cache.ready();
    assert.equal(cache.maintenanceFor({ worldId: 'w-later' }).scope, null);
    assert.equal(cache.isWhitelisted({ accountId: 'qa-later' }), false);
    now += 1;
    assert.equal(cache.maintenanceFor({ worldId: 'w-later' }).scope, 'world', 'the window starts at its startsAt');
    assert.equal(cache.isWhitelisted({ accountId: 'qa-later' }), true);
    now = Date.parse('2099-01-02T00:00:00.000Z');
    assert.equal(cache.maintenanceFor({ worldId: 'w-later' }).scope, null, 'and ends at its endsAt');
    await cache.close();
  });

  it('serves the last good snapshot, stale, while Gatrix is unreachable, then fresh again', async () => {
    let down = false;
    const cache = new GatrixServerCache({
      apiKey: serverKey,
      baseURL: g.baseUrl,
      realtime: false,
      pollMs: 20,
      maxPollMs: 100,
      fetch: (input, init) => (down ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init)),
    });
    await cache.ready();
    const seen: string[] = [];
    cache.on('stale', () => seen.push('stale'));
    cache.on('fresh', () => seen.push('fresh'));
    down = true;
    await until(() => cache.stale, 'the cache notices Gatrix is gone');
    assert.equal(cache.isWhitelisted({ accountId: 'qa-1' }), true, 'the last good snapshot still answers');
    down = false;
    await until(() => !cache.stale, 'the cache notices Gatrix is back');
    assert.deepEqual(seen, ['stale', 'fresh']);
    await cache.close();
  });

  it('close() leaves nothing open: a process using the cache exits by itself', async () => {
    const script = [
      `import { GatrixServerCache } from ${JSON.stringify(path.join(PACKAGE_DIR, 'src', 'index.ts'))};`,
      `const cache = new GatrixServerCache({ apiKey: ${JSON.stringify(serverKey)}, baseURL: ${JSON.stringify(g.baseUrl)} });`,
      'await cache.ready();',
      'await cache.close();',
      "console.log('closed');",
    ].join('\n');
    const child = runNode(['--import', 'tsx', '--input-type=module', '-e', script]);
    const code = await child.exited;
    assert.equal(code, 0, child.stderr());
    assert.match(child.stdout(), /closed/);
  });
});
