/** The request metrics histogram (monitoring/request-stats.ts): counts, mean, percentiles and windows. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRequestStats, PERCENTILE_RESOLUTION } from '../../src/monitoring/request-stats.ts';

describe('request statistics (unit)', () => {
  it('counts, mean and percentiles of 1…1000 ms are right to the histogram resolution', () => {
    let t = Date.parse('2026-01-01T00:00:00Z');
    const stats = createRequestStats(() => t);
    for (let ms = 1; ms <= 1000; ms++) stats.record('GET', '/x', ms % 100 === 0 ? 503 : ms % 10 === 0 ? 404 : 200, ms);
    const s = stats.summary();
    assert.equal(s.totalRequests, 1000);
    assert.equal(s.serverErrors, 10);
    assert.equal(s.clientErrors, 90);
    assert.equal(s.failedRequests, 100);
    assert.equal(s.successfulRequests, 900);
    assert.equal(s.successRate, 0.9);
    assert.equal(s.averageResponseTime, 500.5);
    for (const [p, want] of [[s.p50, 500], [s.p95, 950], [s.p99, 990]] as const) {
      assert.ok(p >= want && p <= want * PERCENTILE_RESOLUTION, `${p} is not within [${want}, ${want * PERCENTILE_RESOLUTION}]`);
    }
    // Windows: 20 minutes later the 5-minute and 1-hour windows hold only what came since.
    t += 20 * 60_000;
    stats.record('GET', '/x', 200, 7);
    assert.equal(stats.summary('5m').totalRequests, 1);
    assert.equal(stats.summary('1h').totalRequests, 1001);
    t += 2 * 3600_000;
    stats.record('GET', '/y', 200, 1);
    assert.equal(stats.summary('1h').totalRequests, 1);
    assert.equal(stats.summary('24h').totalRequests, 1002);
    assert.equal(stats.summary().totalRequests, 1002);
    assert.deepEqual(
      stats.summary().byRoute.map((r) => [r.route, r.totalRequests]),
      [['/x', 1001], ['/y', 1]],
    );
  });
});
