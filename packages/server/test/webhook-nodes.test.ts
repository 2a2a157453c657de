/**
 * Two Gatrix nodes on one PostgreSQL database (no Redis), each running its event dispatcher and webhook worker:
 * events written through either node reach the endpoint, and no delivery is ever attempted by both nodes.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { buildApp } from '../src/app/build-app.ts';
import type { Services } from '../src/app/services.ts';
import { openDatabase } from '../src/db/index.ts';
import type { App } from '../src/http/types.ts';
import { startHarness, WAIT_MS, type Harness } from './helpers.ts';

const PG = process.env.TEST_DATABASE_URL;
const EVENTS = 1_000;

interface Request {
  webhookId: string;
  delivery: string;
}

/** A receiver on loopback that records every request's `webhook-id` and `x-gatrix-delivery` and answers 200. */
async function startReceiver() {
  const requests: Request[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.push({ webhookId: String(req.headers['webhook-id']), delivery: String(req.headers['x-gatrix-delivery']) });
      // A few ms, so both nodes have attempts in flight at once.
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), Math.random() * 5);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string | (() => Promise<string>), ms = WAIT_MS): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : await what()}`);
}

describe('webhook delivery by two nodes on one PostgreSQL', { skip: PG ? false : 'TEST_DATABASE_URL is not set' }, () => {
  let a: Harness;
  let b: { app: App; services: Services };
  let closeB: () => Promise<void>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let key: string;
  let hookId: number;

  /** Creates a user through one node's HTTP API (one user.created event). */
  const createUser = async (node: App, username: string) => {
    const r = await node.inject({ method: 'POST', url: '/api/v1/users', headers: { 'x-api-key': key }, payload: { username, email: `${username}@example.com` } });
    assert.equal(r.statusCode, 201, r.body);
  };
  const maxSeq = async () => Number((await a.db.db.selectFrom('outbox_events').select((eb) => eb.fn.max('seq').as('n')).executeTakeFirstOrThrow()).n ?? 0);
  /** The ids of the user events committed after `seq`. */
  const userEventsAfter = async (seq: number) =>
    (await a.db.db.selectFrom('outbox_events').select('payload').where('seq', '>', seq).where('type', 'like', 'user.%').orderBy('seq').execute()).map(
      (e) => (JSON.parse(e.payload) as { id: string; timestamp: string }),
    );

  before(async () => {
    a = await startHarness('postgres', {
      env: { GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', GATRIX_WEBHOOK_TIMEOUT_MS: '5000', GATRIX_WEBHOOK_RETRY_SCHEDULE: '0.2,0.5,1,1,1' },
    });
    // Node B: the same configuration and schema, its own connection pool, services and background work.
    const dbB = openDatabase({ url: PG, pgSchema: a.db.schema });
    const built = await buildApp({ config: a.config, database: dbB, logger: pino({ level: 'silent' }) });
    b = built;
    closeB = async () => {
      await b.app.close();
      await dbB.close();
    };
    key = (await a.apiKey('admin')).key;
    receiver = await startReceiver();
    b.services.dispatcher.start();
    for (const s of [a.services, b.services]) s.worker.start(20);
  });
  after(async () => {
    await closeB?.();
    await a?.close();
    await receiver?.close();
  });

  it('an endpoint registered on node A gets, within 2 s, the events that node B fans out (no Redis bus between them)', async () => {
    // B has fanned out an event before the endpoint exists, so it has read the (empty) list of endpoints.
    await createUser(b.app, 'before_hook');
    await b.services.dispatcher.notify();
    a.services.dispatcher.start();

    const created = await a.call('POST', '/api/v1/webhooks', { token: key, body: { url: receiver.url, events: ['user.*'] } });
    assert.equal(created.statusCode, 201, created.body);
    hookId = created.json<{ id: number }>().id;
    const registeredAt = Date.parse(created.json<{ createdAt: string }>().createdAt);
    const seq = await maxSeq();

    // Write through B until ten users were created more than 2 s after the registration; B's commits wake B's
    // dispatcher at once, so B fans most of them out.
    for (let i = 0, late = 0; late < 10; i++) {
      if (Date.now() >= registeredAt + 2_100) late++;
      await createUser(b.app, `probe${i}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const late = (await userEventsAfter(seq)).filter((e) => Date.parse(e.timestamp) >= registeredAt + 2_100);
    assert.ok(late.length >= 10, `${late.length} events written through B 2 s after the registration`);
    await until(
      () => late.every((e) => receiver.requests.some((r) => r.webhookId === e.id)),
      async () => {
        const missing = late.filter((e) => !receiver.requests.some((r) => r.webhookId === e.id)).map((e) => e.id);
        const rows = await a.db.db.selectFrom('webhook_deliveries').select(['event_id', 'status']).where('event_id', 'in', missing).execute();
        return `${missing.length} of ${late.length} events written through B: ${JSON.stringify(rows)}`;
      },
      WAIT_MS,
    );
  });

  it(`${EVENTS} events written through both nodes at once: every one arrives, each delivery attempted by exactly one node`, async (t) => {
    // The test before waited for its late events only: let every delivery so far end and its attempt be counted, or
    // attempts of the test before would be counted as this test's.
    const settledSoFar = async () => {
      const open = await a.db.db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<string>().as('n')).where('webhook_id', '=', hookId).where('status', '!=', 'delivered').executeTakeFirstOrThrow();
      const recorded = await a.db.db
        .selectFrom('webhook_attempts')
        .innerJoin('webhook_deliveries', 'webhook_deliveries.id', 'webhook_attempts.delivery_id')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('webhook_deliveries.webhook_id', '=', hookId)
        .executeTakeFirstOrThrow();
      return { open: Number(open.n), recorded: Number(recorded.n), counted: a.services.worker.stats.attempts + b.services.worker.stats.attempts };
    };
    await until(
      async () => {
        const s = await settledSoFar();
        return s.open === 0 && s.counted === s.recorded;
      },
      async () => `the deliveries so far settled: ${JSON.stringify(await settledSoFar())}`,
    );
    const seq = await maxSeq();
    const attemptsBefore = [a.services.worker.stats.attempts, b.services.worker.stats.attempts];
    const seenBefore = receiver.requests.length;

    // Four writers per node, alternating users between them.
    let next = 0;
    const writer = async (node: App) => {
      for (let i = next++; i < EVENTS; i = next++) await createUser(node, `load${i}`);
    };
    await Promise.all([a.app, b.app, a.app, b.app, a.app, b.app, a.app, b.app].map(writer));

    const events = await userEventsAfter(seq);
    assert.equal(events.length, EVENTS);
    const ids = new Set(events.map((e) => e.id));
    const deliveries = async () =>
      a.db.db.selectFrom('webhook_deliveries').select(['id', 'event_id', 'status']).where('webhook_id', '=', hookId).where('event_id', 'in', [...ids]).execute();
    await until(
      async () => {
        const rows = await deliveries();
        return rows.length === EVENTS && rows.every((d) => d.status === 'delivered');
      },
      async () => {
        const by: Record<string, number> = {};
        for (const d of await deliveries()) by[d.status] = (by[d.status] ?? 0) + 1;
        return `every delivery delivered: ${JSON.stringify(by)}`;
      },
    );

    // Every event arrived, exactly once: no delivery was attempted by both nodes.
    const seen = receiver.requests.slice(seenBefore);
    const perEvent = new Map<string, number>();
    for (const r of seen) perEvent.set(r.webhookId, (perEvent.get(r.webhookId) ?? 0) + 1);
    for (const id of ids) assert.equal(perEvent.get(id), 1, `event ${id} arrived ${perEvent.get(id) ?? 0} times`);
    const perDelivery = new Map<string, number>();
    for (const r of receiver.requests) perDelivery.set(r.delivery, (perDelivery.get(r.delivery) ?? 0) + 1);
    const twice = [...perDelivery].filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], 'each x-gatrix-delivery reached the receiver once');
    const rows = await deliveries();
    for (const d of rows) assert.equal(perDelivery.get(String(d.id)), 1, `delivery ${d.id}`);

    const attempts = await a.db.db
      .selectFrom('webhook_attempts')
      .select(['delivery_id', (eb) => eb.fn.countAll<string>().as('n')])
      .where(
        'delivery_id',
        'in',
        rows.map((d) => d.id),
      )
      .groupBy('delivery_id')
      .execute();
    assert.equal(attempts.length, EVENTS, 'every delivery has its attempt recorded');
    assert.deepEqual(
      attempts.filter((x) => Number(x.n) !== 1),
      [],
      'exactly one recorded attempt per delivery',
    );

    // Both nodes did part of the work, and together exactly one attempt per delivery.
    const byNode = [a.services.worker.stats.attempts - attemptsBefore[0], b.services.worker.stats.attempts - attemptsBefore[1]];
    t.diagnostic(`attempts by node A: ${byNode[0]}, by node B: ${byNode[1]}`);
    assert.ok(byNode[0] > 0 && byNode[1] > 0, `both nodes delivered (A ${byNode[0]}, B ${byNode[1]})`);
    assert.equal(byNode[0] + byNode[1], EVENTS);
  });
});
