/**
 * The delivery worker's batched SQL, on both databases: claims by several nodes at once take disjoint sets, each
 * leased to the node that claimed it; and a recording batch that fails midway is rolled back whole, its deliveries
 * stay leased and are sent again, with the same webhook-id, once the lease ends.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/index.ts';
import { deliveryStore, type Claimed } from '../src/modules/webhooks/delivery-store.ts';
import { webhooksStore } from '../src/modules/webhooks/store.ts';
import { deliveryRow, eachDatabase, indexReads, openTestDatabase, PG_SKIP, startHarness, TestClock, WAIT_MS, webhookRow, type Harness } from './helpers.ts';

const PG = process.env.TEST_DATABASE_URL;


async function until(check: () => boolean | Promise<boolean>, what: string, ms = WAIT_MS): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** Makes the update that marks deliveries delivered fail (after the batch's attempt rows were inserted) until the returned function is called. */
async function failDeliveredUpdates(h: Harness): Promise<() => Promise<void>> {
  const db = h.db.db;
  if (h.kind === 'sqlite') {
    await sql
      .raw(
        `create trigger fail_delivered before update on webhook_deliveries when new.status = 'delivered' ` +
          `begin select raise(abort, 'injected recording failure'); end`,
      )
      .execute(db);
    return async () => {
      await sql.raw('drop trigger fail_delivered').execute(db);
    };
  }
  await sql
    .raw(
      `create function fail_delivered() returns trigger language plpgsql as $$ begin ` +
        `if new.status = 'delivered' then raise exception 'injected recording failure'; end if; return new; end $$`,
    )
    .execute(db);
  await sql.raw('create trigger fail_delivered before update on webhook_deliveries for each row execute function fail_delivered()').execute(db);
  return async () => {
    await sql.raw('drop trigger fail_delivered on webhook_deliveries').execute(db);
    await sql.raw('drop function fail_delivered()').execute(db);
  };
}

