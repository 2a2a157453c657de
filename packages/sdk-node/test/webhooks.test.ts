import assert from 'node:assert/strict';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { GatrixClient, verifyWebhook, webhookMiddleware, WebhookVerificationError, type WebhookEvent } from '../src/index.ts';
import { runNode, startGatrix, testServer, until, type Gatrix, type Received, type TestServer } from './helpers.ts';

function rejectsWith(reason: string, verify: () => unknown): void {
  assert.throws(verify, (err: unknown) => {
    assert.ok(err instanceof WebhookVerificationError, String(err));
    assert.equal(err.reason, reason);
    return true;
  });
}

const withoutStandardHeaders = (headers: http.IncomingHttpHeaders) =>
  Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith('webhook-')));

describe('verifyWebhook on real deliveries from Gatrix', () => {
  let g: Gatrix;
  let client: GatrixClient;
  let receiver: TestServer;
  const deliveriesTo = (path: string) => receiver.received.filter((r) => r.url === path);

  before(async () => {
    // One quick retry then `failed`, so recover() has something to re-queue.
    g = await startGatrix({ GATRIX_WEBHOOK_RETRY_SCHEDULE: '0.2' });
    g.services.worker.start(50);
    client = new GatrixClient({ apiKey: g.adminKey, baseURL: g.baseUrl });
    let failing = true;
    receiver = await testServer((r, _n, res) => {
      if (r.url === '/toggle') failing = false;
      const status = r.url === '/failing' && failing ? 500 : 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  after(async () => {
    await receiver.close();
    await g.close();
  });

  it('accepts a real delivery signed with a generated whsec_ secret and returns the typed envelope', async () => {
    const hook = await client.webhooks.create({ url: `${receiver.url}/generated`, events: ['user.*'] });
    assert.match(hook.secret, /^whsec_/);
    const user = await client.users.create({ username: 'hooked_user', email: 'hooked@example.com' });
    const [delivery] = await until(() => deliveriesTo('/generated').length >= 1 && deliveriesTo('/generated'), 'a delivery');

    const event: WebhookEvent = verifyWebhook(delivery.raw, delivery.headers, hook.secret);
    assert.equal(event.event, 'user.created');
    if (event.event !== 'user.created') return;
    assert.equal(event.data.userId, user.id);
    assert.deepEqual(event.data.user, user);
    assert.equal(event.id, delivery.headers['webhook-id']);
    // The same from a string body and from fetch-style Headers.
    assert.deepEqual(verifyWebhook(delivery.raw.toString('utf8'), new Headers(delivery.headers as Record<string, string>), hook.secret), event);
    await client.webhooks.delete(hook.id);
  });

  // The seed: the integration guide's webhook registration, secret 'your-webhook-secret' (docs/integration-guide.md).
  it("the seed's plain secret: Standard Webhooks and the x-gatrix-signature fallback both verify", async () => {
    const secret = 'your-webhook-secret';
    const hook = await client.webhooks.create({ url: `${receiver.url}/seed`, events: ['user.created', 'user.updated', 'user.deleted'], secret, active: true });
    await client.users.create({ username: 'seed_hooked', email: 'seed_hooked@example.com' });
    const [d] = await until(() => deliveriesTo('/seed').length >= 1 && deliveriesTo('/seed'), 'a delivery');
    assert.equal(verifyWebhook(d.raw, d.headers, secret).event, 'user.created');
    const legacy = withoutStandardHeaders(d.headers);
    assert.equal(verifyWebhook(d.raw, legacy, secret).event, 'user.created', 'x-gatrix-signature alone');
    rejectsWith('invalid_signature', () => verifyWebhook(Buffer.concat([d.raw, Buffer.from(' ')]), legacy, secret));
    rejectsWith('invalid_signature', () => verifyWebhook(d.raw, legacy, 'another-secret'));
    await client.webhooks.delete(hook.id);
  });

  it('rejects a tampered or re-serialized body, a wrong secret, an old or future timestamp, missing headers', async () => {
    const hook = await client.webhooks.create({ url: `${receiver.url}/reject`, events: ['world.*'] });
    await client.worlds.create({ worldId: 'reject_world', name: 'R' });
    const [d] = await until(() => deliveriesTo('/reject').length >= 1 && deliveriesTo('/reject'), 'a delivery');
    const body = d.raw.toString('utf8');
    assert.equal(verifyWebhook(body, d.headers, hook.secret).event, 'world.created');

    rejectsWith('invalid_signature', () => verifyWebhook(body.replace('reject_world', 'reject_worle'), d.headers, hook.secret));
    rejectsWith('invalid_signature', () => verifyWebhook(JSON.stringify(JSON.parse(body), null, 2), d.headers, hook.secret));
    rejectsWith('invalid_signature', () => verifyWebhook(body, d.headers, 'whsec_' + Buffer.alloc(24, 1).toString('base64')));
    rejectsWith('invalid_signature', () => verifyWebhook(body, { ...d.headers, 'webhook-id': 'evt_other' }, hook.secret));

    const sent = Number(d.headers['webhook-timestamp']) * 1000;
    rejectsWith('timestamp_too_old', () => verifyWebhook(body, d.headers, hook.secret, { now: new Date(sent + 301_000) }));
    assert.equal(verifyWebhook(body, d.headers, hook.secret, { now: new Date(sent + 301_000), toleranceSeconds: 600 }).event, 'world.created');
    rejectsWith('timestamp_too_new', () => verifyWebhook(body, d.headers, hook.secret, { now: new Date(sent - 301_000) }));
    rejectsWith('invalid_timestamp', () => verifyWebhook(body, { ...d.headers, 'webhook-timestamp': 'yesterday' }, hook.secret));
    rejectsWith('missing_headers', () => verifyWebhook(body, { 'webhook-id': String(d.headers['webhook-id']) }, hook.secret));
    rejectsWith('missing_headers', () => verifyWebhook(body, {}, hook.secret));
    assert.throws(() => verifyWebhook(JSON.parse(body) as never, d.headers, hook.secret), TypeError, 'a parsed body cannot be verified');
    await client.webhooks.delete(hook.id);
  });

  it('during a secret rotation both the old and the new secret verify', async () => {
    const hook = await client.webhooks.create({ url: `${receiver.url}/rotate`, events: ['world.*'] });
    const rotated = await client.webhooks.rotateSecret(hook.id);
    await client.worlds.create({ worldId: 'rotated_world', name: 'R' });
    const [d] = await until(() => deliveriesTo('/rotate').length >= 1 && deliveriesTo('/rotate'), 'a delivery');
    assert.equal(String(d.headers['webhook-signature']).split(' ').length, 2);
    assert.equal(verifyWebhook(d.raw, d.headers, rotated.secret).event, 'world.created');
    assert.equal(verifyWebhook(d.raw, d.headers, hook.secret).event, 'world.created');
    assert.equal(verifyWebhook(d.raw, d.headers, ['whsec_bm90IHRoaXMgb25lIGVpdGhlciEhISE=', rotated.secret]).event, 'world.created');
    await client.webhooks.delete(hook.id);
  });

  it('test(), retry() and recover() deliveries verify too and keep their webhook-id', async () => {
    const hook = await client.webhooks.create({ url: `${receiver.url}/failing`, events: ['user.*'] });
    const test = await client.webhooks.test(hook.id);
    const failed = await until(async () => {
      const d = await client.webhooks.getDelivery(test.id);
      return d.status === 'failed' && d;
    }, 'the test delivery to fail after its one retry');
    assert.equal(failed.attemptsLog.length, 2);
    assert.equal(failed.attemptsLog[0].responseStatus, 500);
    const first = deliveriesTo('/failing')[0];
    const event = verifyWebhook(first.raw, first.headers, hook.secret);
    assert.equal(event.event, 'webhook.test');

    await until(async () => (await fetch(`${receiver.url}/toggle`)).ok, 'receiver healed');
    const recovered = await client.webhooks.recover(hook.id, { since: new Date(Date.now() - 600_000).toISOString() });
    assert.equal(recovered.requeued, 1);
    await until(async () => (await client.webhooks.getDelivery(test.id)).status === 'delivered', 'recovered delivery');

    const again = await client.webhooks.retry(test.id);
    assert.equal(again.id, test.id);
    await until(async () => (await client.webhooks.getDelivery(test.id)).attempts === 4 && (await client.webhooks.getDelivery(test.id)).status === 'delivered', 'retried delivery');
    const all = deliveriesTo('/failing');
    assert.equal(all.length, 4);
    assert.ok(all.every((r) => verifyWebhook(r.raw, r.headers, hook.secret).id === event.id), 'one event id across attempts');
    const page = await client.webhooks.deliveries(hook.id, { status: 'delivered' });
    assert.deepEqual(page.data.map((d) => d.id), [test.id]);
    await client.webhooks.delete(hook.id);
  });

  it('webhookMiddleware on express.raw bodies and on unparsed requests; a parsed body is refused', async () => {
    const hook = await client.webhooks.create({ url: `${receiver.url}/middleware`, events: ['user.*'] });
    await client.users.create({ username: 'mw_user', email: 'mw@example.com' });
    const [d] = await until(() => deliveriesTo('/middleware').length >= 1 && deliveriesTo('/middleware'), 'a delivery');

    const app = express();
    const events: WebhookEvent[] = [];
    const handler = (req: express.Request, res: express.Response) => {
      events.push(req.body as WebhookEvent);
      res.json({ received: true });
    };
    app.post('/raw', express.raw({ type: 'application/json' }), webhookMiddleware(hook.secret), handler);
    app.post('/stream', webhookMiddleware(hook.secret), handler);
    app.post('/parsed', express.json(), webhookMiddleware(hook.secret), handler);
    app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => res.status(500).json({ error: err.message }));
    const server = await new Promise<http.Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    const replay = (path: string, r: Received, body: Buffer = r.raw) =>
      fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, {
        method: 'POST',
        headers: Object.fromEntries(Object.entries(r.headers).filter(([k]) => k === 'content-type' || k.startsWith('webhook-') || k.startsWith('x-gatrix'))) as Record<string, string>,
        body: new Uint8Array(body),
      });
    try {
      assert.equal((await replay('/raw', d)).status, 200);
      assert.equal((await replay('/stream', d)).status, 200);
      assert.deepEqual(events.map((e) => e.event), ['user.created', 'user.created']);
      const forged = await replay('/stream', d, Buffer.from(d.raw.toString().replace('mw_user', 'mw_usex')));
      assert.equal(forged.status, 401);
      assert.deepEqual(await forged.json(), { error: 'Invalid signature', reason: 'invalid_signature' });
      const parsed = await replay('/parsed', d);
      assert.equal(parsed.status, 500);
      assert.match(((await parsed.json()) as { error: string }).error, /raw body/);
      assert.equal(events.length, 2);
    } finally {
      server.closeAllConnections();
      server.close();
      await client.webhooks.delete(hook.id);
    }
  });

  it('the README receivers (examples/webhook-express.cjs, examples/webhook-fastify.mjs) handle real deliveries', async () => {
    const secret = 'whsec_' + Buffer.from('readme-example-secret-24b').toString('base64');
    const expressApp = runNode(['examples/webhook-express.cjs'], { WEBHOOK_SECRET: secret, PORT: '0', HOST: '127.0.0.1' });
    const fastifyApp = runNode(['examples/webhook-fastify.mjs'], { WEBHOOK_SECRET: secret, PORT: '0', HOST: '127.0.0.1' });
    try {
      const expressPort = (await expressApp.line(/^listening on \d+/, 'express example listening')).split(' ').pop();
      const fastifyPort = (await fastifyApp.line(/^listening on \d+/, 'fastify example listening')).split(' ').pop();
      const users = await client.webhooks.create({ url: `http://127.0.0.1:${expressPort}/webhook/users`, events: ['user.created', 'user.updated', 'user.deleted'], secret });
      const worlds = await client.webhooks.create({ url: `http://127.0.0.1:${fastifyPort}/webhook/worlds`, events: ['world.maintenance_started', 'world.maintenance_ended'], secret });

      const user = await client.users.create({ username: 'readme_user', email: 'readme@example.com' });
      await client.users.update(user.id, { status: 'suspended' });
      await client.users.delete(user.id);
      const world = await client.worlds.create({ worldId: 'readme_world', name: 'W' });
      await client.worlds.setMaintenance(world.id, { enabled: true, message: '점검 중' });
      await client.worlds.setMaintenance(world.id, { enabled: false });

      await expressApp.line(/^user\.created readme_user$/, 'express example: user.created');
      await expressApp.line(new RegExp(`^user\\.updated ${user.id} status$`), 'express example: user.updated');
      await expressApp.line(new RegExp(`^user\\.deleted ${user.id}$`), 'express example: user.deleted');
      await fastifyApp.line(/^world\.maintenance_started readme_world: 점검 중$/, 'fastify example: maintenance started');
      await fastifyApp.line(/^world\.maintenance_ended readme_world$/, 'fastify example: maintenance ended');

      // Forged requests get 401 from both.
      for (const port of [expressPort, fastifyPort]) {
        const path = port === expressPort ? '/webhook/users' : '/webhook/worlds';
        const forged = await fetch(`http://127.0.0.1:${port}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'webhook-id': 'evt_x', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' },
          body: '{"id":"evt_x","event":"user.created","timestamp":"2026-01-01T00:00:00.000Z","data":{}}',
        });
        assert.equal(forged.status, 401);
      }
      // A receiver prints its line before it answers, and Gatrix records the delivery once the answer is in.
      const recorded = (id: number, n: number) =>
        until(async () => {
          const total = (await client.webhooks.deliveries(id, { status: 'delivered' })).pagination.total;
          return total >= n && total;
        }, `${n} deliveries recorded as delivered`);
      assert.equal(await recorded(users.id, 3), 3);
      assert.equal(await recorded(worlds.id, 2), 2);
    } finally {
      await expressApp.stop();
      await fastifyApp.stop();
    }
  });
});

describe('verifyWebhook and webhookMiddleware without a secret', () => {
  it('say the secret is missing (an unset environment variable), whatever form the missing secret takes', () => {
    const body = '{"id":"evt_x","event":"user.created","timestamp":"2026-01-01T00:00:00.000Z","data":{}}';
    const headers = { 'x-gatrix-signature': '00'.repeat(32) };
    for (const missing of [undefined, null, '', [], [undefined], [null, '']]) {
      const label = JSON.stringify(missing) ?? 'undefined';
      assert.throws(() => verifyWebhook(body, headers, missing as unknown as string), { name: 'TypeError', message: /secret is missing/ }, `verifyWebhook, ${label}`);
      assert.throws(() => webhookMiddleware(missing as unknown as string), { name: 'TypeError', message: /secret is missing/ }, `webhookMiddleware, ${label}`);
    }
  });
});
