/**
 * Monitoring: the request metrics are right (counted against the server's own request log lines), the
 * Prometheus endpoint is valid exposition text with the documented families and refuses strangers, server
 * errors are grouped and kept with their request id and forwarded to a Sentry-protocol tracker, and no secret
 * reaches a log line.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { io as connect } from 'socket.io-client';
import { createLogger } from '../src/logger.ts';
import { PERCENTILE_RESOLUTION, type RequestSummary, type RouteSummary } from '../src/monitoring/request-stats.ts';
import { eachDatabase, startHarness, until, WAIT_MS, type Harness } from './helpers.ts';

const METRICS_TOKEN = 'scrape-token-0123456789abcdef';

/** A logger at `level` whose JSON lines are kept in `lines`, with the production redaction. */
function captureLogger(level: 'info' | 'trace') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, logger: createLogger({ logLevel: level, logPretty: false }, stream) };
}

/** The true percentile of a sample: the value at rank ceil(p·n). */
function truePercentile(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1];
}

type Summary = RequestSummary & { byRoute: RouteSummary[] };

/** Parses Prometheus text exposition (format 0.0.4) strictly; throws on any line that is not valid. */
function parseExposition(text: string) {
  const types = new Map<string, string>();
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const sampleRe = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
  const labelRe = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(?:,|$)/;
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = new RegExp(`^# (HELP|TYPE) (${NAME})(?: (.*))?$`).exec(line);
      assert.ok(m, `line ${i + 1} is not a valid comment: ${line}`);
      if (m[1] === 'TYPE') {
        assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3] ?? ''), `line ${i + 1}: bad type`);
        assert.ok(!types.has(m[2]), `line ${i + 1}: ${m[2]} typed twice`);
        types.set(m[2], m[3]!);
      }
      continue;
    }
    const m = sampleRe.exec(line);
    assert.ok(m, `line ${i + 1} is not a valid sample: ${line}`);
    const labels: Record<string, string> = {};
    let rest = m[2] ?? '';
    while (rest.length > 0) {
      const l = labelRe.exec(rest);
      assert.ok(l, `line ${i + 1}: bad labels: ${m[2]}`);
      labels[l[1]] = l[2];
      rest = rest.slice(l[0].length);
    }
    // Values are what Go's strconv.ParseFloat reads (Prometheus's parser): numbers, and NaN/Inf in any case.
    const special = /^([+-]?)(nan|inf|infinity)$/i.exec(m[3]);
    const value = special ? (special[2].toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity) : Number(m[3]);
    assert.ok(special || (m[3] !== '' && !Number.isNaN(value)), `line ${i + 1}: bad value ${m[3]}`);
    samples.push({ name: m[1], labels, value });
  }
  return { types, samples };
}

