/**
 * The webhook sender thread: attempts are signed and POSTed from a worker thread (not the node's event loop), with
 * the SSRF guard applied there too; a thread that dies fails the attempts it held (they are retried like any failed
 * attempt) and the next attempt starts a new thread; an idle thread is stopped and started again on demand.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { threadId } from 'node:worker_threads';
import pino from 'pino';
import { systemClock } from '../src/core/clock.ts';
import type { Claimed } from '../src/modules/webhooks/delivery-store.ts';
import type { Prepared } from '../src/modules/webhooks/endpoint-cache.ts';
import { createSender } from '../src/modules/webhooks/sender.ts';
import { testConfig, until } from './helpers.ts';

const SECRET = 'whsec_dGVzdC1zZWNyZXQtdGVzdC1zZWNyZXQ=';

describe('webhook sender thread', () => {
  let server: http.Server;
  let port: number;
  /** Requests the receiver got; those to /hold are left unanswered until the test lets them go. */
  const received: { url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const held: http.ServerResponse[] = [];
  let connections = 0;

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ url: req.url!, headers: req.headers, body });
        if (req.url === '/hold') held.push(res);
        else res.writeHead(200, { 'content-type': 'application/json', 'x-receiver': 'yes' }).end('{"ok":true}');
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  let n = 0;
  const delivery = (): Claimed => ({ id: ++n, webhookId: 1, eventId: `evt_thread_${n}`, eventType: 'world.updated', payload: `{"n":${n}}`, attempts: 0, eventCreatedAt: new Date().toISOString() });
  const endpoint: Prepared = {
    url: '',
    headers: { authorization: 'Bearer partner-token', 'content-type': 'application/json' },
    shownHeaders: { authorization: 'Bear…', 'content-type': 'application/json' },
    secret: SECRET,
  };
  const newSender = (allowPrivateNetworks: boolean, threadIdleMs?: number) =>
    createSender({ config: testConfig().webhooks, ssrf: { allowPrivateNetworks }, clock: systemClock, log: pino({ level: 'silent' }), threadIdleMs });

  it('signs and posts from a worker thread; the attempt keeps the headers without their signatures', { timeout: 60_000 }, async () => {
    const sender = newSender(true);
    try {
      const d = delivery();
      const r = await sender.send(d, endpoint, new URL(`http://127.0.0.1:${port}/ok`), Date.now());
      assert.ok(sender.thread, 'a sender thread runs');
      assert.notEqual(sender.thread.threadId, threadId);
      assert.equal(r.status, 200);
      assert.equal(r.body, '{"ok":true}');
      assert.equal(r.headers?.['x-receiver'], 'yes');
      assert.equal(r.error, null);
      const got = received.at(-1)!;
      assert.equal(got.body, d.payload);
      assert.equal(got.headers.authorization, 'Bearer partner-token');
      assert.equal(got.headers['x-gatrix-signature'], createHmac('sha256', SECRET).update(d.payload).digest('hex'));
      assert.equal(got.headers['webhook-id'], d.eventId);
      assert.deepEqual(Object.keys(r.requestHeaders).sort(), ['authorization', 'content-type', 'webhook-id', 'webhook-timestamp', 'x-gatrix-delivery', 'x-gatrix-event']);
      assert.equal(r.requestHeaders.authorization, 'Bear…', 'the endpoint header is kept masked');
    } finally {
      sender.close();
    }
  });

  it('refuses a private address at connect time inside the thread', { timeout: 60_000 }, async () => {
    const sender = newSender(false);
    try {
      const before = connections;
      const r = await sender.send(delivery(), endpoint, new URL(`http://localhost:${port}/ssrf`), Date.now());
      assert.equal(r.status, null);
      assert.match(r.error ?? '', /private|internal|loopback|not allowed|forbidden/i);
      assert.equal(connections, before, 'no connection was made');
    } finally {
      sender.close();
    }
  });

  it('a thread that dies fails the attempts it held; the next attempt starts a new thread', { timeout: 60_000 }, async () => {
    const sender = newSender(true);
    try {
      const heldBefore = held.length;
      const pending = sender.send(delivery(), endpoint, new URL(`http://127.0.0.1:${port}/hold`), Date.now());
      await until(() => held.length > heldBefore, 'the receiver holds the request');
      const first = sender.thread!;
      await first.terminate();
      const r = await pending;
      assert.equal(r.status, null);
      assert.equal(r.error, 'the webhook sender thread stopped');
      const again = await sender.send(delivery(), endpoint, new URL(`http://127.0.0.1:${port}/ok`), Date.now());
      assert.equal(again.status, 200);
      assert.ok(sender.thread && sender.thread !== first, 'a new thread took over');
    } finally {
      for (const res of held.splice(0)) res.destroy();
      sender.close();
    }
  });

  it('an idle thread is stopped, and started again by the next attempt', { timeout: 60_000 }, async () => {
    const sender = newSender(true, 50);
    try {
      assert.equal((await sender.send(delivery(), endpoint, new URL(`http://127.0.0.1:${port}/ok`), Date.now())).status, 200);
      const first = sender.thread!;
      const exited = new Promise((r) => first.once('exit', r));
      await exited;
      assert.equal(sender.thread, undefined);
      assert.equal((await sender.send(delivery(), endpoint, new URL(`http://127.0.0.1:${port}/ok`), Date.now())).status, 200);
      assert.ok(sender.thread && sender.thread !== first);
    } finally {
      sender.close();
    }
  });
});
