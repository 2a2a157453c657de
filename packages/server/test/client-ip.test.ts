/**
 * One client-IP rule (src/http/client-ip.ts) for every path: a table of TRUST_PROXY forms against peers and
 * X-Forwarded-For headers, then a real listening server where an HTTP route and the socket gateway's per-IP
 * handshake limit both use it.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { clientIpRule } from '../src/http/client-ip.ts';
import { startHarness, testConfig, type Harness } from './helpers.ts';

const request = (peer: string, xff?: string) => ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;

describe('client IP rule', () => {
  it('takes the address TRUST_PROXY says to believe', () => {
    const chain = '203.0.113.1, 198.51.100.2, 10.0.0.3';
    const cases: [string | undefined, string, string | undefined, string][] = [
      [undefined, '10.0.0.9', chain, '10.0.0.9'],
      ['true', '10.0.0.9', chain, '203.0.113.1'],
      ['1', '10.0.0.9', chain, '10.0.0.3'],
      ['2', '10.0.0.9', chain, '198.51.100.2'],
      ['9', '10.0.0.9', chain, '203.0.113.1'],
      ['1', '10.0.0.9', undefined, '10.0.0.9'],
      ['10.0.0.0/8', '10.0.0.9', chain, '198.51.100.2'],
      ['10.0.0.0/8', '192.0.2.50', chain, '192.0.2.50'], // an untrusted peer's header is ignored
    ];
    for (const [trustProxy, peer, xff, ip] of cases) {
      const config = testConfig(trustProxy ? { TRUST_PROXY: trustProxy } : {});
      rmSync(config.dataDir, { recursive: true, force: true });
      assert.equal(clientIpRule(config.trustProxy).ipOf(request(peer, xff)), ip, `TRUST_PROXY=${trustProxy} from ${peer} with ${xff}`);
    }
  });
});

describe('client IP on a listening server with TRUST_PROXY=1', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('sqlite', { listen: true, env: { TRUST_PROXY: '1', GATRIX_SOCKET_CONNECTIONS_PER_IP: '3' } });
  });
  after(() => h.close());

  it('an HTTP route sees the address one hop back, not the forged leftmost one', async () => {
    const r = await fetch(`${h.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '6.6.6.6, 198.51.100.7' },
      body: JSON.stringify({ username: 'admin', password: 'admin-password-1' }),
    });
    assert.equal(r.status, 200);
    const log = (await h.call('GET', '/api/v1/audit-logs?action=auth.login', { token: h.adminToken })).json<{ data: { ip: string | null }[] }>();
    assert.equal(log.data[0].ip, '198.51.100.7');
  });

  it('socket handshakes count per client IP whether or not they authenticate, and a forged header does not escape the count', async () => {
    const handshake = (forged: string, ip: string) =>
      fetch(`${h.baseUrl}/socket.io/?EIO=4&transport=polling`, { headers: { 'x-forwarded-for': `${forged}, ${ip}` } }).then(async (r) => (await r.text(), r.status));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push(await handshake(`6.6.6.${i}`, '198.51.100.8'));
    assert.deepEqual(statuses, [200, 200, 200, 403, 403]);
    assert.equal(await handshake('6.6.6.6', '198.51.100.9'), 200, 'another client IP has its own count');
  });
});
