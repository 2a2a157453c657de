/**
 * The delivery worker's own SSRF check, with GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS off: endpoints stored while
 * private networks were allowed (or written straight into the database) are refused at every attempt, with no
 * connection made and a failed attempt recorded — a private IP literal by the per-attempt URL check, a name that
 * resolves to a private address by the connect-time lookup.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import pino from 'pino';
import { systemClock } from '../src/core/clock.ts';
import { secretBox } from '../src/core/secret-box.ts';
import { webhooksStore } from '../src/modules/webhooks/store.ts';
import { createDeliveryWorker, type DeliveryWorker } from '../src/modules/webhooks/worker.ts';
import { deliveryRow, eachDatabase, openTestDatabase, testConfig, WAIT_MS, webhookRow, type TestDatabase } from './helpers.ts';

/** A name only the test's resolver knows; it points at the loopback receiver. */
const PRIVATE_NAME = 'hooks.rebind-test.example';

eachDatabase('webhook worker refuses private targets at every attempt', (kind) => {
  let db: TestDatabase;
  let worker: DeliveryWorker;
  let server: http.Server;
  let port: number;
  let connections = 0;
  const resolved: string[] = [];

  before(async () => {
    server = http.createServer((_req, res) => res.writeHead(200).end('{}'));
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    db = await openTestDatabase(kind);
    const config = testConfig({ GATRIX_WEBHOOK_RETRY_SCHEDULE: '60' });
    worker = createDeliveryWorker({
      db: db.db,
      dialect: db.dialect,
      clock: systemClock,
      log: pino({ level: 'silent' }),
      box: secretBox(Buffer.alloc(32, 7)),
      config: config.webhooks,
      ssrf: {
        allowPrivateNetworks: false,
        resolve: (host) => {
          resolved.push(host);
          return Promise.resolve(host === PRIVATE_NAME ? [{ address: '127.0.0.1', family: 4 }] : []);
        },
      },
      onDisabled: () => undefined,
    });
  });
  after(async () => {
    await worker.stop();
    await db.drop();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('a stored loopback literal and a name resolving to loopback: no connection, a failed attempt each', async () => {
    assert.equal(testConfig().webhooks.allowPrivateNetworks, false, 'private networks are refused by default');
    const box = secretBox(Buffer.alloc(32, 7));
    const at = new Date().toISOString();
    const store = webhooksStore(db.db);
    const endpoint = (url: string) => store.insert(webhookRow(url, at, { events: '["*"]', secret_enc: box.seal('whsec_dGVzdC1zZWNyZXQtdGVzdC1zZWNyZXQ='), active: 1 }));
    const literal = await endpoint(`http://127.0.0.1:${port}/literal`);
    const named = await endpoint(`http://${PRIVATE_NAME}:${port}/named`);
    const delivery = (webhookId: number) => deliveryRow(webhookId, `evt_ssrf_${webhookId}`, at, { event_type: 'webhook.test' });
    await store.insertDeliveries(db.dialect, [delivery(literal), delivery(named)]);

    worker.start(50);
    const rows = () => db.db.selectFrom('webhook_deliveries').select(['webhook_id', 'status', 'attempts', 'last_error']).orderBy('webhook_id').execute();
    const end = Date.now() + WAIT_MS;
    while ((await rows()).some((d) => Number(d.attempts) === 0)) {
      assert.ok(Date.now() < end, `timed out waiting for both attempts: ${JSON.stringify(await rows())}`);
      await new Promise((r) => setTimeout(r, 20));
    }

    const [a, b] = await rows();
    assert.equal(Number(a.attempts), 1);
    assert.equal(a.status, 'pending', 'a failed attempt, retried on the schedule');
    assert.match(String(a.last_error), /127\.0\.0\.1 is a loopback address/);
    assert.equal(Number(b.attempts), 1);
    assert.equal(b.status, 'pending');
    assert.match(String(b.last_error), new RegExp(`"${PRIVATE_NAME.replaceAll('.', '\\.')}" resolves to 127\\.0\\.0\\.1, a loopback address`));
    assert.ok(resolved.includes(PRIVATE_NAME), 'the name was resolved through the guard');
    const attempts = await db.db.selectFrom('webhook_attempts').select(['delivery_id', 'error', 'response_status']).execute();
    assert.equal(attempts.length, 2, 'each refusal is recorded as an attempt');
    assert.ok(attempts.every((x) => x.response_status === null && x.error));
    assert.equal(connections, 0, 'nothing connected to the receiver');
  });
});
