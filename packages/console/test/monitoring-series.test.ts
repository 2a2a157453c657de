import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MonitoringTimeSeries } from '../src/api/generated/model/monitoringTimeSeries.ts';
import { columns, formatMs, formatPercent, sortRows, totals } from '../src/screens/monitoring/series.ts';

const point = (at: string, p: Partial<MonitoringTimeSeries['points'][number]> = {}) => ({ at, requests: 0, errors: 0, p95: null, webhooksDelivered: 0, webhooksFailed: 0, queueDepth: 0, sockets: 0, ...p });
const ts: MonitoringTimeSeries = {
  window: '15m',
  stepSeconds: 60,
  points: [
    point('2026-01-01T00:00:00.000Z', { requests: 100, errors: 2, p95: 12, webhooksDelivered: 3, webhooksFailed: 1, queueDepth: 5, sockets: 4 }),
    point('2026-01-01T00:01:00.000Z', { requests: 20, p95: 30, queueDepth: 1, sockets: 7 }),
    point('2026-01-01T00:02:00.000Z'),
  ],
};

test('columns: one value per step, ratios null where nothing happened', () => {
  const c = columns(ts);
  assert.deepEqual(c.x, [1767225600, 1767225660, 1767225720]);
  assert.deepEqual(c.errorRate, [0.02, 0, null]);
  assert.deepEqual(c.webhookSuccess, [0.75, null, null]);
  assert.deepEqual(c.p95, [12, 30, null]);
});

test('totals: sums over the window, the latest p95 with traffic, gauges from the last step', () => {
  const s = totals(ts);
  assert.equal(s.requests, 120);
  assert.equal(s.requestsPerMinute, 40);
  assert.equal(s.errorRate, 2 / 120);
  assert.equal(s.p95, 30);
  assert.equal(s.webhookSuccess, 0.75);
  assert.equal(s.queueDepth, 0);
  assert.equal(s.sockets, 0);
  assert.equal(totals({ ...ts, points: [] }).errorRate, null);
});

test('formatting and sorting', () => {
  assert.equal(formatMs(null), '—');
  assert.equal(formatMs(0.42), '0.42 ms');
  assert.equal(formatMs(12.4), '12 ms');
  assert.equal(formatMs(1500), '1.5 s');
  assert.equal(formatPercent(null), '—');
  assert.equal(formatPercent(0.0123, 'en'), '1.23%');
  const rows = [{ r: 'b', n: 2 }, { r: 'a', n: 10 }, { r: 'c', n: 1 }];
  assert.deepEqual(sortRows(rows, '-n').map((x) => x.n), [10, 2, 1]);
  assert.deepEqual(sortRows(rows, 'r').map((x) => x.r), ['a', 'b', 'c']);
  assert.deepEqual(sortRows(rows, undefined), rows);
});
