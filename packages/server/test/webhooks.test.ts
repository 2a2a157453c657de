import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { secretBox } from '../src/core/secret-box.ts';
import { standardSignature } from '../src/modules/webhooks/signer.ts';
import { eachDatabase, startHarness, TestClock, WAIT_MS, type Harness } from './helpers.ts';

const require = createRequire(import.meta.url);
const { WebhookHandler } = require('./fixtures/seed-webhook-receiver.cjs') as {
  WebhookHandler: new (secret: string) => { secret: string; app: { listen(port: number, host: string, cb: () => void): http.Server } } & Record<`handle${string}`, (data: unknown) => void>;
};

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A receiver on loopback whose answers the test decides; records every request. */
async function receiver(answer: (r: Received, n: number) => { status: number; headers?: Record<string, string>; hang?: boolean } = () => ({ status: 200 })) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      const a = answer(r, received.length);
      if (a.hang) return;
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(JSON.stringify({ ok: a.status < 300 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = WAIT_MS): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

eachDatabase('webhooks', (kind) => {
  let h: Harness;
  let admin: string;
  const clock = new TestClock();
  before(async () => {
    h = await startHarness(kind, { clock, env: { GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', GATRIX_WEBHOOK_RETRY_SCHEDULE: '10,60,600', GATRIX_WEBHOOK_TIMEOUT_MS: '3000' } });
    admin = (await h.apiKey('admin')).key;
    h.services.worker.start(50);
  });
  after(() => h.close());

  // The seed: the integration guide's webhook registration and Express receiver (docs/integration-guide.md).
  it("the seed's registration and its Express receiver: user events arrive signed as the receiver checks them", async () => {
    const seed = new WebhookHandler('your-webhook-secret');
    const seen: { kind: string; data: unknown }[] = [];
    for (const m of ['handleUserCreated', 'handleUserUpdated', 'handleUserDeleted', 'handleWorldMaintenanceStarted', 'handleWorldMaintenanceEnded'] as const) {
      seed[m] = (data: unknown) => seen.push({ kind: m, data });
    }
    const server = await new Promise<http.Server>((r) => {
      const s = seed.app.listen(0, '127.0.0.1', () => r(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const users = await h.call('POST', '/api/v1/webhooks', {
        token: admin,
        body: { url: `${base}/webhook/users`, events: ['user.created', 'user.updated', 'user.deleted'], secret: 'your-webhook-secret', active: true },
      });
      assert.equal(users.statusCode, 201, users.body);
      assert.equal(users.json().secret, 'your-webhook-secret');
      const worlds = await h.call('POST', '/api/v1/webhooks', {
        token: admin,
        body: { url: `${base}/webhook/worlds`, events: ['world.maintenance_started', 'world.maintenance_ended'], secret: 'your-webhook-secret', active: true },
      });
      assert.equal(worlds.statusCode, 201);

      const u = (await h.call('POST', '/api/v1/users', { token: admin, body: { username: 'hooked', email: 'hooked@example.com' } })).json();
      await h.call('PUT', `/api/v1/users/${u.id}`, { token: admin, body: { status: 'pending' } });
      await h.call('DELETE', `/api/v1/users/${u.id}`, { token: admin });
      const w = (await h.call('POST', '/api/v1/game-worlds', { token: admin, body: { worldId: 'hookworld', name: 'H' } })).json();
      await h.call('PUT', `/api/v1/game-worlds/${w.id}/maintenance`, { token: admin, body: { enabled: true, message: '점검' } });
      await h.call('PUT', `/api/v1/game-worlds/${w.id}/maintenance`, { token: admin, body: { enabled: false } });

      await until(() => seen.length === 5, 'five seed handler calls');
      // Deliveries run in parallel, so they may arrive in any order (each carries its timestamp).
      const byKind = Object.fromEntries(seen.map((s) => [s.kind, s.data])) as Record<string, Record<string, unknown>>;
      assert.deepEqual(Object.keys(byKind).sort(), ['handleUserCreated', 'handleUserDeleted', 'handleUserUpdated', 'handleWorldMaintenanceEnded', 'handleWorldMaintenanceStarted']);
      assert.equal(byKind.handleUserCreated.userId, u.id);
      assert.equal((byKind.handleUserCreated.user as { username: string }).username, 'hooked');
      assert.equal((byKind.handleUserUpdated.changes as { status: { to: string } }).status.to, 'pending');
      assert.equal(byKind.handleUserDeleted.userId, u.id);
      assert.equal(byKind.handleWorldMaintenanceStarted.worldId, 'hookworld');
      assert.equal(byKind.handleWorldMaintenanceStarted.message, '점검');
      assert.equal(byKind.handleWorldMaintenanceEnded.worldId, 'hookworld');
      // The receiver answers before the worker records the answer: wait for the records.
      const deliveries = async () => (await h.call('GET', `/api/v1/webhooks/${users.json().id}/deliveries`, { token: admin })).json();
      await until(async () => (await deliveries()).data.every((d: { status: string }) => d.status !== 'delivering'), 'the deliveries recorded');
      const list = await deliveries();
      assert.equal(list.pagination.total, 3);
      assert.ok(list.data.every((d: { status: string; attempts: number }) => d.status === 'delivered' && d.attempts === 1));
      // The list by status: delivered ones are counted as all less the undelivered ones, in one statement.
      const byStatus = async (status: string) => (await h.call('GET', `/api/v1/webhooks/${users.json().id}/deliveries?status=${status}`, { token: admin })).json();
      const delivered = await byStatus('delivered');
      assert.deepEqual([delivered.pagination.total, delivered.data.length], [3, 3]);
      assert.deepEqual([(await byStatus('pending')).pagination.total, (await byStatus('failed')).pagination.total], [0, 0]);
    } finally {
      server.closeAllConnections();
      server.close();
      for (const hook of (await h.call('GET', '/api/v1/webhooks?limit=100', { token: admin })).json().data) await h.call('DELETE', `/api/v1/webhooks/${hook.id}`, { token: admin });
    }
  });

  it('standardwebhooks and svix verify every delivery, also while a rotated secret overlaps', async () => {
    const r = await receiver();
    try {
      const created = (await h.call('POST', '/api/v1/webhooks', { token: admin, body: { url: `${r.url}/hook`, events: ['user.*'] } })).json();
      assert.match(created.secret, /^whsec_[A-Za-z0-9+/]{32}$/);
      const verifyAll = (secret: string, msg: Received) => {
        const headers = { 'webhook-id': String(msg.headers['webhook-id']), 'webhook-timestamp': String(msg.headers['webhook-timestamp']), 'webhook-signature': String(msg.headers['webhook-signature']) };
        new StandardWebhook(secret).verify(msg.body, headers);
        new SvixWebhook(secret).verify(msg.body, { 'svix-id': headers['webhook-id'], 'svix-timestamp': headers['webhook-timestamp'], 'svix-signature': headers['webhook-signature'] });
      };
      await h.call('POST', '/api/v1/users', { token: admin, body: { username: 'sw1', email: 'sw1@example.com' } });
      await until(() => r.received.length === 1, 'first delivery');
      verifyAll(created.secret, r.received[0]);
      const env = JSON.parse(r.received[0].body);
      assert.equal(r.received[0].headers['webhook-id'], env.id);
      assert.equal(r.received[0].headers['x-gatrix-event'], 'user.created');
      assert.equal(r.received[0].headers['content-type'], 'application/json');
      assert.match(String(r.received[0].headers['user-agent']), /^Gatrix-Webhooks\//);
      assert.deepEqual(Object.keys(env), ['id', 'event', 'timestamp', 'data']);

      const rotated = (await h.call('POST', `/api/v1/webhooks/${created.id}/rotate-secret`, { token: admin })).json();
      assert.notEqual(rotated.secret, created.secret);
      assert.ok(rotated.secretRotationEndsAt);
      await h.call('POST', '/api/v1/users', { token: admin, body: { username: 'sw2', email: 'sw2@example.com' } });
      await until(() => r.received.length === 2, 'second delivery');
      verifyAll(rotated.secret, r.received[1]);
      verifyAll(created.secret, r.received[1]);
      assert.throws(() => new StandardWebhook('whsec_' + Buffer.alloc(24, 9).toString('base64')).verify(r.received[1].body, {
        'webhook-id': String(r.received[1].headers['webhook-id']), 'webhook-timestamp': String(r.received[1].headers['webhook-timestamp']), 'webhook-signature': String(r.received[1].headers['webhook-signature']),
      }));
      const raw = await h.db.db.selectFrom('webhooks').select(['secret_enc', 'previous_secret_enc']).where('id', '=', created.id).executeTakeFirstOrThrow();
      assert.ok(!JSON.stringify(raw).includes(rotated.secret.slice(6)) && !JSON.stringify(raw).includes(created.secret.slice(6)), 'secrets are encrypted at rest');
      const shown = (await h.call('GET', `/api/v1/webhooks/${created.id}`, { token: admin })).json();
      assert.ok(!('secret' in shown));
      await h.call('DELETE', `/api/v1/webhooks/${created.id}`, { token: admin });
    } finally {
      await r.close();
    }
  });

  it("during a rotation the seed's receiver, still on the old secret, keeps working until the grace period ends; then x-gatrix-signature is the new secret's", async () => {
    const seed = new WebhookHandler('your-webhook-secret');
    const created: unknown[] = [];
    seed.handleUserCreated = (data: unknown) => created.push(data);
    const server = await new Promise<http.Server>((r) => {
      const s = seed.app.listen(0, '127.0.0.1', () => r(s));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/users`;
    const hook = (await h.call('POST', '/api/v1/webhooks', { token: admin, body: { url, events: ['user.created'], secret: 'your-webhook-secret' } })).json();
    const deliveries = async () => (await h.call('GET', `/api/v1/webhooks/${hook.id}/deliveries`, { token: admin })).json().data as { status: string; attempts: number; lastStatusCode: number }[];
    try {
      await h.call('POST', '/api/v1/users', { token: admin, body: { username: 'rot1', email: 'rot1@example.com' } });
      await until(() => created.length === 1, 'delivery before the rotation');
      const rotated = (await h.call('POST', `/api/v1/webhooks/${hook.id}/rotate-secret`, { token: admin })).json();
      const endsAt = Date.parse(rotated.secretRotationEndsAt);
      assert.equal(endsAt - clock.now().getTime(), h.config.webhooks.rotationGraceMs);

      // In the grace period: the receiver has not been redeployed and accepts every delivery at its first attempt.
      await h.call('POST', '/api/v1/users', { token: admin, body: { username: 'rot2', email: 'rot2@example.com' } });
      await until(() => created.length === 2, 'delivery right after the rotation, accepted with the old secret');
      // Recorded before the clock jumps (a lease the jump outdates would be swept and sent again).
      await until(async () => (await deliveries()).every((d) => d.status === 'delivered'), 'two deliveries recorded');
      clock.advance(endsAt - clock.now().getTime() - 60_000);
      await h.call('POST', '/api/v1/users', { token: admin, body: { username: 'rot3', email: 'rot3@example.com' } });
      await until(() => created.length === 3, 'delivery a minute before the grace period ends, accepted with the old secret');
      await until(async () => (await deliveries()).every((d) => d.status === 'delivered'), 'three deliveries recorded');
      assert.ok((await deliveries()).every((d) => d.attempts === 1));

      // The grace period is over: x-gatrix-signature is the new secret's; the receiver redeployed with it accepts.
      clock.advance(60_001);
      await h.call('POST', '/api/v1/users', { token: admin, body: { username: 'rot4', email: 'rot4@example.com' } });
      await until(async () => (await deliveries()).some((d) => d.lastStatusCode === 401), 'the old secret refused after the grace period');
      seed.secret = rotated.secret as string; // the receiver redeployed with the new secret
      clock.advance(12_001);
      await until(() => created.length === 4, 'the retry, accepted by the receiver redeployed with the new secret');
    } finally {
      server.closeAllConnections();
      server.close();
      await h.call('DELETE', `/api/v1/webhooks/${hook.id}`, { token: admin });
    }
  });

  it('rotate-secret mends an endpoint whose secret cannot be decrypted (sealed with another encryption key)', async () => {
    const r = await receiver();
    try {
      const hook = (await h.call('POST', '/api/v1/webhooks', { token: admin, body: { url: `${r.url}/rekeyed`, events: ['user.created'] } })).json();
      // What a restart with another GATRIX_ENCRYPTION_KEY leaves: a secret this node cannot open.
      await h.db.db.updateTable('webhooks').set({ secret_enc: secretBox(Buffer.alloc(32, 9)).seal('whsec_c2VhbGVkIHdpdGggYW5vdGhlciBrZXkh') }).where('id', '=', hook.id).execute();
      h.services.worker.forget();
      const t = (await h.call('POST', `/api/v1/webhooks/${hook.id}/test`, { token: admin })).json();
      await until(async () => (await h.call('GET', `/api/v1/webhook-deliveries/${t.id}`, { token: admin })).json().attempts === 1, 'the test delivery to fail');
      const failed = (await h.call('GET', `/api/v1/webhook-deliveries/${t.id}`, { token: admin })).json();
      assert.match(failed.lastError, /secret cannot be decrypted.*rotate its secret/);
      assert.equal(r.received.length, 0, 'nothing is sent unsigned');

      const rotated = await h.call('POST', `/api/v1/webhooks/${hook.id}/rotate-secret`, { token: admin });
      assert.equal(rotated.statusCode, 200, rotated.body);
      const secret = rotated.json().secret as string;
      assert.equal(rotated.json().secretRotationEndsAt, null, 'no grace period for a secret nobody can sign with');
      await h.call('POST', '/api/v1/users', { token: admin, body: { username: 'rekeyed1', email: 'rekeyed1@example.com' } });
      await until(() => r.received.some((m) => m.headers['x-gatrix-event'] === 'user.created'), 'a delivery signed with the new secret');
      const m = r.received.find((x) => x.headers['x-gatrix-event'] === 'user.created')!;
      // (The test clock runs ahead of the wall clock by now, so the signature is recomputed rather than verified with its timestamp check.)
      assert.equal(m.headers['webhook-signature'], standardSignature(secret, String(m.headers['webhook-id']), Number(m.headers['webhook-timestamp']), m.body));
      assert.equal(m.headers['x-gatrix-signature'], createHmac('sha256', secret).update(m.body).digest('hex'));
      await h.call('DELETE', `/api/v1/webhooks/${hook.id}`, { token: admin });
    } finally {
      await r.close();
    }
  });

  it('a failing receiver is retried on the schedule, honours Retry-After, and is delivered once it recovers', async () => {
    const r = await receiver((_m, n) => (n === 1 ? { status: 500 } : n === 2 ? { status: 503, headers: { 'retry-after': '120' } } : { status: 200 }));
    try {
      const hook = (await h.call('POST', '/api/v1/webhooks', { token: admin, body: { url: `${r.url}/flaky`, events: ['user.created'] } })).json();
      await h.call('POST', '/api/v1/users', { token: admin, body: { username: 'flaky1', email: 'flaky1@example.com' } });
      await until(() => r.received.length === 1, 'first attempt');
      const deliveryOf = async () => (await h.call('GET', `/api/v1/webhooks/${hook.id}/deliveries`, { token: admin })).json().data[0];
      await until(async () => (await deliveryOf()).attempts === 1, 'first attempt recorded');
      let d = await deliveryOf();
      assert.equal(d.status, 'pending');
      assert.equal(d.lastStatusCode, 500);
      const wait1 = Date.parse(d.nextAttemptAt) - clock.now().getTime();
      assert.ok(wait1 >= 8_000 && wait1 <= 12_000, `first retry 10 s ± 20%, got ${wait1}`);
      await new Promise((res) => setTimeout(res, 200));
      assert.equal(r.received.length, 1, 'not retried before it is due');

      clock.advance(12_001);
      await until(() => r.received.length === 2, 'second attempt');
      await until(async () => (await deliveryOf()).attempts === 2, 'second attempt recorded');
      d = await deliveryOf();
      const wait2 = Date.parse(d.nextAttemptAt) - clock.now().getTime();
      assert.ok(wait2 >= 119_000 && wait2 <= 121_000, `Retry-After 120 s honoured, got ${wait2}`);
      clock.advance(121_000);
      await until(async () => (await deliveryOf()).status === 'delivered', 'delivered after recovery');
      assert.equal(r.received.length, 3);
      assert.equal(new Set(r.received.map((m) => m.headers['webhook-id'])).size, 1, 'webhook-id is stable across retries');
      const detail = (await h.call('GET', `/api/v1/webhook-deliveries/${d.id}`, { token: admin })).json();
      assert.deepEqual(detail.attemptsLog.map((a: { responseStatus: number }) => a.responseStatus), [500, 503, 200]);
      assert.equal(detail.attemptsLog[1].responseHeaders['retry-after'], '120');
      assert.equal(detail.payload.event, 'user.created');
      assert.ok(!('x-gatrix-signature' in detail.attemptsLog[0].requestHeaders), 'signatures are not kept');
      await h.call('DELETE', `/api/v1/webhooks/${hook.id}`, { token: admin });
    } finally {
      await r.close();
    }
  });

  it('503 + Retry-After: 1 on every attempt: the delivery fails after the schedule (3 retries), and its attempt log is paged', async () => {
    const r = await receiver(() => ({ status: 503, headers: { 'retry-after': '1' } }));
    try {
      const hook = (await h.call('POST', '/api/v1/webhooks', { token: admin, body: { url: `${r.url}/busy`, events: ['user.created'] } })).json();
      const t = (await h.call('POST', `/api/v1/webhooks/${hook.id}/test`, { token: admin })).json();
      const detail = async () => (await h.call('GET', `/api/v1/webhook-deliveries/${t.id}`, { token: admin })).json();
      // Each round waits for the attempt to be recorded, then moves the clock past the longest scheduled delay.
      for (let round = 1; round <= 8 && (await detail()).status !== 'failed'; round++) {
        await until(async () => (await detail()).attempts === round, `attempt ${round} recorded`);
        const d = await detail();
        if (d.status === 'pending') {
          const wait = Date.parse(d.nextAttemptAt) - clock.now().getTime();
          assert.ok(wait >= 8_000, `Retry-After: 1 does not hurry retry ${round} (${wait} ms)`);
        }
        clock.advance(721_000);
      }
      const d = await detail();
      assert.equal(d.status, 'failed', 'Retry-After adds no attempt past the schedule');
      assert.equal(d.attempts, 4);
      assert.equal(r.received.length, 4);
      assert.equal(d.attemptsLog.length, 4);

      const page1 = (await h.call('GET', `/api/v1/webhook-deliveries/${t.id}/attempts?limit=3`, { token: admin })).json();
      assert.deepEqual(page1.pagination, { page: 1, limit: 3, total: 4, totalPages: 2 });
      assert.deepEqual(page1.data.map((a: { attempt: number }) => a.attempt), [1, 2, 3]);
      const page2 = (await h.call('GET', `/api/v1/webhook-deliveries/${t.id}/attempts?limit=3&page=2`, { token: admin })).json();
      assert.deepEqual(page2.data.map((a: { attempt: number; responseStatus: number }) => [a.attempt, a.responseStatus]), [[4, 503]]);
      assert.equal((await h.call('GET', '/api/v1/webhook-deliveries/999999/attempts', { token: admin })).statusCode, 404);
      assert.equal((await h.call('GET', `/api/v1/webhook-deliveries/${t.id}/attempts?limit=1000`, { token: admin })).statusCode, 400);
      await h.call('DELETE', `/api/v1/webhooks/${hook.id}`, { token: admin });
    } finally {
      await r.close();
    }
  });

  it('410 Gone disables the endpoint and emits webhook.disabled; re-enabling is one call', async () => {
    const r = await receiver(() => ({ status: 410 }));
    try {
      const hook = (await h.call('POST', '/api/v1/webhooks', { token: admin, body: { url: `${r.url}/gone`, events: ['user.created'] } })).json();
      await h.call('POST', '/api/v1/users', { token: admin, body: { username: 'gone1', email: 'gone1@example.com' } });
      await until(async () => (await h.call('GET', `/api/v1/webhooks/${hook.id}`, { token: admin })).json().active === false, 'endpoint disabled');
      const w = (await h.call('GET', `/api/v1/webhooks/${hook.id}`, { token: admin })).json();
      assert.equal(w.disabledReason, 'gone');
      const events = await h.db.db.selectFrom('outbox_events').select('payload').where('type', '=', 'webhook.disabled').execute();
      assert.ok(events.some((e) => JSON.parse(e.payload).data.webhookId === hook.id));
      const d = (await h.call('GET', `/api/v1/webhooks/${hook.id}/deliveries?status=failed`, { token: admin })).json();
      assert.equal(d.pagination.total, 1);
      const on = await h.call('PATCH', `/api/v1/webhooks/${hook.id}`, { token: admin, body: { active: true } });
      assert.equal(on.json().active, true);
      assert.equal(on.json().disabledReason, null);
      await h.call('DELETE', `/api/v1/webhooks/${hook.id}`, { token: admin });
    } finally {
      await r.close();
    }
  });

  it('a timeout counts as a failed attempt; retry and recover re-queue failed deliveries', async () => {
    const r = await receiver(() => ({ status: 200, hang: true }));
    try {
      const hook = (await h.call('POST', '/api/v1/webhooks', { token: admin, body: { url: `${r.url}/slow`, events: ['user.created'] } })).json();
      const t = await h.call('POST', `/api/v1/webhooks/${hook.id}/test`, { token: admin });
      assert.equal(t.statusCode, 202);
      await until(async () => (await h.call('GET', `/api/v1/webhook-deliveries/${t.json().id}`, { token: admin })).json().attempts === 1, 'timed-out attempt recorded');
      const d = (await h.call('GET', `/api/v1/webhook-deliveries/${t.json().id}`, { token: admin })).json();
      assert.match(d.lastError, /timed out/);
      assert.equal(d.status, 'pending');
      assert.equal(d.payload.event, 'webhook.test');
      assert.deepEqual(d.payload.data, { webhookId: hook.id });

      // Stand in for a delivery whose retries ran out: the worker is stopped so it cannot pick it up meanwhile.
      await h.services.worker.stop();
      const fail = () => h.db.db.updateTable('webhook_deliveries').set({ status: 'failed', next_attempt_at: null, lease_until: null }).where('id', '=', d.id).execute();
      await fail();
      const retry = await h.call('POST', `/api/v1/webhook-deliveries/${d.id}/retry`, { token: admin });
      assert.equal(retry.statusCode, 202);
      assert.equal(retry.json().status, 'pending');
      await fail();
      const rec = await h.call('POST', `/api/v1/webhooks/${hook.id}/recover`, { token: admin, body: { since: new Date(clock.now().getTime() - 3600_000).toISOString() } });
      assert.deepEqual(rec.json(), { requeued: 1 });
      const none = await h.call('POST', `/api/v1/webhooks/${hook.id}/recover`, { token: admin, body: { since: new Date(clock.now().getTime() + 3600_000).toISOString() } });
      assert.deepEqual(none.json(), { requeued: 0 });
      await h.db.db.deleteFrom('webhook_deliveries').where('id', '=', d.id).execute();
      h.services.worker.start(50);
      await h.call('DELETE', `/api/v1/webhooks/${hook.id}`, { token: admin });
    } finally {
      await r.close();
    }
  });

  it('custom headers may not set framing, hop-by-hop, proxy or signature headers: 400 naming the header, on create and update', async () => {
    const reserved = ['Host', 'transfer-encoding', 'Content-Length', 'CONNECTION', 'TE', 'Upgrade', 'Keep-Alive', 'Proxy-Authorization', 'proxy-connection',
      'X-Gatrix-Signature', 'webhook-signature', 'Webhook-Id', 'webhook-timestamp', 'x-gatrix-event', 'x-gatrix-delivery'];
    const ok = await h.call('POST', '/api/v1/webhooks', { token: admin, body: { url: 'https://example.com/hdr', events: ['user.created'], headers: { Authorization: 'Bearer t', 'X-Team': 'ops' } } });
    assert.equal(ok.statusCode, 201, ok.body);
    try {
      for (const name of reserved) {
        const created = await h.call('POST', '/api/v1/webhooks', { token: admin, body: { url: 'https://example.com/hdr', events: ['user.created'], headers: { 'X-Team': 'ops', [name]: 'x' } } });
        assert.equal(created.statusCode, 400, `${name}: ${created.body}`);
        assert.equal(created.json().errors[0].path, `headers.${name}`);
        const updated = await h.call('PATCH', `/api/v1/webhooks/${ok.json().id}`, { token: admin, body: { headers: { [name]: 'x' } } });
        assert.equal(updated.statusCode, 400, `${name}: ${updated.body}`);
        assert.equal(updated.json().errors[0].path, `headers.${name}`);
      }
      assert.deepEqual((await h.call('GET', `/api/v1/webhooks/${ok.json().id}`, { token: admin })).json().headers, { Authorization: '[REDACTED]', 'X-Team': '[REDACTED]' }, 'the refused updates changed no header');
    } finally {
      await h.call('DELETE', `/api/v1/webhooks/${ok.json().id}`, { token: admin });
    }
  });

  it('rejects unknown events, bad URLs and private targets when not opted in', async () => {
    const bad = await h.call('POST', '/api/v1/webhooks', { token: admin, body: { url: 'https://example.com/x', events: ['user.created', 'user.craeted'] } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].path, 'events.1');
    const scheme = await h.call('POST', '/api/v1/webhooks', { token: admin, body: { url: 'ftp://example.com/x', events: ['*'] } });
    assert.equal(scheme.statusCode, 400);
    assert.equal(scheme.json().errors[0].path, 'url');
    const strict = await startHarness(kind);
    try {
      const key = (await strict.apiKey('admin')).key;
      for (const url of ['http://127.0.0.1:9/x', 'http://[::ffff:127.0.0.1]/x', 'http://169.254.169.254/latest', 'http://10.1.2.3/x', 'http://localhost/x', 'http://2130706433/x']) {
        const r = await strict.call('POST', '/api/v1/webhooks', { token: key, body: { url, events: ['*'] } });
        assert.equal(r.statusCode, 400, url);
        assert.equal(r.json().errors[0].path, 'url', url);
      }
    } finally {
      await strict.close();
    }
  });

  it('lists event types with an example envelope each; operators read webhooks, only admins write', async () => {
    const types = (await h.call('GET', '/api/v1/event-types', { token: admin })).json().data;
    const names = types.map((t: { event: string }) => t.event);
    for (const e of ['user.created', 'world.maintenance_started', 'maintenance.ended', 'client_version.updated', 'whitelist.updated', 'webhook.test']) assert.ok(names.includes(e), e);
    const created = types.find((t: { event: string }) => t.event === 'user.created');
    assert.equal(created.socketEvent, 'user_registered');
    assert.deepEqual(Object.keys(created.example), ['id', 'event', 'timestamp', 'data']);
    const op = await h.userToken('operator');
    assert.equal((await h.call('GET', '/api/v1/webhooks', { token: op.token })).statusCode, 200);
    assert.equal((await h.call('POST', '/api/v1/webhooks', { token: op.token, body: { url: 'https://example.com', events: ['*'] } })).statusCode, 403);
    const viewer = await h.userToken('viewer');
    assert.equal((await h.call('GET', '/api/v1/webhooks', { token: viewer.token })).statusCode, 403);
  });
});
