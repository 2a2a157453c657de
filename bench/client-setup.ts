/**
 * The game-client benchmarks' shared setup (bench/client-version.ts, bench/pretenuring.ts): a Gatrix process
 * with 50 client versions, 200 whitelist entries and a client API key, all made through the HTTP API, and the
 * answer GET /api/v1/client/client-version gives it, checked.
 */
import path from 'node:path';
import { type Bench, type Child, BENCH_ADMIN, call, fmt, startGatrix } from './lib.ts';

export const ROUTE = '/api/v1/client/client-version';
export const QUERY = '?channel=PC&subChannel=Steam&version=1.0.7&patchVersion=1.0.7&lang=ko';
export const VERSIONS = 50;
export const WHITELIST = 200;

/** Whitelist values: account ids, IPv4 and IPv6 CIDRs and addresses, none covering 127.0.0.1 or ::1. */
function whitelistEntry(i: number): { type: 'account' | 'ip'; value: string; memo: string } {
  switch (i % 4) {
    case 0:
    case 1:
      return { type: 'account', value: `account-${100_000 + i}`, memo: `tester ${i}` };
    case 2:
      return i % 8 === 2
        ? { type: 'ip', value: `10.${i % 256}.${Math.floor(i / 4)}.0/24`, memo: `office ${i}` }
        : { type: 'ip', value: `198.51.100.${i % 250}`, memo: `qa host ${i}` };
    default:
      return i % 8 === 3
        ? { type: 'ip', value: `2001:db8:${i.toString(16)}::/48`, memo: `vpn ${i}` }
        : { type: 'ip', value: `2001:db8:ffff::${i.toString(16)}`, memo: `qa host v6 ${i}` };
  }
}

interface Setup {
  clientKey: string;
  ms: number;
}

async function setUp(base: string): Promise<Setup> {
  const started = performance.now();
  const login = (await call(base, 'POST', '/api/v1/auth/login', {}, { username: BENCH_ADMIN.username, password: BENCH_ADMIN.password })) as {
    accessToken: string;
  };
  const adminKey = (await call(base, 'POST', '/api/v1/api-keys', { authorization: `Bearer ${login.accessToken}` }, {
    name: 'bench-admin-key',
    type: 'admin',
  })) as { key: string };
  const admin = { 'x-api-key': adminKey.key };

  for (let i = 0; i < VERSIONS; i++) {
    await call(base, 'POST', '/api/v1/client-versions', admin, {
      channel: 'PC',
      subChannel: 'Steam',
      version: `1.0.${i}`,
      status: i < 5 ? 'FORCED_UPDATE' : i === VERSIONS - 1 ? 'UNDER_REVIEW' : 'ONLINE',
      gameServerAddress: `game-${i % 4}.example.com:7777`,
      gameServerAddressForWhitelist: `game-qa.example.com:7777`,
      patchAddress: `https://patch.example.com/pc/steam/1.0.${i}/`,
      ...(i % 3 === 1 ? { minPatchVersion: `1.0.${Math.max(0, i - 2)}` } : {}),
      guestModeAllowed: i % 2 === 0,
      externalClickLink: 'https://store.steampowered.com/app/000000',
      customPayload: { build: 1000 + i, features: ['chat', 'guild'], region: 'global' },
      maintenanceMessage: 'Servers are under maintenance.',
      maintenanceMessages: { ko: '서버 점검 중입니다.', en: 'Servers are under maintenance.', ja: 'メンテナンス中です。' },
      memo: `bench version ${i}`,
    });
  }
  for (let i = 0; i < WHITELIST; i++) await call(base, 'POST', '/api/v1/whitelist', admin, whitelistEntry(i));
  const clientKey = (await call(base, 'POST', '/api/v1/api-keys', admin, { name: 'bench-client-key', type: 'client' })) as { key: string };
  return { clientKey: clientKey.key, ms: performance.now() - started };
}

export interface ClientTarget {
  child: Child;
  base: string;
  /** The client API key's header. */
  headers: Record<string, string>;
  /** The answer, the same on every request. */
  body: string;
}

/**
 * Starts Gatrix on `<bench.tempDir>/<name>` (startGatrix's `env` and options), sets it up through the API and
 * checks its answer: 1.0.7 ONLINE, not the whitelisted address, the same twice. The child is in
 * `bench.children` from its start, so it is stopped at the end even when the set-up fails.
 */
export async function startClientGatrix(
  bench: Bench,
  name: string,
  env: Record<string, string> = {},
  options: Parameters<typeof startGatrix>[3] = {},
): Promise<ClientTarget> {
  const { child, base } = await startGatrix(name, path.join(bench.tempDir, name), env, options);
  bench.children.push(child);
  const setup = await setUp(base);
  const headers = { 'x-api-key': setup.clientKey };
  process.stdout.write(`  ${name}: set up ${VERSIONS} versions, ${WHITELIST} whitelist entries and the keys through the API in ${fmt(setup.ms / 1000, 1)} s\n`);
  const first = await fetch(`${base}${ROUTE}${QUERY}`, { headers });
  const body = await first.text();
  if (first.status !== 200) throw new Error(`GET ${ROUTE}${QUERY} answered ${first.status}: ${body}`);
  const parsed = JSON.parse(body) as { version: string; status: string; message: string | null; gameServerAddress: string };
  if (parsed.version !== '1.0.7' || parsed.status !== 'ONLINE' || parsed.gameServerAddress === 'game-qa.example.com:7777') {
    throw new Error(`unexpected answer (expected 1.0.7 ONLINE, not whitelisted): ${body}`);
  }
  const again = await fetch(`${base}${ROUTE}${QUERY}`, { headers });
  if (again.status !== 200 || (await again.text()) !== body) throw new Error('a second request answered a different body');
  process.stdout.write(`  ${name} pid ${child.proc.pid} on ${base}; response ${fmt(Buffer.byteLength(body))} bytes\n`);
  return { child, base, headers, body };
}
