/**
 * One client-IP rule (src/http/client-ip.ts) for every path: a table of TRUST_PROXY forms against peers and
 * X-Forwarded-For headers (the rule itself and Fastify's request.ip given its `trust`), then a real listening
 * server where an HTTP route, the game-client fast path and the socket gateway's per-IP handshake limit all use it.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { clientIpRule, TRUST_MEMO_SIZE } from '../src/http/client-ip.ts';
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

  it('a list keeps deciding by the address after a flood of distinct addresses has emptied its memory', () => {
    const config = testConfig({ TRUST_PROXY: '10.0.0.0/8' });
    rmSync(config.dataDir, { recursive: true, force: true });
    const { ipOf } = clientIpRule(config.trustProxy);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3 * TRUST_MEMO_SIZE; i++) {
        const peer = i % 2 === 0 ? `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}` : `192.0.${(i >> 8) & 255}.${i & 255}`;
        // A trusted peer passes the caller's address on; an untrusted one is the caller.
        assert.equal(ipOf(request(peer, '203.0.113.7')), i % 2 === 0 ? '203.0.113.7' : peer, `${peer}, round ${round}`);
      }
    }
  });

  it("Fastify's request.ip, given the rule's trust, is the address the fast path and the socket gateway take", async () => {
    const chain = '203.0.113.1, 198.51.100.2, 10.0.0.3';
    for (const trustProxy of [undefined, 'true', '1', '2', '9', '10.0.0.0/8']) {
      const config = testConfig(trustProxy ? { TRUST_PROXY: trustProxy } : {});
      rmSync(config.dataDir, { recursive: true, force: true });
      const rule = clientIpRule(config.trustProxy);
      const app = Fastify({ trustProxy: rule.trust });
      app.get('/ip', (req) => ({ ip: req.ip }));
      try {
        for (const [peer, xff] of [['10.0.0.9', chain], ['10.0.0.9', undefined], ['192.0.2.50', chain], ['10.0.0.9', '2001:db8::7, 10.1.2.3']] as const) {
          const r = await app.inject({ method: 'GET', url: '/ip', remoteAddress: peer, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } });
          assert.equal(r.json<{ ip: string }>().ip, rule.ipOf(request(peer, xff)), `TRUST_PROXY=${trustProxy} from ${peer} with ${xff}`);
        }
      } finally {
        await app.close();
      }
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

  it('the game-client fast path and the Fastify route see the same client IP: one hop back', async () => {
    const admin = { token: h.adminToken };
    assert.equal((await h.call('POST', '/api/v1/whitelist', { ...admin, body: { type: 'ip', value: '198.51.100.10' } })).statusCode, 201);
    assert.equal((await h.call('PUT', '/api/v1/maintenance', { ...admin, body: { enabled: true, message: 'Global maintenance' } })).statusCode, 200);
    try {
      const key = { 'x-api-key': (await h.apiKey('client')).key };
      const url = '/api/v1/client/status';
      const maintenance = async (xff: string) => {
        const headers = { ...key, 'x-forwarded-for': xff };
        await fetch(`${h.baseUrl}${url}`, { headers }); // warms the credential cache and the snapshot
        const before = h.fastPath!.answered;
        const fast = (await (await fetch(`${h.baseUrl}${url}`, { headers })).json()) as { maintenance: boolean };
        assert.equal(h.fastPath!.answered - before, 1, `the fast path answered with ${xff}`);
        const viaFastify = (await h.app.inject({ method: 'GET', url, headers, remoteAddress: '127.0.0.1' })).json<{ maintenance: boolean }>();
        assert.equal(fast.maintenance, viaFastify.maintenance, `the same answer on both paths with ${xff}`);
        return fast.maintenance;
      };
      assert.equal(await maintenance('6.6.6.6, 198.51.100.10'), false, 'the whitelisted address one hop back passes through');
      assert.equal(await maintenance('198.51.100.10, 6.6.6.6'), true, 'a forged leftmost address does not');
    } finally {
      assert.equal((await h.call('PUT', '/api/v1/maintenance', { ...admin, body: { enabled: false } })).statusCode, 200);
    }
  });
});
