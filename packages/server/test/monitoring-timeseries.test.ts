import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { ConfigError } from '../src/config.ts';
import { bucketOf } from '../src/monitoring/request-stats.ts';
import { createTimeSeries } from '../src/monitoring/timeseries.ts';
import { eachDatabase, startHarness, testConfig, until, type Harness } from './helpers.ts';

const minuteNow = () => new Date(Date.now() - (Date.now() % 60_000)).toISOString();

eachDatabase('monitoring time series', (kind) => {
  let h: Harness;
  let receiver: http.Server;
  before(async () => {
    h = await startHarness(kind, { env: { GATRIX_TIMESERIES_FLUSH_MS: '100', GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
    h.services.worker.start(50);
    receiver = http.createServer((req, res) => req.resume().on('end', () => res.end('ok')));
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
    await h.close();
  });

  const rowsOf = (node: string) => h.db.db.selectFrom('metric_minutes').selectAll().where('node_id', '=', node).execute();
  const series = async (window?: string, token = h.adminToken) => h.call('GET', `/api/v1/monitoring/timeseries${window ? `?window=${window}` : ''}`, { token });
  const total = (points: { requests: number }[]) => points.reduce((n, p) => n + p.requests, 0);

  it('each node writes its minute on the flush interval: real requests, webhook deliveries and 5xx show in the series', async () => {
    for (let i = 0; i < 10; i++) assert.equal((await h.call('GET', '/healthz')).statusCode, 200);
    // Written by the timer, without any read asking for it.
    await until(async () => {
      const rows = await h.db.db.selectFrom('metric_minutes').select(['requests']).execute();
      return rows.reduce((n, r) => n + Number(r.requests), 0) >= 10;
    }, 'the flush timer wrote the requests');

    const hook = await h.call('POST', '/api/v1/webhooks', { token: h.adminToken, body: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/h`, events: ['whitelist.*'] } });
    assert.equal(hook.statusCode, 201, hook.body);
    await h.call('POST', '/api/v1/whitelist', { token: h.adminToken, body: { type: 'account', value: 'series-1' } });
    await until(async () => total((await series('15m')).json().points.map((p: { webhooksDelivered: number }) => ({ requests: p.webhooksDelivered }))) >= 1, 'a delivery in the series');

    await sql`drop table world_instances`.execute(h.db.db); // it references game_worlds
    await sql`drop table game_worlds`.execute(h.db.db);
    for (let i = 0; i < 3; i++) assert.equal((await h.call('GET', '/api/v1/game-worlds', { token: h.adminToken })).statusCode, 500);

    const r = await series('15m');
    assert.equal(r.statusCode, 200, r.body);
    const b = r.json();
    assert.equal(b.window, '15m');
    assert.equal(b.stepSeconds, 60);
    assert.equal(b.points.length, 15);
    const last = b.points[14];
    assert.ok(last.at === minuteNow() || b.points[13].at === minuteNow(), 'the last point is the current minute');
    assert.ok(total(b.points) >= 15, `requests ${total(b.points)}`);
    assert.ok(b.points.reduce((n: number, p: { errors: number }) => n + p.errors, 0) >= 3, 'the 5xx answers');
    assert.ok(b.points.some((p: { p95: number | null }) => p.p95 !== null && p.p95 > 0));
    assert.ok(b.points.every((p: { requests: number; p95: number | null }) => (p.requests === 0) === (p.p95 === null)));
    for (const p of b.points) assert.equal(Date.parse(p.at) % 60_000, 0);
  });

  it('reads add every node up: counts and histograms summed (cluster p95), sockets summed, queue depth the largest', async () => {
    const minute = minuteNow();
    const before = (await series('15m')).json().points.find((p: { at: string }) => p.at === minute) ?? { requests: 0, errors: 0, sockets: 0 };
    await h.db.db
      .insertInto('metric_minutes')
      .values({ node_id: 'other-node', minute, requests: 1000, errors: 7, latency: JSON.stringify({ [bucketOf(5000)]: 1000 }), webhooks_delivered: 2, webhooks_failed: 3, queue_depth: 9, sockets: 5, updated_at: new Date().toISOString() })
      .execute();
    const now = (await series('15m')).json().points.find((p: { at: string }) => p.at === minute);
    assert.ok(now.requests >= before.requests + 1000);
    assert.ok(now.errors >= before.errors + 7);
    assert.ok(now.p95 >= 5000 && now.p95 < 5000 * 1.091, `p95 ${now.p95}: the slow node dominates the merged histogram`);
    assert.ok(now.sockets >= 5);
    assert.ok(now.queueDepth >= 9);
    assert.ok(now.webhooksFailed >= 3);

    const day = (await series('24h')).json();
    assert.equal(day.stepSeconds, 3600);
    assert.equal(day.points.length, 24);
    const hour = day.points[23];
    assert.equal(Date.parse(hour.at) % 3_600_000, 0);
    assert.ok(hour.requests >= 1000);
    const def = (await series()).json();
    assert.equal(def.window, '1h');
    assert.equal(def.points.length, 60);
  });

  it('validation and permission: an unknown window is a 400 naming it; viewers may read, players may not', async () => {
    const bad = await series('2h');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].path, 'query.window');
    const viewer = await h.userToken('viewer');
    assert.equal((await series('1h', viewer.token)).statusCode, 200);
    const player = await h.userToken('player');
    assert.equal((await series('1h', player.token)).statusCode, 403);
  });

  it('rows older than 25 hours are deleted when a node writes', async () => {
    const old = new Date(Date.now() - 26 * 3_600_000);
    const oldMinute = new Date(old.getTime() - (old.getTime() % 60_000)).toISOString();
    await h.db.db
      .insertInto('metric_minutes')
      .values({ node_id: 'gone-node', minute: oldMinute, requests: 1, errors: 0, latency: '{}', webhooks_delivered: 0, webhooks_failed: 0, queue_depth: 0, sockets: 0, updated_at: oldMinute })
      .execute();
    const s = createTimeSeries({ flushMs: 60_000, log: pino({ level: 'silent' }), nodeId: 'pruner' });
    s.attach(h.db.db, { webhooks: () => ({ delivered: 0, failedAttempts: 0 }), webhookQueueDepth: async () => 0, sockets: () => ({ connections: 0 }) });
    await s.flush();
    assert.deepEqual(await rowsOf('gone-node'), []);
    assert.equal((await rowsOf('pruner')).length, 1);
  });
});

eachDatabase('monitoring time series at shutdown', (kind) => {
  it('a node closing writes what it counted since its last write', async () => {
    // A flush interval far longer than the test: only the shutdown writes.
    const h = await startHarness(kind, { env: { GATRIX_TIMESERIES_FLUSH_MS: '60000' } });
    try {
      const before = Number((await h.db.db.selectFrom('metric_minutes').select((eb) => eb.fn.sum<number>('requests').as('n')).executeTakeFirst())?.n ?? 0);
      for (let i = 0; i < 7; i++) await h.call('GET', '/healthz');
      await h.app.close();
      const rows = await h.db.db.selectFrom('metric_minutes').select(['requests']).execute();
      assert.ok(rows.reduce((n, r) => n + Number(r.requests), 0) >= before + 7);
    } finally {
      await h.db.drop();
    }
  });
});

it('GATRIX_TIMESERIES_FLUSH_MS out of range or not a number fails at start naming the variable', () => {
  for (const v of ['5', 'soon', '600000']) {
    assert.throws(() => testConfig({ GATRIX_TIMESERIES_FLUSH_MS: v }), (err: unknown) => err instanceof ConfigError && err.variable === 'GATRIX_TIMESERIES_FLUSH_MS');
  }
  assert.equal(testConfig({ GATRIX_TIMESERIES_FLUSH_MS: '250' }).monitoring.timeseriesFlushMs, 250);
  assert.equal(testConfig().monitoring.timeseriesFlushMs, 60_000);
});
