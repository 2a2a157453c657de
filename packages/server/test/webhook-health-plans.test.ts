/**
 * SQLite: the webhook health figures are read through indexes, not by walking every retained delivery and attempt
 * (30 days of a busy endpoint are millions of rows, and a SQLite node's event loop waits for the read; measured in
 * docs/performance.md, "Webhook health at a million deliveries"). The health of each endpoint is also checked
 * against the figures counted from the tables directly. (test/webhook-health.test.ts holds the figures' meaning on
 * both databases.)
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import type { Database } from '../src/db/schema.ts';
import { webhookHealth } from '../src/modules/webhooks/health.ts';
import { openTestDatabase, type TestDatabase } from './helpers.ts';

let t: TestDatabase;
let sqlite: SQLite.Database;
const NOW = new Date('2026-12-03T12:00:00.000Z');
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
     values (?, ?, 'world.updated', '{}', ?, ?, ?, ?, ?, ?)`,
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
      const id = Number(delivery.run(webhookId, `evt_${++n}`, status, attempts.length, status === 'pending' ? at(0) : null, created, created, created).lastInsertRowid);
      attempts.forEach(([ago, code], i) => attempt.run(id, i + 1, code, code === null ? 'connect ECONNREFUSED' : null, at(ago)));
    }
  })();
  sqlite.exec('analyze');
});

after(async () => {
  sqlite.close();
  await t.drop();
});

it('webhook health: the figures of each endpoint, read through indexes [sqlite]', async () => {
  const seen: CompiledQuery[] = [];
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }), log: (e) => void (e.level === 'query' && seen.push(e.query)) });
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
  const plans = [...new Map(seen.map((q) => [q.sql, q])).values()].map((q) => ({
    sql: q.sql,
    plan: (sqlite.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])) as { detail: string }[]).map((r) => r.detail),
  }));
  const all = plans.flatMap((p) => p.plan.map((line) => `${line}   ← ${p.sql.slice(0, 80)}`));
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
