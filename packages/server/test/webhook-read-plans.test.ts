/**
 * SQLite: the webhook health figures and the deliveries list filtered by event are read through indexes, not by
 * walking every retained delivery and attempt (30 days of a busy endpoint are millions of rows, and a SQLite node's
 * event loop waits for the read; measured in docs/performance.md, "Webhook health at a million deliveries"). What
 * they answer is also checked against the tables counted directly. (test/webhook-health.test.ts and
 * test/webhooks.test.ts hold their meaning on both databases.)
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import type { Database } from '../src/db/schema.ts';
import { webhookHealth } from '../src/modules/webhooks/health.ts';
import type { DeliveryStatus } from '../src/modules/webhooks/schemas.ts';
import { webhooksStore } from '../src/modules/webhooks/store.ts';
import { openTestDatabase, type TestDatabase } from './helpers.ts';

let t: TestDatabase;
let sqlite: SQLite.Database;
const NOW = new Date('2026-12-03T12:00:00.000Z');
/** The event types of the deliveries, in turn. */
const EVENT_TYPES = ['world.updated', 'world.updated', 'whitelist.updated', 'user.updated', 'notice.created'];
/** Deliveries of the endpoint with a history. */
const HISTORY = 50_000;
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();

before(async () => {
  t = await openTestDatabase('sqlite');
  sqlite = new SQLite(t.file!);
  const webhook = sqlite.prepare(`insert into webhooks (id, url, events, secret_enc, headers, active, created_at, updated_at) values (?, ?, '["*"]', 'x', '{}', 1, ?, ?)`);
  for (const id of [1, 2, 3, 4]) webhook.run(id, `https://example.com/${id}`, at(0), at(0));
  const delivery = sqlite.prepare(
    `insert into webhook_deliveries (webhook_id, event_id, event_type, payload, status, attempts, next_attempt_at, created_at, updated_at, event_created_at)
     values (?, ?, ?, '{}', ?, ?, ?, ?, ?, ?)`,
  );
  const attempt = sqlite.prepare(
    `insert into webhook_attempts (delivery_id, attempt, request_headers, response_status, duration_ms, error, created_at) values (?, ?, '{}', ?, 1, ?, ?)`,
  );
  let n = 0;
  // [webhook, status, attempts: [minutes ago, response status or null]]
  const rows: [number, string, [number, number | null][]][] = [
    [1, 'delivered', [[3000, 200]]], // two days ago: outside the day's rate
    [1, 'delivered', [[50, 503], [40, 200]]],
    [1, 'failed', [[30, null], [20, 500]]],
    [1, 'pending', [[10, 503]]],
    [1, 'delivered', [[5, 200]]],
    [2, 'delivered', [[200, 200]]],
    [2, 'delivering', []],
    [2, 'pending', []],
    [3, 'failed', [[100, 404]]],
  ];
  // Endpoint 4: a month of history, delivered at the first attempt; the plans below are those of a table that size
  // (SQLite's planner picks by the statistics ANALYZE keeps, as `pragma optimize` keeps them on a node).
  for (let i = 0; i < HISTORY; i++) rows.push([4, 'delivered', [[2 * 24 * 60 + ((HISTORY - i) * 30 * 24 * 60) / HISTORY, 200]]]);
  sqlite.transaction(() => {
    for (const [webhookId, status, attempts] of rows) {
      const created = at(attempts[0]?.[0] ?? 1);
      const type = EVENT_TYPES[n % EVENT_TYPES.length];
      const id = Number(delivery.run(webhookId, `evt_${++n}`, type, status, attempts.length, status === 'pending' ? at(0) : null, created, created, created).lastInsertRowid);
      attempts.forEach(([ago, code], i) => attempt.run(id, i + 1, code, code === null ? 'connect ECONNREFUSED' : null, at(ago)));
    }
  })();
  sqlite.exec('analyze');
});

after(async () => {
  sqlite.close();
  await t.drop();
});

/** A Kysely on a connection of its own to the test's database that keeps the statements it runs, and their query plans. */
function recording() {
  const seen: CompiledQuery[] = [];
  const connection = new SQLite(t.file!);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }), log: (e) => void (e.level === 'query' && seen.push(e.query)) });
  /** Each plan line, with the start of its statement. */
  const plans = () =>
    [...new Map(seen.map((q) => [q.sql, q])).values()].flatMap((q) =>
      (connection.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])) as { detail: string }[]).map((r) => `${r.detail}   ← ${q.sql.slice(0, 80)}`),
    );
  return { db, plans };
}

