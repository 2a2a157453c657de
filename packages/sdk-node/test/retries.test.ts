import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { GatrixClient, GatrixConnectionError, GatrixError, GatrixTimeoutError } from '../src/index.ts';
import { freePort, startGatrix, testServer, type Gatrix, type TestServer } from './helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const problem = (status: number, code: string) => ({ type: `/docs/problems#${code}`, title: 'x', status, detail: code, code, requestId: 'r' });

/** Retry semantics only, against a scripted local server (no Gatrix needed). */
describe('retries, backoff, Retry-After and Idempotency-Key (scripted server)', () => {
  const servers: TestServer[] = [];
  const serve = async (answer: Parameters<typeof testServer>[0]) => {
    const s = await testServer(answer);
    servers.push(s);
    return { s, client: (o: Partial<ConstructorParameters<typeof GatrixClient>[0]> = {}) => new GatrixClient({ apiKey: 'k', baseURL: s.url, ...o }) };
  };
  after(async () => {
    for (const s of servers) await s.close();
  });

  it('503 with Retry-After: 1, then 201: waits a second and resends the POST with the same Idempotency-Key', async () => {
    const { s, client } = await serve((_r, n, res) => (n === 1 ? json(res, 503, problem(503, 'unavailable'), { 'retry-after': '1' }) : json(res, 201, { id: 7, username: 'u' })));
    const started = Date.now();
    const user = await client().users.create({ username: 'retry_me', email: 'r@example.com' });
    const waited = Date.now() - started;
    assert.deepEqual(user, { id: 7, username: 'u' });
    assert.equal(s.received.length, 2);
    const [first, second] = s.received.map((r) => r.headers['idempotency-key']);
    assert.match(String(first), UUID);
    assert.equal(second, first, 'the same key on the retry');
    assert.equal(s.received[1].raw.toString(), s.received[0].raw.toString(), 'the same body');
    assert.ok(waited >= 950, `Retry-After honoured (waited ${waited} ms)`);
    assert.equal(s.received[0].headers.authorization, 'Bearer k');
    assert.match(String(s.received[0].headers['user-agent']), /^gatrix-nodejs-sdk\/\d+\.\d+\.\d+ node\/v\d+/);
  });

  it('429 and 502/503/504 are retried (a GET carries no Idempotency-Key); a caller-given key is kept', async () => {
    const script = [429, 502, 504, 200];
    const { s, client } = await serve((_r, n, res) => (script[n - 1] === 200 ? json(res, 200, { ok: true }) : json(res, script[n - 1], problem(script[n - 1], 'busy'), { 'retry-after': '0' })));
    assert.deepEqual(await client({ maxRetries: 3 }).request('GET', '/api/v1/anything'), { ok: true });
    assert.equal(s.received.length, 4);
    assert.ok(s.received.every((r) => r.headers['idempotency-key'] === undefined));

    const { s: s2, client: c2 } = await serve((_r, n, res) => (n === 1 ? json(res, 503, problem(503, 'x')) : json(res, 201, { id: 1 })));
    await c2().worlds.create({ worldId: 'w', name: 'W' }, { idempotencyKey: 'my-key-1' });
    assert.deepEqual(s2.received.map((r) => r.headers['idempotency-key']), ['my-key-1', 'my-key-1']);
  });

  it('without Retry-After the wait grows exponentially, with jitter', async () => {
    const times: number[] = [];
    const { client } = await serve((_r, n, res) => {
      times.push(Date.now());
      return n < 3 ? json(res, 502, problem(502, 'bad_gateway')) : json(res, 200, {});
    });
    await client().request('GET', '/x');
    const [d1, d2] = [times[1] - times[0], times[2] - times[1]];
    assert.ok(d1 >= 240 && d1 < 1500, `first wait 250–500 ms, got ${d1}`);
    assert.ok(d2 >= 490 && d2 < 2500, `second wait 500–1000 ms, got ${d2}`);
  });

  it('a connection dropped before the answer is retried with the same key', async () => {
    const { s, client } = await serve((_r, n, res) => (n === 1 ? res.socket!.destroy() : json(res, 201, { id: 9 })));
    assert.deepEqual(await client().users.create({ username: 'drop', email: 'd@example.com' }), { id: 9 });
    assert.equal(s.received.length, 2);
    assert.equal(s.received[0].headers['idempotency-key'], s.received[1].headers['idempotency-key']);
  });

  it('gives up after maxRetries, with the last answer as the error', async () => {
    const { s, client } = await serve((_r, _n, res) => json(res, 503, problem(503, 'still_down'), { 'retry-after': '0' }));
    await assert.rejects(client({ maxRetries: 2 }).request('GET', '/x'), (err: GatrixError) => err.status === 503 && err.code === 'still_down');
    assert.equal(s.received.length, 3);
  });

  it('does not retry 500, 4xx, or a Retry-After longer than maxRetryAfter', async () => {
    for (const [status, headers] of [
      [500, {}],
      [400, {}],
      [404, {}],
      [429, { 'retry-after': '3600' }],
    ] as const) {
      const { s, client } = await serve((_r, _n, res) => json(res, status, problem(status, `s${status}`), headers));
      const err = await client().request('GET', '/x').then(
        () => assert.fail('succeeded'),
        (e: unknown) => e as GatrixError,
      );
      assert.equal(err.status, status);
      assert.equal(s.received.length, 1, `${status} is not retried`);
      if (status === 429) assert.equal(err.retryAfter, 3600);
    }
  });

  it('409 idempotency_in_progress (the first attempt still running) is retried', async () => {
    const { s, client } = await serve((_r, n, res) => (n === 1 ? json(res, 409, problem(409, 'idempotency_in_progress')) : json(res, 201, { id: 3 })));
    assert.deepEqual(await client().users.create({ username: 'slow', email: 's@example.com' }), { id: 3 });
    assert.equal(s.received.length, 2);
  });

  it('no answer within timeout → GatrixTimeoutError (each attempt has its own timeout)', async () => {
    const { s, client } = await serve(() => undefined);
    const started = Date.now();
    const err = await client({ timeout: 200, maxRetries: 0 }).request('GET', '/hang').then(
      () => assert.fail('succeeded'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof GatrixTimeoutError, String(err));
    assert.ok(err instanceof GatrixConnectionError && err instanceof GatrixError);
    assert.equal(err.timeout, 200);
    assert.equal(err.status, undefined);
    assert.ok(Date.now() - started < 5_000);
    assert.equal(s.received.length, 1);

    await assert.rejects(client({ timeout: 150, maxRetries: 1 }).request('GET', '/hang'), GatrixTimeoutError);
    assert.equal(s.received.length, 3, 'timed-out attempts are retried');
    await assert.rejects(client({ timeout: 60_000, maxRetries: 0 }).request('GET', '/hang', { options: { timeout: 100 } }), GatrixTimeoutError);
  });

  it("the caller's AbortSignal stops the call at once, without retrying", async () => {
    const { s, client } = await serve(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user gave up')), 100);
    await assert.rejects(client({ maxRetries: 3 }).request('GET', '/hang', { options: { signal: controller.signal } }), /user gave up/);
    assert.equal(s.received.length, 1);
  });

  it('a refused connection → GatrixConnectionError naming the cause, after the retries', async () => {
    const port = await freePort();
    const client = new GatrixClient({ apiKey: 'k', baseURL: `http://127.0.0.1:${port}`, maxRetries: 1 });
    const err = await client.users.list().then(
      () => assert.fail('succeeded'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof GatrixConnectionError && !(err instanceof GatrixTimeoutError), String(err));
    assert.equal(err.code, 'connection_error');
    assert.match(err.message, /ECONNREFUSED/);
    assert.ok(err.cause);
  });
});

describe('a create retried after its answer was lost creates once (real Gatrix)', () => {
  let g: Gatrix;
  before(async () => {
    g = await startGatrix();
  });
  after(() => g.close());

  it('the proxy drops the first answer; the SDK retries with the same key; Gatrix replays the first answer', async () => {
    const seen: { key: string | undefined; replayed: string | undefined }[] = [];
    let dropped = false;
    const upstream = new URL(g.baseUrl);
    // Forwards to Gatrix; the first create's answer is thrown away after Gatrix has committed it.
    const proxy = http.createServer((req, res) => {
      const forward = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          seen.push({ key: req.headers['idempotency-key'] as string | undefined, replayed: answer.headers['idempotent-replayed'] as string | undefined });
          if (req.method === 'POST' && !dropped) {
            dropped = true;
            res.socket!.destroy();
            return;
          }
          res.writeHead(answer.statusCode!, answer.headers);
          res.end(Buffer.concat(chunks));
        });
      });
      req.pipe(forward);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const client = new GatrixClient({ apiKey: g.adminKey, baseURL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
      const user = await client.users.create({ username: 'once_only', email: 'once@example.com' });
      assert.equal(user.username, 'once_only');
      assert.equal(seen.length, 2);
      assert.ok(seen[0].key && seen[0].key === seen[1].key, 'both attempts carried the same Idempotency-Key');
      assert.equal(seen[0].replayed, undefined);
      assert.equal(seen[1].replayed, 'true', 'Gatrix answered the retry from its idempotency record');

      const direct = new GatrixClient({ apiKey: g.adminKey, baseURL: g.baseUrl });
      const found = await direct.users.list({ q: 'once_only' });
      assert.equal(found.pagination.total, 1, 'one user, not two');
      assert.equal(found.data[0].id, user.id);
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });
});
