/**
 * The game-client routes' request log at the default level: a success is logged at info at most once a second per
 * route (the line counting the successes it skipped), the rest at debug; every 4xx keeps its info line, other
 * routes keep theirs, and the request metrics count every answer. Both entries (the fast path and the Fastify
 * route) share one sample. The log is read from the server's own lines; time is a test clock. Answers come from
 * memory, so one database (SQLite) is enough.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../src/logger.ts';
import { SAMPLE_INTERVAL_MS } from '../src/app/request-log.ts';
import { startHarness, TestClock } from './helpers.ts';

const V = '/api/v1/client/client-version';
const Q = `${V}?channel=PC&subChannel=Steam&version=1.0.0`;

interface Line {
  level: number;
  msg: string;
  reqId?: string;
  route?: string;
  status?: number;
  skipped?: number;
}
const INFO = 30;
const DEBUG = 20;

async function clientServer(logLevel: 'info' | 'debug') {
  const lines: Line[] = [];
  const logger = createLogger(
    { logLevel, logPretty: false },
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Line);
        cb();
      },
    }),
  );
  const clock = new TestClock();
  const h = await startHarness('sqlite', { clock, listen: true, logger });
  const admin = (await h.apiKey('admin')).key;
  const created = await h.call('POST', '/api/v1/client-versions', {
    headers: { 'x-api-key': admin },
    body: { channel: 'PC', subChannel: 'Steam', version: '1.0.0', status: 'ONLINE', gameServerAddress: 'game.example.com:7777', patchAddress: 'https://patch.example.com/' },
  });
  assert.equal(created.statusCode, 201, created.body);
  const key = { 'x-api-key': (await h.apiKey('client')).key };
  /** Over real HTTP (the fast path answers the plain successes); the request id of the answer. */
  const get = async (url: string, headers: Record<string, string> = key) => {
    const r = await fetch(`${h.baseUrl}${url}`, { headers });
    await r.arrayBuffer();
    return { status: r.status, reqId: r.headers.get('x-request-id')! };
  };
  const requestLines = () => lines.filter((l) => l.msg === 'request');
  const of = (reqId: string) => requestLines().filter((l) => l.reqId === reqId);
  return { h, clock, admin, key, get, requestLines, of };
}

describe('game-client request log, at info', () => {
  let s: Awaited<ReturnType<typeof clientServer>>;
  before(async () => {
    s = await clientServer('info');
  });
  after(() => s.h.close());

  it('logs one success a second per route at info, counting the ones it skipped; errors and other routes always', async () => {
    const first = await s.get(Q); // loads the snapshot: the Fastify route answers it
    const answeredBefore = s.h.fastPath!.answered;
    await Promise.all([1, 2, 3, 4, 5].map(() => s.get(Q)));
    assert.equal(s.h.fastPath!.answered - answeredBefore, 5, 'the fast path answered them');
    // The Fastify route's successes are in the same sample.
    const injected = await s.h.call('GET', Q, { headers: s.key });
    assert.equal(injected.statusCode, 200);
    const logged = s.requestLines().filter((l) => l.route === V);
    assert.deepEqual(logged.map((l) => [l.reqId, l.level, l.status, l.skipped]), [[first.reqId, INFO, 200, undefined]], 'one line for seven successes within a second');

    // Errors are always logged: a version that is not there (404) and a bad query (400), also within the second.
    const missing = await s.get(`${V}?channel=PC&subChannel=Steam&version=9.9.9`);
    const bad = await s.get(`${V}?channel=PC&subChannel=Steam&version=not-a-version`);
    const noKey = await s.get(Q, {});
    for (const [r, status] of [[missing, 404], [bad, 400], [noKey, 401]] as const) {
      assert.equal(r.status, status);
      assert.deepEqual(s.of(r.reqId).map((l) => [l.level, l.status]), [[INFO, status]]);
    }

    // A second later the next success is logged, with the six not logged since.
    s.clock.advance(SAMPLE_INTERVAL_MS);
    const next = await s.get(Q);
    assert.deepEqual(s.of(next.reqId).map((l) => [l.level, l.status, l.skipped]), [[INFO, 200, 6]]);
    const again = await s.get(Q);
    assert.deepEqual(s.of(again.reqId), [], 'not logged: within the second again');

    // Another route keeps a line per request.
    const worlds = await Promise.all([1, 2].map(() => s.get('/api/v1/game-worlds', { 'x-api-key': s.admin })));
    for (const w of worlds) assert.deepEqual(s.of(w.reqId).map((l) => [l.level, l.status]), [[INFO, 200]]);

    // The request metrics count every answer, logged or not: 9 successes and the three errors.
    const metrics = await s.h.call('GET', '/api/v1/monitoring/metrics', { headers: { 'x-api-key': s.admin } });
    const route = metrics.json<{ byRoute: { method: string; route: string; totalRequests: number; successfulRequests: number }[] }>().byRoute.find((r) => r.route === V);
    assert.deepEqual([route?.totalRequests, route?.successfulRequests], [12, 9]);
  });
});

describe('game-client request log, at debug', () => {
  let s: Awaited<ReturnType<typeof clientServer>>;
  before(async () => {
    s = await clientServer('debug');
  });
  after(() => s.h.close());

  it('writes every success: the sampled one at info, the others at debug', async () => {
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push((await s.get(Q)).reqId);
    assert.deepEqual(
      ids.map((id) => s.of(id).map((l) => l.level)),
      [[INFO], [DEBUG], [DEBUG], [DEBUG]],
    );
  });
});