eachDatabase('monitoring', (kind) => {
  let h: Harness;
  let lines: string[];
  let operator: string;
  let player: string;
  let sentryHits: { headers: IncomingHttpHeaders; body: string }[];
  let sentry: ReturnType<typeof createServer>;

  before(async () => {
    sentryHits = [];
    sentry = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        sentryHits.push({ headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => sentry.listen(0, '127.0.0.1', r));
    const port = (sentry.address() as AddressInfo).port;
    const capture = captureLogger('trace');
    lines = capture.lines;
    h = await startHarness(kind, {
      logger: capture.logger,
      env: { METRICS_TOKEN, SENTRY_DSN: `http://publickey@127.0.0.1:${port}/42`, SENTRY_ENVIRONMENT: 'test', GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' },
      listen: true,
    });
    h.services.dispatcher.start();
    h.services.worker.start(50);
    operator = (await h.userToken('operator')).token;
    player = (await h.userToken('player')).token;
  });
  after(async () => {
    await h.close();
    sentry.close();
  });

  const metrics = async (query = '') => {
    const r = await h.call('GET', `/api/v1/monitoring/metrics${query}`, { token: operator });
    assert.equal(r.statusCode, 200, r.body);
    return r.json<Summary>();
  };
  // Its instances first: they reference it.
  const dropWorlds = async () => {
    await sql`drop table world_instances`.execute(h.db.db);
    await sql`drop table game_worlds`.execute(h.db.db);
  };

  it('counts a known mix exactly, with the exact mean and percentiles within the histogram resolution', async () => {
    const before = await metrics();
    const n = 60;
    const m = 8;
    const k = 12;
    const mine = new Set<string>();
    const send = async (method: string, url: string, opts: Parameters<Harness['call']>[2]) => {
      const r = await h.call(method, url, opts);
      mine.add(r.headers['x-request-id'] as string);
      return r.statusCode;
    };
    for (let i = 0; i < n; i++) assert.equal(await send('GET', '/healthz', {}), 200);
    // Slow: a login runs scrypt.
    for (let i = 0; i < m; i++) assert.equal(await send('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'admin-password-1' } }), 200);
    for (let i = 0; i < k; i++) assert.equal(await send('GET', `/api/v1/users/${900_000 + i}`, { token: h.adminToken }), 404);

    const after = await metrics();
    assert.equal(after.totalRequests - before.totalRequests, n + m + k + 1, 'the mix and the first metrics call');
    assert.equal(after.clientErrors - before.clientErrors, k);
    assert.equal(after.serverErrors - before.serverErrors, 0);
    const route = (s: Summary, method: string, r: string) => s.byRoute.find((x) => x.method === method && x.route === r);
    assert.equal(route(after, 'GET', '/healthz')?.totalRequests, n);
    assert.equal(route(after, 'GET', '/api/v1/users/:id')?.totalRequests, k);
    assert.equal(route(after, 'GET', '/api/v1/users/:id')?.clientErrors, k);
    assert.equal(route(after, 'GET', '/api/v1/users/:id')?.successRate, 0);
    assert.ok(!after.byRoute.some((x) => /\/\d+(\/|$)/.test(x.route)), 'routes are templates, never raw paths');

    // The server's own request lines give every duration (to 0.01 ms): the figures must agree with them.
    const logged = lines
      .map((l) => JSON.parse(l) as { msg: string; reqId?: string; ms?: number; route?: string })
      .filter((l) => l.msg === 'request' && l.reqId && mine.has(l.reqId));
    assert.equal(logged.length, n + m + k);
    for (const [routeName, method] of [['/healthz', 'GET'], ['/api/v1/auth/login', 'POST']] as const) {
      const ms = logged.filter((l) => l.route === routeName).map((l) => l.ms!);
      const all = after.byRoute.find((x) => x.route === routeName && x.method === method)!;
      if (routeName === '/healthz') {
        // Only this test calls /healthz, so its figures are exactly this sample's.
        const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
        assert.ok(Math.abs(all.averageResponseTime - mean) <= 0.006, `mean ${all.averageResponseTime} vs ${mean} from the log`);
        const sorted = [...ms].sort((a, b) => a - b);
        for (const p of ['p50', 'p95', 'p99'] as const) {
          const want = truePercentile(sorted, Number(p.slice(1)) / 100);
          assert.ok(
            all[p] >= want - 0.006 && all[p] <= (want + 0.006) * PERCENTILE_RESOLUTION,
            `${routeName} ${p}=${all[p]} is not within the resolution of ${want}`,
          );
        }
      }
    }
    // Slow logins sit above fast health checks.
    const login = route(after, 'POST', '/api/v1/auth/login')!;
    assert.ok(login.p50 > route(after, 'GET', '/healthz')!.p99, 'scrypt logins are slower than health checks');

    // The JSON figures and the Prometheus histogram are fed by the same observations.
    const scrape = await h.call('GET', '/metrics', { token: METRICS_TOKEN });
    const { samples } = parseExposition(scrape.body);
    const count = samples.filter((s) => s.name === 'gatrix_http_request_duration_seconds_count' && s.labels.route === '/healthz').reduce((a, s) => a + s.value, 0);
    const sum = samples.filter((s) => s.name === 'gatrix_http_request_duration_seconds_sum' && s.labels.route === '/healthz').reduce((a, s) => a + s.value, 0);
    assert.equal(count, n);
    const healthz = route(after, 'GET', '/healthz')!;
    assert.ok(Math.abs((sum * 1000) / count - healthz.averageResponseTime) < 0.001, 'Prometheus sum/count equals the JSON mean');
  });

  it('gives recent windows and refuses a bad window or a caller without monitoring rights', async () => {
    assert.ok((await metrics('?window=5m')).totalRequests > 0);
    const bad = await h.call('GET', '/api/v1/monitoring/metrics?window=7d', { token: operator });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /window/);
    assert.equal((await h.call('GET', '/api/v1/monitoring/metrics', { token: player })).statusCode, 403);
    assert.equal((await h.call('GET', '/api/v1/monitoring/metrics')).statusCode, 401);
  });

  it('counts webhook deliveries, their latency, live sockets and emitted events', async () => {
    const receiver = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const socket = connect(h.baseUrl, { auth: { token: h.adminToken }, transports: ['websocket'] });
    try {
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
      const hook = await h.call('POST', '/api/v1/webhooks', {
        token: h.adminToken,
        body: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, events: ['world.*'], active: true },
      });
      assert.equal(hook.statusCode, 201, hook.body);
      const heard = new Promise((resolve) => socket.once('world_created', resolve));
      assert.equal((await h.call('POST', '/api/v1/game-worlds', { token: h.adminToken, body: { worldId: 'metrics-w1', name: 'M' } })).statusCode, 201);
      await heard;
      const value = (samples: ReturnType<typeof parseExposition>['samples'], name: string, labels: Record<string, string> = {}) =>
        samples.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v)).reduce((a, x) => a + x.value, 0);
      let samples: ReturnType<typeof parseExposition>['samples'] = [];
      // The delivered counter moves inside the recording transaction, the queue depth after it commits: wait for both.
      await until(async () => {
        samples = parseExposition((await h.call('GET', '/metrics', { token: METRICS_TOKEN })).body).samples;
        return value(samples, 'gatrix_webhook_deliveries_total', { outcome: 'delivered' }) >= 1 && value(samples, 'gatrix_webhook_queue_depth') === 0;
      }, 'the delivery counted and the queue empty');
      assert.equal(value(samples, 'gatrix_webhook_deliveries_total', { outcome: 'delivered' }), 1);
      assert.equal(value(samples, 'gatrix_webhook_attempts_total'), 1);
      assert.equal(value(samples, 'gatrix_webhook_event_to_delivery_seconds_count'), 1);
      assert.ok(value(samples, 'gatrix_webhook_event_to_delivery_seconds_sum') > 0);
      assert.equal(value(samples, 'gatrix_webhook_queue_depth'), 0);
      assert.equal(value(samples, 'gatrix_socket_connections'), 1);
      assert.ok(value(samples, 'gatrix_socket_events_emitted_total') >= 1);
      assert.ok(value(samples, 'gatrix_outbox_lag_seconds') < 5);
    } finally {
      socket.close();
      receiver.close();
    }
  });

  it('serves valid Prometheus text with every documented family, to staff or the METRICS_TOKEN only', async () => {
    assert.equal((await h.call('GET', '/metrics')).statusCode, 401);
    assert.equal((await h.call('GET', '/metrics', { token: 'scrape-token-wrong-0000000000' })).statusCode, 401);
    assert.equal((await h.call('GET', '/metrics', { token: player })).statusCode, 403);
    const staff = await h.call('GET', '/metrics', { token: operator });
    assert.equal(staff.statusCode, 200);
    const r = await h.call('GET', '/metrics', { token: METRICS_TOKEN });
    assert.equal(r.statusCode, 200);
    assert.match(r.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
    const { types, samples } = parseExposition(r.body);
    const families: Record<string, string> = {
      gatrix_http_request_duration_seconds: 'histogram',
      gatrix_http_requests_in_flight: 'gauge',
      gatrix_webhook_deliveries_total: 'counter',
      gatrix_webhook_attempts_total: 'counter',
      gatrix_webhook_attempt_failures_total: 'counter',
      gatrix_webhook_in_flight: 'gauge',
      gatrix_webhook_queue_depth: 'gauge',
      gatrix_webhook_event_to_delivery_seconds: 'histogram',
      gatrix_socket_connections: 'gauge',
      gatrix_socket_events_emitted_total: 'counter',
      gatrix_socket_recovery_buffer_events: 'gauge',
      gatrix_socket_recovery_buffer_bytes: 'gauge',
      gatrix_socket_recovery_sessions: 'gauge',
      gatrix_socket_recovery_out_of_buffer_total: 'counter',
      gatrix_outbox_lag_seconds: 'gauge',
      gatrix_db_query_duration_seconds: 'histogram',
      gatrix_nodejs_eventloop_lag_seconds: 'gauge',
      gatrix_process_cpu_seconds_total: 'counter',
      gatrix_process_resident_memory_bytes: 'gauge',
      gatrix_world_players: 'gauge',
      gatrix_world_instances_up: 'gauge',
    };
    for (const [name, type] of Object.entries(families)) assert.equal(types.get(name), type, `${name} is a ${type}`);
    const dbKinds = new Set(samples.filter((s) => s.name === 'gatrix_db_query_duration_seconds_count').map((s) => s.labels.kind));
    assert.ok(dbKinds.has('select') && dbKinds.has('insert'), `query kinds seen: ${[...dbKinds].join(', ')}`);
    // Bounded labels: only these names (world: the worldIds operators made), and no raw ids in route labels.
    const labelNames = new Set(samples.flatMap((s) => Object.keys(s.labels)));
    for (const l of labelNames) assert.ok(['method', 'route', 'status_class', 'le', 'outcome', 'kind', 'version', 'major', 'minor', 'patch', 'type', 'space', 'quantile', 'world'].includes(l), `label ${l}`);
    for (const s of samples) if (s.labels.route) assert.ok(!/\/\d+(\/|$)/.test(s.labels.route), `raw path in ${s.labels.route}`);

    // The committed Grafana dashboard charts only metrics that exist.
    const dashboard = JSON.parse(readFileSync(new URL('../../../deploy/grafana/gatrix.json', import.meta.url), 'utf8')) as {
      panels: { targets?: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    assert.ok(exprs.length >= 15);
    for (const expr of exprs) {
      for (const name of expr.match(/gatrix_[a-z0-9_]+/g) ?? []) {
        const family = name.replace(/_(bucket|sum|count)$/, '');
        assert.ok(types.has(name) || types.get(family) === 'histogram', `the dashboard uses ${name}, which /metrics does not have`);
      }
    }
  });

  it('keeps a server error once per fingerprint with its request id, logs it with its stack, and forwards it', async () => {
    await dropWorlds();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await h.call('GET', '/api/v1/game-worlds', { token: operator });
      assert.equal(r.statusCode, 500);
      assert.equal(r.json<{ code: string }>().code, 'internal_error');
      assert.doesNotMatch(r.body, /game_worlds|no such table|relation/i, 'the answer says nothing internal');
      ids.push(r.headers['x-request-id'] as string);
    }
    const list = await h.call('GET', '/api/v1/monitoring/errors', { token: h.adminToken });
    assert.equal(list.statusCode, 200, list.body);
    const groups = list.json<{ data: { id: string; count: number; lastRequestId: string; route: string; method: string; lastActor: string; stack: string; resolved: boolean }[] }>().data;
    const mine = groups.filter((g) => g.route === '/api/v1/game-worlds');
    assert.equal(mine.length, 1, 'three repeats are one group');
    assert.equal(mine[0].count, 3);
    assert.equal(mine[0].lastRequestId, ids[2]);
    assert.equal(mine[0].method, 'GET');
    assert.match(mine[0].lastActor, /^user:\d+$/);
    assert.match(mine[0].stack, /\n\s+at /);

    // Structured log line: request id, route, actor and stack.
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request failed' && l.reqId === ids[0]);
    assert.equal(logged.length, 1);
    assert.equal(logged[0].route, '/api/v1/game-worlds');
    assert.match(String(logged[0].actor), /^user:\d+$/);
    assert.match(String((logged[0].err as { stack?: string }).stack), /\n\s+at /);
    assert.equal(logged[0].level, 50);

    // Forwarded to the tracker: one envelope per occurrence, with the DSN's key and the request id.
    const deadline = Date.now() + WAIT_MS;
    while (sentryHits.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(sentryHits.length, 3);
    assert.match(String(sentryHits[0].headers['x-sentry-auth']), /sentry_key=publickey/);
    const [, , event] = sentryHits[0].body.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal((event.tags as Record<string, string>).request_id, ids[0]);
    assert.equal((event.tags as Record<string, string>).route, '/api/v1/game-worlds');
    assert.equal(event.environment, 'test');
    assert.deepEqual(event.fingerprint, [mine[0].id]);

    // Only admins see the list; resolving hides it from the open list until it happens again.
    assert.equal((await h.call('GET', '/api/v1/monitoring/errors', { token: operator })).statusCode, 403);
    const resolved = await h.call('POST', `/api/v1/monitoring/errors/${mine[0].id}/resolve`, { token: h.adminToken });
    assert.equal(resolved.statusCode, 200, resolved.body);
    assert.equal(resolved.json<{ resolved: boolean }>().resolved, true);
    const open = await h.call('GET', '/api/v1/monitoring/errors?resolved=false', { token: h.adminToken });
    assert.ok(!open.json<{ data: { id: string }[] }>().data.some((g) => g.id === mine[0].id));
    await h.call('GET', '/api/v1/game-worlds', { token: operator });
    const again = (await h.call('GET', '/api/v1/monitoring/errors?resolved=false', { token: h.adminToken })).json<{ data: { id: string; count: number }[] }>().data;
    assert.equal(again.find((g) => g.id === mine[0].id)?.count, 4, 'reopened with its count');
    assert.equal((await h.call('POST', '/api/v1/monitoring/errors/0123456789abcdef/resolve', { token: h.adminToken })).statusCode, 404);

    const metricsAfter = await metrics();
    assert.ok(metricsAfter.serverErrors >= 4, '5xx counted apart from 4xx');
  });
});

describe('logs and secrets', () => {
  it('no password, token, API key or webhook secret reaches a log line, even at trace level', async () => {
    const { lines, logger } = captureLogger('trace');
    const receiver = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const h = await startHarness('sqlite', { logger, env: { METRICS_TOKEN, GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
    try {
      const secrets: string[] = ['admin-password-1', METRICS_TOKEN, h.adminToken];
      const password = 'correct-horse-battery-9';
      const newPassword = 'staple-stable-cable-7';
      secrets.push(password, newPassword);
      const created = await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'logtest', email: 'logtest@example.com', password, role: 'operator' } });
      assert.equal(created.statusCode, 201, created.body);
      const login = await h.call('POST', '/api/v1/auth/login', { body: { username: 'logtest', password } });
      const tokens = login.json<{ accessToken: string; refreshToken: string }>();
      secrets.push(tokens.accessToken, tokens.refreshToken);
      const refreshed = await h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } });
      const fresh = refreshed.json<{ accessToken: string; refreshToken: string }>();
      secrets.push(fresh.accessToken, fresh.refreshToken);
      await h.call('PUT', '/api/v1/auth/password', { token: fresh.accessToken, body: { currentPassword: password, newPassword } });
      await h.call('POST', '/api/v1/auth/login', { body: { username: 'logtest', password: 'wrong-password-1' } });
      const key = await h.call('POST', '/api/v1/api-keys', { token: h.adminToken, body: { name: 'log key', type: 'admin' } });
      const apiKey = key.json<{ key: string }>().key;
      secrets.push(apiKey);
      await h.call('GET', '/api/v1/users', { headers: { 'x-api-key': apiKey } });
      await h.call('GET', '/api/v1/users', { headers: { 'x-api-key': 'gtx_admin_not-a-real-key-at-all' } });
      await h.call('GET', '/metrics', { token: METRICS_TOKEN });
      const webhookSecret = 'plain-partner-secret-555';
      secrets.push(webhookSecret);
      const hook = await h.call('POST', '/api/v1/webhooks', {
        token: h.adminToken,
        body: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, events: ['*'], secret: webhookSecret, active: true },
      });
      assert.equal(hook.statusCode, 201, hook.body);
      const rotated = await h.call('POST', `/api/v1/webhooks/${hook.json<{ id: number }>().id}/rotate-secret`, { token: h.adminToken });
      secrets.push(rotated.json<{ secret: string }>().secret);
      await h.call('POST', `/api/v1/webhooks/${hook.json<{ id: number }>().id}/test`, { token: h.adminToken });
      // A server error with credentials on the request.
      await sql`drop table world_instances`.execute(h.db.db); // it references game_worlds
      await sql`drop table game_worlds`.execute(h.db.db);
      const failed = await h.call('GET', '/api/v1/game-worlds', { headers: { 'x-api-key': apiKey, authorization: `Bearer ${h.adminToken}` } });
      assert.equal(failed.statusCode, 500);
      await new Promise((r) => setTimeout(r, 300)); // let the webhook worker log what it logs

      assert.ok(lines.filter((l) => l.includes('"msg":"request"')).length >= 14, `captured ${lines.length} log lines`);
      for (const secret of secrets) {
        const leak = lines.find((l) => l.includes(secret));
        assert.equal(leak, undefined, `a secret reached the log: ${leak}`);
      }
    } finally {
      await h.close();
      receiver.close();
    }
  });
});
