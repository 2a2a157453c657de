import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { eachDatabase, startHarness, until, type Harness } from './helpers.ts';

/** A receiver on loopback answering 503 while `failing`, else 200. */
async function receiver() {
  const state = { failing: true, received: 0 };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.received++;
      res.writeHead(state.failing ? 503 : 200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, state, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

eachDatabase('webhook health and bulk retry', (kind) => {
  let h: Harness;
  let rx: Awaited<ReturnType<typeof receiver>>;
  before(async () => {
    // One immediate retry, then a delivery has failed for good.
    h = await startHarness(kind, { env: { GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', GATRIX_WEBHOOK_RETRY_SCHEDULE: '0', GATRIX_WEBHOOK_TIMEOUT_MS: '3000' } });
    h.services.worker.start(50);
    rx = await receiver();
  });
  after(async () => {
    await rx.close();
    await h.close();
  });

  const statusCounts = async (webhookId: number) => {
    const rows = await h.db.db.selectFrom('webhook_deliveries').select(['status']).where('webhook_id', '=', webhookId).execute();
    const c: Record<string, number> = {};
    for (const r of rows) c[r.status] = (c[r.status] ?? 0) + 1;
    return c;
  };
  const entry = (value: string) => h.call('POST', '/api/v1/whitelist', { token: h.adminToken, body: { type: 'account', value } });

  it('health: success rates, deliveries by status, queue depth, last success and failure; in the list of all endpoints', async () => {
    const created = await h.call('POST', '/api/v1/webhooks', { token: h.adminToken, body: { url: rx.url, events: ['whitelist.*'] } });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id;
    const fresh = (await h.call('GET', `/api/v1/webhooks/${id}/health`, { token: h.adminToken })).json();
    assert.deepEqual(fresh, {
      webhookId: id, active: true, disabledReason: null, failingSince: null, successRate1h: null, successRate24h: null, attempts1h: 0, attempts24h: 0,
      deliveries: { pending: 0, delivering: 0, delivered: 0, failed: 0 }, queueDepth: 0, lastSuccess: null, lastFailure: null,
    });

    rx.state.failing = true;
    await entry('wh-fail-1');
    await entry('wh-fail-2');
    await until(async () => (await statusCounts(id)).failed === 2, 'two failed deliveries');
    rx.state.failing = false;
    await entry('wh-ok-1');
    await until(async () => (await statusCounts(id)).delivered === 1, 'one delivered');

    const r = await h.call('GET', `/api/v1/webhooks/${id}/health`, { token: h.adminToken });
    assert.equal(r.statusCode, 200, r.body);
    const b = r.json();
    assert.deepEqual(b.deliveries, { pending: 0, delivering: 0, delivered: 1, failed: 2 });
    assert.equal(b.queueDepth, 0);
    assert.equal(b.attempts1h, 5, 'two failed deliveries of two attempts each, one success');
    assert.equal(b.attempts24h, 5);
    assert.equal(b.successRate1h, 0.2);
    assert.equal(b.lastSuccess.statusCode, 200);
    assert.equal(b.lastFailure.statusCode, 503);
    assert.ok(b.lastFailure.at <= b.lastSuccess.at);

    const all = await h.call('GET', '/api/v1/webhooks/health', { token: h.adminToken });
    assert.equal(all.statusCode, 200, all.body);
    assert.deepEqual(all.json().data.find((x: { webhookId: number }) => x.webhookId === id), b);
    assert.equal((await h.call('GET', '/api/v1/webhooks/999999/health', { token: h.adminToken })).statusCode, 404);

    // Deliveries filter by status, event and time (the console's delivery list).
    const failed = (await h.call('GET', `/api/v1/webhooks/${id}/deliveries?status=failed&event=whitelist.updated`, { token: h.adminToken })).json();
    assert.equal(failed.data.length, 2);
  });

  it('bulk retry: by status (default failed), event and time; one transaction, audited; validation and permission', async () => {
    const id = (await h.call('GET', '/api/v1/webhooks', { token: h.adminToken })).json().data[0].id;
    const retry = (body: object, token = h.adminToken, headers: Record<string, string> = {}) =>
      h.call('POST', `/api/v1/webhooks/${id}/deliveries/retry`, { token, body, headers });

    const none = await retry({ eventType: 'user.created' });
    assert.equal(none.statusCode, 202, none.body);
    assert.deepEqual(none.json(), { retried: 0 });
    assert.deepEqual((await retry({ since: new Date(Date.now() + 60_000).toISOString() })).json(), { retried: 0 });

    const r = await retry({}, h.adminToken, { 'x-audit-reason': 'receiver%20fixed' });
    assert.equal(r.statusCode, 202, r.body);
    assert.deepEqual(r.json(), { retried: 2 });
    await until(async () => (await statusCounts(id)).delivered === 3, 'the two retried deliveries delivered');
    const audit = (await h.call('GET', '/api/v1/audit-logs?action=webhook.retry_bulk&limit=1', { token: h.adminToken })).json().data[0];
    assert.equal(audit.targetId, String(id));
    assert.equal(audit.reason, 'receiver fixed');
    assert.deepEqual(audit.after, { status: 'failed', eventType: null, since: null, until: null, retried: 2 });

    // Delivered ones can be sent again too, by asking for them.
    assert.deepEqual((await retry({ status: 'delivered', eventType: 'whitelist.updated' })).json(), { retried: 3 });
    await until(async () => (await statusCounts(id)).delivered === 3, 'sent again');

    const bad = await retry({ status: 'delivering' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].path, 'status');
    const range = await retry({ since: '2026-02-01T00:00:00Z', until: '2026-01-01T00:00:00Z' });
    assert.equal(range.statusCode, 400);
    assert.equal(range.json().errors[0].path, 'until');
    assert.equal((await h.call('POST', '/api/v1/webhooks/999999/deliveries/retry', { token: h.adminToken, body: {} })).statusCode, 404);
    const operator = await h.userToken('operator');
    assert.equal((await retry({}, operator.token)).statusCode, 403);
    assert.equal((await h.call('GET', `/api/v1/webhooks/${id}/health`, { token: operator.token })).statusCode, 200);
    const viewer = await h.userToken('viewer');
    assert.equal((await h.call('GET', '/api/v1/webhooks/health', { token: viewer.token })).statusCode, 403);
  });
});
