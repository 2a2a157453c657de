/** Client options, URLs and query strings, and the webhook middleware's limits: no Gatrix needed. */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { GatrixClient, webhookMiddleware, type GatrixError } from '../src/index.ts';
import { parseRetryAfter } from '../src/core.ts';
import { testServer } from './helpers.ts';

describe('client options', () => {
  it('refuses both apiKey and accessToken, a bad baseURL, a bad timeout', () => {
    assert.throws(() => new GatrixClient({ apiKey: 'a', accessToken: 'b' }), /either apiKey or accessToken/);
    assert.throws(() => new GatrixClient({ apiKey: 'a', baseURL: 'api.gatrix.com' }), /absolute http\(s\) URL/);
    assert.throws(() => new GatrixClient({ apiKey: 'a', baseURL: 'ftp://api.gatrix.com' }), /http or https/);
    assert.throws(() => new GatrixClient({ apiKey: 'a', timeout: 0 }), /timeout must be a positive number/);
    assert.throws(() => new GatrixClient({ apiKey: 'a', maxRetries: -1 }), /maxRetries/);
  });

  // The seed: the integration guide's Node.js SDK sample (docs/integration-guide.md).
  it('baseURL: the host as the seed gives it, with or without a trailing slash or /api/v1', () => {
    for (const given of ['https://api.gatrix.com', 'https://api.gatrix.com/', 'https://api.gatrix.com/api/v1', 'https://api.gatrix.com/api/v1/']) {
      assert.equal(new GatrixClient({ apiKey: 'a', baseURL: given }).baseURL, 'https://api.gatrix.com');
    }
    assert.equal(new GatrixClient({ apiKey: 'a', baseURL: 'http://10.0.0.5:3000/gatrix/' }).baseURL, 'http://10.0.0.5:3000/gatrix');
  });

  it('sends query parameters as the API reads them: skips undefined and null, dates as ISO, lists repeated', async () => {
    const s = await testServer((_r, _n, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data":[],"pagination":{"page":1,"limit":50,"total":0,"totalPages":0}}');
    });
    try {
      const client = new GatrixClient({ apiKey: 'k', baseURL: `${s.url}/base/` });
      await client.users.list({ page: 2, role: 'player', q: undefined });
      await client.request('GET', '/api/v1/x', { query: { from: new Date('2026-01-01T00:00:00Z'), none: null, tag: ['a', 'b'], on: true } });
      assert.equal(s.received[0].url, '/base/api/v1/users?page=2&role=player');
      assert.equal(s.received[1].url, '/base/api/v1/x?from=2026-01-01T00%3A00%3A00.000Z&tag=a&tag=b&on=true');
      assert.equal(s.received[0].headers['idempotency-key'], undefined);
    } finally {
      await s.close();
    }
  });

  it('a 2xx answer that is not JSON (a proxy page) is a GatrixError invalid_response', async () => {
    const s = await testServer((_r, _n, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>captive portal</html>');
    });
    try {
      await assert.rejects(new GatrixClient({ apiKey: 'k', baseURL: s.url }).users.list(), (err: GatrixError) => err.code === 'invalid_response' && err.status === 200);
    } finally {
      await s.close();
    }
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('3'), 3);
    assert.equal(parseRetryAfter('0.5'), 0.5);
    const fromDate = parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', Date.parse('2026-01-01T00:00:00Z'));
    assert.equal(fromDate, 10);
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
});

describe('webhookMiddleware without a framework', () => {
  it('answers 413 past its limit and 401 without signature headers, on plain node:http', async () => {
    const mw = webhookMiddleware('secret-secret', { limit: 16 });
    const server = http.createServer((req, res) => mw(req, res, () => res.end('next')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const big = await fetch(url, { method: 'POST', body: 'x'.repeat(17) });
      assert.equal(big.status, 413);
      const unsigned = await fetch(url, { method: 'POST', body: '{}' });
      assert.equal(unsigned.status, 401);
      assert.deepEqual(await unsigned.json(), { error: 'Invalid signature', reason: 'missing_headers' });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
