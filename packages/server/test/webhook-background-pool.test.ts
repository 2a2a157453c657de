/**
 * On PostgreSQL the webhook delivery worker has connections of its own: with every connection of the node's main
 * pool held by API work (transactions waiting on something, as under a write storm), a due delivery is still
 * claimed, sent and recorded.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../src/db/index.ts';
import { webhooksStore } from '../src/modules/webhooks/store.ts';
import { deliveryRow, PG_SKIP, startHarness, until, type Harness } from './helpers.ts';

describe('webhook worker on PostgreSQL, main pool exhausted', { skip: PG_SKIP }, () => {
  let h: Harness;
  let other: DatabaseHandle;
  let server: http.Server;
  let port: number;
  const arrived: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      arrived.push(String(req.headers['webhook-id']));
      req.resume();
      req.on('end', () => res.writeHead(200).end('{}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    h = await startHarness('postgres', { env: { GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
    other = openDatabase({ url: process.env.TEST_DATABASE_URL, pgSchema: h.db.schema });
    h.services.worker.start(50);
  });
  after(async () => {
    await h?.services.worker.stop();
    await other?.close();
    await h?.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('a due delivery is sent while every main-pool connection is held', { timeout: 120_000 }, async () => {
    const created = await h.call('POST', '/api/v1/webhooks', { token: h.adminToken, body: { url: `http://127.0.0.1:${port}/hook`, events: ['*'] } });
    assert.equal(created.statusCode, 201, created.body);
    const webhookId = created.json<{ id: number }>().id;

    // Hold all ten connections of the main pool in open transactions.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let holding = 0;
    const holders = Array.from({ length: 10 }, () =>
      h.ctx.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        holding++;
        await released;
      }),
    );
    try {
      await until(() => holding === 10, 'ten transactions holding the main pool', 30_000);
      // Queued behind them: a request that needs the main pool waits.
      let blocked = true;
      const waiting = sql`select 1`.execute(h.ctx.db).then(() => (blocked = false));

      const at = new Date().toISOString();
      await webhooksStore(other.db).insertDeliveries('postgres', [deliveryRow(webhookId, 'evt_background_pool', at, { event_type: 'webhook.test' })]);
      await until(() => arrived.includes('evt_background_pool'), 'the delivery sent with the main pool held', 30_000);
      await until(
        async () => (await other.db.selectFrom('webhook_deliveries').select('status').where('event_id', '=', 'evt_background_pool').executeTakeFirst())?.status === 'delivered',
        'the attempt recorded',
        30_000,
      );
      assert.equal(blocked, true, 'the main pool was exhausted all along');
      release();
      await waiting;
    } finally {
      release();
      await Promise.all(holders);
    }
  });
});