it('webhook health: the figures of each endpoint, read through indexes [sqlite]', async () => {
  const { db, plans } = recording();
  const endpoints = (await db.selectFrom('webhooks').selectAll().orderBy('id').execute()).map((w) => ({ ...w, id: Number(w.id) }));
  const health = await webhookHealth(db, endpoints, NOW);

  // The figures, against the tables read directly.
  for (const h of health) {
    const byStatus = sqlite.prepare('select status, count(*) as n from webhook_deliveries where webhook_id = ? group by status').all(h.webhookId) as { status: string; n: number }[];
    const expected = { pending: 0, delivering: 0, delivered: 0, failed: 0, ...Object.fromEntries(byStatus.map((r) => [r.status, r.n])) };
    assert.deepEqual(h.deliveries, expected, `deliveries by status of endpoint ${h.webhookId}`);
    assert.equal(h.queueDepth, expected.pending + expected.delivering);
  }
  const [one, two, three, four] = health;
  assert.equal(four.deliveries.delivered, HISTORY);
  assert.equal(four.attempts24h, 0, 'its history is older than a day');
  assert.equal(one.attempts24h, 6, 'the day: every attempt of endpoint 1 but the one two days ago');
  assert.equal(one.attempts1h, 6);
  assert.equal(one.successRate24h, 2 / 6);
  assert.deepEqual(one.lastSuccess, { at: at(5), statusCode: 200 });
  assert.deepEqual(one.lastFailure, { at: at(10), statusCode: 503, error: null });
  assert.deepEqual(two.lastFailure, null, 'endpoint 2 never failed (the failures of 1 and 3 are not its)');
  assert.deepEqual(two.lastSuccess, { at: at(200), statusCode: 200 });
  assert.equal(two.attempts1h, 0);
  assert.equal(two.attempts24h, 1);
  assert.deepEqual(three.lastFailure, { at: at(100), statusCode: 404, error: null });
  assert.equal(three.lastSuccess, null);

  // How each statement reads.
  const all = plans();
  for (const line of all) {
    assert.doesNotMatch(line, /^SCAN (d|webhook_deliveries)\b/, 'no statement walks every delivery');
    assert.doesNotMatch(line, /TEMP B-TREE FOR ORDER BY/, 'no statement sorts what it reads');
  }
  assert.ok(all.some((l) => l.includes('USING INDEX webhook_attempts_created_idx')), `the rates read their window of attempts by time:\n${all.join('\n')}`);
  assert.ok(all.some((l) => l.includes('USING INDEX webhook_attempts_failed_idx')), `the last failure is looked for among failures:\n${all.join('\n')}`);
  assert.ok(all.some((l) => l.includes('USING COVERING INDEX webhook_deliveries_webhook_idx') && l.includes('count(*)')), `totals from the endpoint index:\n${all.join('\n')}`);
  assert.ok(all.some((l) => l.includes('USING INDEX webhook_deliveries_due_idx (status=?)')), `deliveries not delivered from the due index:\n${all.join('\n')}`);
  await db.destroy();
});

/** The page and total of the list with these filters, against the table read directly. */
async function checkList(store: ReturnType<typeof webhooksStore>, webhookId: number, f: { event?: string; status?: DeliveryStatus }) {
  const page = await store.deliveries(webhookId, { page: 1, limit: 50, ...f });
  const ids = (
    sqlite
      .prepare(`select id from webhook_deliveries where webhook_id = ? and (? is null or event_type = ?) and (? is null or status = ?) order by id desc`)
      .all(webhookId, f.event ?? null, f.event ?? null, f.status ?? null, f.status ?? null) as { id: number }[]
  ).map((r) => r.id);
  const what = `endpoint ${webhookId}, ${JSON.stringify(f)}`;
  assert.equal(page.total, ids.length, `the total of ${what}`);
  assert.deepEqual(
    page.data.map((d) => d.id),
    ids.slice(0, 50),
    `the newest page of ${what}`,
  );
}

it("the deliveries list filtered by event reads that event's deliveries only [sqlite]", async () => {
  const { db, plans } = recording();
  const store = webhooksStore(db);
  for (const event of ['notice.created', 'world.updated', 'webhook.test']) await checkList(store, 4, { event });
  const all = plans();
  for (const line of all) {
    assert.doesNotMatch(line, /^SCAN/, 'no statement walks a table');
    assert.doesNotMatch(line, /TEMP B-TREE/, 'no statement sorts what it reads');
    assert.match(line, /webhook_deliveries_event_type_idx \(webhook_id=\? AND event_type=\?\)/, 'the page and its count read the event\'s index range');
  }
  await db.destroy();
});

it('the deliveries list counts delivered ones from indexes [sqlite]', async () => {
  const { db, plans } = recording();
  const store = webhooksStore(db);
  for (const webhookId of [1, 2, 3, 4]) {
    for (const status of ['delivered', 'pending', 'failed'] as const) await checkList(store, webhookId, { status });
    await checkList(store, webhookId, { status: 'delivered', event: 'world.updated' });
  }
  const counts = plans().filter((l) => l.includes('count(*)') && /^(SEARCH|SCAN) (?!CONSTANT ROW)/.test(l)); // the reads of tables
  assert.ok(counts.length > 0);
  for (const line of counts) {
    // Each count is of index entries: the endpoint's (and event's) range, or the due index's few undelivered rows.
    assert.match(line, /USING (COVERING INDEX webhook_deliveries_(webhook|event_type)_idx|INDEX webhook_deliveries_due_idx \(status=\?\))/, `a count reads an index:\n${counts.join('\n')}`);
  }
  await db.destroy();
});