eachDatabase('webhook recording', (kind) => {
  let h: Harness;
  let admin: string;
  const clock = new TestClock();
  const received: string[] = [];
  let server: http.Server;
  let url: string;

  before(async () => {
    h = await startHarness(kind, { clock, env: { GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', GATRIX_WEBHOOK_TIMEOUT_MS: '3000' } });
    admin = (await h.apiKey('admin')).key;
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received.push(String(req.headers['webhook-id']));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  after(async () => {
    await h.close();
    await new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r())));
  });

  /** An endpoint the worker leaves alone (inactive): its deliveries are the test's to claim and record. */
  async function inactiveHook(): Promise<number> {
    const hook = await h.call('POST', '/api/v1/webhooks', { token: admin, body: { url, events: ['user.*'], active: false } });
    assert.equal(hook.statusCode, 201, hook.body);
    return hook.json<{ id: number }>().id;
  }

  it('a fan-out inserts every row as given, in order, and a repeated fan-out adds none; a batch of them is found and updated whole', async () => {
    const webhookId = await inactiveHook();
    const at = clock.now().toISOString();
    // More rows than one statement takes on either database; payloads with quotes, backslashes, Korean and emoji.
    const rows = Array.from({ length: 2345 }, (_, i) =>
      deliveryRow(webhookId, `evt_fan_${i}`, at, {
        payload: JSON.stringify({ i, note: `"따옴표" \\ 'x' 🎮 ${i}` }),
        attempts: i % 3,
        next_attempt_at: i % 2 ? at : null,
        leased_by: i % 5 === 0 ? `node-${i}` : null,
        last_status_code: i % 7 === 0 ? 503 : null,
        last_error: i % 7 === 0 ? 'HTTP 503' : null,
      }),
    );
    try {
      await webhooksStore(h.db.db).insertDeliveries(h.ctx.dialect, rows);
      const again = rows.slice(0, 10).map((r) => ({ ...r, payload: '{"changed":true}' }));
      await webhooksStore(h.db.db).insertDeliveries(h.ctx.dialect, again);
      const stored = await h.db.db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).orderBy('id').execute();
      assert.equal(stored.length, rows.length, 'the repeated rows were not added');
      stored.forEach((r, i) => {
        const { id, ...rest } = r;
        assert.ok(Number(id) > 0);
        assert.deepEqual({ ...rest, webhook_id: Number(rest.webhook_id), attempts: Number(rest.attempts), last_status_code: rest.last_status_code === null ? null : Number(rest.last_status_code) }, rows[i], `row ${i}`);
      });
      // More ids than one IN list takes on SQLite; one array parameter on PostgreSQL.
      const ids = stored.map((r) => Number(r.id));
      const store = deliveryStore(h.db.db, h.ctx.dialect);
      const missing = [ids[ids.length - 1] + 1_000_000, ids[ids.length - 1] + 1_000_001];
      assert.deepEqual([...(await store.existingDeliveries([...ids.slice(0, 1500), ...missing]))].sort((a, b) => a - b), ids.slice(0, 1500));
      const done = clock.now().toISOString();
      await store.updateDeliveries(ids.slice(5), { status: 'delivered', attempts: 1, delivered_at: done, last_error: null });
      const after = await h.db.db.selectFrom('webhook_deliveries').select(['id', 'status', 'delivered_at']).where('webhook_id', '=', webhookId).orderBy('id').execute();
      assert.deepEqual(
        after.map((r) => [r.status, r.delivered_at]),
        ids.map((_, i) => (i < 5 ? ['pending', null] : ['delivered', done])),
      );
    } finally {
      await h.db.db.deleteFrom('webhook_deliveries').where('webhook_id', '=', webhookId).execute();
    }
  });

  it('nodes claiming at once take disjoint sets, each delivery leased to the node that claimed it', async () => {
    const webhookId = await inactiveHook();
    const at = clock.now().toISOString();
    const rows = Array.from({ length: 600 }, (_, i) => deliveryRow(webhookId, `evt_claim_${i}`, at));
    await webhooksStore(h.db.db).insertDeliveries(h.ctx.dialect, rows);
    // Three nodes; on PostgreSQL each with its own connection pool, as separate processes would be.
    const extra = kind === 'postgres' && PG ? [openDatabase({ url: PG, pgSchema: h.db.schema }), openDatabase({ url: PG, pgSchema: h.db.schema })] : [];
    try {
      const handles = [h.db.db, ...extra.map((e) => e.db)];
      while (handles.length < 3) handles.push(h.db.db);
      const nodes = handles.map((db, i) => ({ id: `node-${i}`, store: deliveryStore(db, h.ctx.dialect) }));
      for (const n of nodes) await n.store.beat(n.id, clock.now().toISOString());
      const now = clock.now();
      const claims = new Map<string, Claimed[]>(nodes.map((n) => [n.id, []]));
      await Promise.all(
        nodes.map(async (n) => {
          for (;;) {
            const got = await n.store.claim({
              nodeId: n.id,
              at: now.toISOString(),
              leaseUntil: new Date(now.getTime() + 60_000).toISOString(),
              staleBefore: new Date(now.getTime() - 15_000).toISOString(),
              limit: 37,
              expired: true,
            });
            if (got.length === 0) return;
            claims.get(n.id)!.push(...got);
          }
        }),
      );
      const all = [...claims.values()].flat();
      assert.equal(all.length, rows.length, 'every delivery claimed');
      assert.equal(new Set(all.map((d) => d.id)).size, rows.length, 'no delivery claimed twice');
      const leased = await h.db.db.selectFrom('webhook_deliveries').select(['id', 'status', 'leased_by']).where('webhook_id', '=', webhookId).execute();
      for (const [nodeId, claimed] of claims) {
        const ids = new Set(claimed.map((d) => d.id));
        for (const r of leased.filter((l) => ids.has(Number(l.id)))) assert.deepEqual([r.status, r.leased_by], ['delivering', nodeId]);
      }
      if (kind === 'postgres') assert.ok([...claims.values()].filter((c) => c.length > 0).length >= 2, 'the pools took turns');
    } finally {
      for (const e of extra) await e.close();
      await h.db.db.deleteFrom('webhook_deliveries').where('webhook_id', '=', webhookId).execute();
      await h.db.db.deleteFrom('webhook_nodes').where('id', 'like', 'node-%').execute();
    }
  });

  it('a recording batch that fails midway is rolled back whole; its deliveries stay leased and are sent again after the lease, same webhook-id', async () => {
    const hook = await h.call('POST', '/api/v1/webhooks', { token: admin, body: { url, events: ['user.*'] } });
    assert.equal(hook.statusCode, 201, hook.body);
    const webhookId = hook.json<{ id: number }>().id;
    const restore = await failDeliveredUpdates(h);
    h.services.worker.start(50);
    for (let i = 0; i < 5; i++) {
      const r = await h.call('POST', '/api/v1/users', { token: admin, body: { username: `rec_${kind}_${i}`, email: `rec_${kind}_${i}@example.com` } });
      assert.equal(r.statusCode, 201, r.body);
    }
    const deliveries = () => h.db.db.selectFrom('webhook_deliveries').select(['id', 'event_id', 'status', 'attempts']).where('webhook_id', '=', webhookId).execute();
    const attemptRows = async () =>
      Number(
        (
          await h.db.db
            .selectFrom('webhook_attempts')
            .innerJoin('webhook_deliveries', 'webhook_deliveries.id', 'webhook_attempts.delivery_id')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('webhook_deliveries.webhook_id', '=', webhookId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    await until(async () => (await deliveries()).length === 5 && new Set(received).size >= 5, 'five deliveries sent once');
    const firstIds = (await deliveries()).map((d) => d.event_id);
    // Give the failing recording batches time to run (and roll back).
    await new Promise((r) => setTimeout(r, 300));
    let ds = await deliveries();
    assert.ok(
      ds.every((d) => d.status === 'delivering' && Number(d.attempts) === 0),
      `nothing recorded: ${JSON.stringify(ds)}`,
    );
    assert.equal(await attemptRows(), 0, 'no attempt row of the rolled-back batch');
    assert.equal(received.filter((id) => firstIds.includes(id)).length, 5, 'each sent once so far');

    await restore();
    // The lease (4 × the 3 s timeout + 60 s) ends; the poll takes the deliveries again.
    clock.advance(73_000);
    await until(async () => (await deliveries()).every((d) => d.status === 'delivered'), 'the deliveries sent again and recorded');
    ds = await deliveries();
    assert.ok(ds.every((d) => Number(d.attempts) === 1), JSON.stringify(ds));
    assert.equal(await attemptRows(), 5);
    for (const id of firstIds) assert.equal(received.filter((r) => r === id).length, 2, `event ${id} sent twice, same webhook-id`);
  });
});

describe('webhook claim plan [postgres]', { skip: PG_SKIP }, () => {
  it('a claim walks the due index in order, whatever the statistics say about the backlog', async () => {
    // Its own schema and one connection: the index statistics read below are this test's alone.
    const t = await openTestDatabase('postgres', 1);
    try {
      const { db, dialect } = t;
      const at = new Date().toISOString();
      const webhookId = await webhooksStore(db).insert(webhookRow('http://127.0.0.1:9/hook', at));
      // A backlog in a table never analyzed (a fresh install, or a burst faster than autovacuum's rounds).
      await sql`alter table webhook_deliveries set (autovacuum_enabled = false)`.execute(db);
      const backlog = Array.from({ length: 10_000 }, (_, i) =>
        deliveryRow(webhookId, `evt_plan_${i}`, at, { payload: JSON.stringify({ id: `evt_plan_${i}`, event: 'user.created', data: { note: 'x'.repeat(560) } }) }),
      );
      await webhooksStore(db).insertDeliveries(dialect, backlog);

      const got = await deliveryStore(db, dialect).claim({
        nodeId: 'node-plan',
        at,
        leaseUntil: new Date(Date.parse(at) + 60_000).toISOString(),
        staleBefore: new Date(Date.parse(at) - 15_000).toISOString(),
        limit: 64,
        expired: false,
      });
      assert.equal(got.length, 64);
      const dueIndex = await indexReads(db, 'webhook_deliveries_due_idx');
      assert.ok(dueIndex.read < 500, `the claim read ${dueIndex.read} index entries for 64 rows of a 10,000-deep backlog`);
    } finally {
      await t.drop();
    }
  });
});
