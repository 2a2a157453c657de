import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { IDEMPOTENCY_LEASE_MS, idempotencyRequestHash } from '../src/http/idempotency.ts';
import { MAX_FIELD_ERRORS } from '../src/core/errors.ts';
import { PROBLEM_CODES } from '../src/core/problem-codes.ts';
import { failOutboxInserts } from './db-faults.ts';
import { eachDatabase, startHarness, TestClock, type Harness } from './helpers.ts';

eachDatabase('HTTP conventions', (kind) => {
  let h: Harness;
  before(async () => {
    h = await startHarness(kind, { env: { GATRIX_BODY_LIMIT: '2048' } });
  });
  after(() => h.close());

  it('compiles a route\'s schemas at its first request, validates and serializes with them, and every one compiles', async () => {
    // Only the routes the harness's setup called (login, API keys) have been compiled (http/lazy-schemas.ts).
    const waiting = h.schemas.pending;
    assert.ok(waiting > 100, `${waiting} validators and serializers not compiled yet`);
    // The first request to this route is bad input: its validator, compiled now, still names the fields.
    const bad = await h.call('POST', '/api/v1/game-worlds', { token: h.adminToken, body: { worldId: 5 } });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.deepEqual(bad.json<{ errors: { path: string }[] }>().errors.map((e) => e.path).sort(), ['name', 'worldId']);
    assert.ok(h.schemas.pending < waiting, 'the route\'s validators were compiled');
    const made = await h.call('POST', '/api/v1/game-worlds', { token: h.adminToken, body: { worldId: 'lazy-1', name: 'Lazy' } });
    assert.equal(made.statusCode, 201, made.body);
    assert.equal(made.json<{ worldId: string; name: string }>().name, 'Lazy');
    h.schemas.compileAll();
    assert.equal(h.schemas.pending, 0);
  });

  it('echoes a valid X-Request-Id and generates one otherwise; problems carry it', async () => {
    const given = await h.call('GET', '/api/v1/nope', { headers: { 'x-request-id': 'trace-123' } });
    assert.equal(given.headers['x-request-id'], 'trace-123');
    assert.equal(given.json().requestId, 'trace-123');
    const bad = await h.call('GET', '/healthz', { headers: { 'x-request-id': 'bad id with spaces' } });
    assert.match(String(bad.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('unknown route 404, wrong method 405 with Allow', async () => {
    const nf = await h.call('GET', '/api/v1/nope', { token: h.adminToken });
    assert.equal(nf.statusCode, 404);
    assert.equal(nf.json().code, 'route_not_found');
    assert.equal(nf.headers['content-type'], 'application/problem+json; charset=utf-8');
    const wm = await h.call('POST', '/api/v1/users/1', { token: h.adminToken, body: {} });
    assert.equal(wm.statusCode, 405);
    assert.equal(wm.headers.allow, 'GET, PUT, PATCH, DELETE');
    assert.equal(wm.json().status, 405);
  });

  it('body too large 413, wrong content type 415, malformed JSON 400', async () => {
    const big = await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'big', email: 'big@example.com', displayName: 'x'.repeat(5000) } });
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().code, 'body_too_large');
    const text = await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'text/plain' }, payload: 'hello' });
    assert.equal(text.statusCode, 415);
    assert.equal(text.json().code, 'unsupported_media_type');
    assert.match(text.json().detail, /send the body as JSON with content-type: application\/json/, '415 says what to send');
    const broken = await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json' }, payload: '{"username": ' });
    assert.equal(broken.statusCode, 400);
    assert.equal(broken.json().code, 'malformed_json');
  });

  it('a 400 names every invalid field of the body at once, the first 20 of them', async () => {
    const many = await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 12, email: 'not-an-email', role: 'king', bogus: true } });
    assert.equal(many.statusCode, 400, many.body);
    const p = many.json<{ code: string; detail: string; errors: { path: string; message: string }[] }>();
    assert.equal(p.code, 'validation_failed');
    assert.deepEqual([...new Set(p.errors.map((e) => e.path))].sort(), ['bogus', 'email', 'role', 'username']);
    for (const e of p.errors) assert.ok(p.detail.includes(`${e.path} ${e.message}`), `detail names ${e.path}`);

    // 30 tags of the wrong type (and too many of them): the answer lists 20 and counts the rest.
    const tags = await h.call('POST', '/api/v1/game-worlds', { token: h.adminToken, body: { worldId: 'many-errors', name: 'Many', tags: Array.from({ length: 30 }, (_, i) => i) } });
    assert.equal(tags.statusCode, 400, tags.body);
    const t = tags.json<{ detail: string; errors: { path: string }[] }>();
    assert.equal(t.errors.length, MAX_FIELD_ERRORS);
    assert.match(t.detail, /; and \d+ more$/);

    // Values no store can take are reported together too.
    const nul = await h.call('POST', '/api/v1/game-worlds', { token: h.adminToken, body: { worldId: 'nul-fields', name: 'a\u0000b', description: 'c\u0000d' } });
    assert.equal(nul.statusCode, 400, nul.body);
    assert.deepEqual(nul.json<{ errors: { path: string }[] }>().errors.map((e) => e.path).sort(), ['description', 'name']);
    // …at any depth, named by their whole path.
    const nested = await h.call('POST', '/api/v1/game-worlds', { token: h.adminToken, body: { worldId: 'nul-nested', name: 'ok', customPayload: { shop: { banner: 'x\u0000y' }, tags: ['a', 'b\u0000'] } } });
    assert.equal(nested.statusCode, 400, nested.body);
    assert.deepEqual(nested.json<{ errors: { path: string }[] }>().errors.map((e) => e.path).sort(), ['customPayload.shop.banner', 'customPayload.tags.1']);
  });

  it('every problem type URI resolves, without signing in, to the explanation of its code', async () => {
    const problem = (await h.call('GET', '/api/v1/users')).json<{ type: string; code: string }>();
    const [page, anchor] = problem.type.split('#');
    assert.equal(anchor, problem.code);
    const r = await h.call('GET', page);
    assert.equal(r.statusCode, 200, r.body);
    assert.match(String(r.headers['content-type']), /^text\/html/);
    // Each code DomainError and sendProblem accept (tsc allows no other) has its anchored entry, status and text.
    for (const [code, [status, text]] of Object.entries(PROBLEM_CODES)) {
      const entry = new RegExp(`<dt id="${code}"><code>${code}</code> \\(${status} [A-Za-z ]+\\)</dt>\n<dd>([^<]|<code>)+`).exec(r.body);
      assert.ok(entry, `${code} has an entry on ${page}`);
      assert.ok(text.length > 10, `${code} is explained`);
    }
  });

  it('ETag on a resource; If-None-Match gives 304; a stale If-Match gives 412 and changes nothing', async () => {
    const created = await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'etag1', email: 'etag1@example.com' } });
    const id = created.json().id;
    const got = await h.call('GET', `/api/v1/users/${id}`, { token: h.adminToken });
    const etag = String(got.headers.etag);
    assert.match(etag, /^"[\w-]+"$/);
    assert.equal(etag, created.headers.etag);
    const cached = await h.call('GET', `/api/v1/users/${id}`, { token: h.adminToken, headers: { 'if-none-match': etag } });
    assert.equal(cached.statusCode, 304);
    assert.equal(cached.body, '');

    const ok = await h.call('PUT', `/api/v1/users/${id}`, { token: h.adminToken, body: { displayName: 'One' }, headers: { 'if-match': etag } });
    assert.equal(ok.statusCode, 200);
    assert.notEqual(ok.headers.etag, etag);
    const stale = await h.call('PUT', `/api/v1/users/${id}`, { token: h.adminToken, body: { displayName: 'Two' }, headers: { 'if-match': etag } });
    assert.equal(stale.statusCode, 412);
    assert.equal(stale.json().code, 'precondition_failed');
    const staleDelete = await h.call('DELETE', `/api/v1/users/${id}`, { token: h.adminToken, headers: { 'if-match': etag } });
    assert.equal(staleDelete.statusCode, 412);
    assert.equal((await h.call('GET', `/api/v1/users/${id}`, { token: h.adminToken })).json().displayName, 'One');
  });

  it('healthz, readyz, OpenAPI 3.1 with every route, docs page', async () => {
    assert.equal((await h.call('GET', '/healthz')).json().status, 'ok');
    assert.deepEqual((await h.call('GET', '/readyz')).json(), { status: 'ready', database: kind });
    const spec = (await h.call('GET', '/openapi.json')).json();
    assert.equal(spec.openapi, '3.1.0');
    for (const r of h.routes.filter((x) => x.url.startsWith('/api/'))) {
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      const op = spec.paths[path]?.[r.method.toLowerCase()];
      assert.ok(op, `${r.method} ${path} is documented`);
      assert.ok(op.operationId && op.summary, `${r.method} ${path} has operationId and summary`);
    }
    assert.ok(spec.components.schemas.Problem);
    const listParams = spec.paths['/api/v1/users'].get.parameters as { name: string; required: boolean }[];
    assert.equal(listParams.find((p) => p.name === 'page')!.required, false, 'a parameter with a default is optional');
    const docs = await h.call('GET', '/docs/');
    assert.equal(docs.statusCode, 200);
    assert.match(docs.body, /swagger/i);
  });
});

eachDatabase('Idempotency-Key', (kind) => {
  let h: Harness;
  const clock = new TestClock();
  before(async () => {
    h = await startHarness(kind, { clock });
  });
  after(() => h.close());

  /** Webhook endpoints have no unique field: only the key can keep a retry from making a second one. */
  const hook = { url: 'https://partner.example.com/hook', events: ['user.*'] };
  const webhookCount = async () => (await h.call('GET', '/api/v1/webhooks', { token: h.adminToken })).json().pagination.total as number;

  it('same key and body replays the first response; a different body is 422', async () => {
    const body = { username: 'idem1', email: 'idem1@example.com' };
    const headers = { 'idempotency-key': 'create-idem1' };
    const first = await h.call('POST', '/api/v1/users', { token: h.adminToken, body, headers });
    assert.equal(first.statusCode, 201);
    const again = await h.call('POST', '/api/v1/users', { token: h.adminToken, body, headers });
    assert.equal(again.statusCode, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.deepEqual(again.json(), first.json());
    const total = (await h.call('GET', '/api/v1/users?q=idem1', { token: h.adminToken })).json().pagination.total;
    assert.equal(total, 1, 'the replay created nothing');
    const other = await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { ...body, username: 'idem2' }, headers });
    assert.equal(other.statusCode, 422);
    assert.equal(other.json().code, 'idempotency_key_reused');
  });


  it('is scoped to the caller: the same key and body from another caller is a new request', async () => {
    const { key } = await h.apiKey('admin');
    const headers = { 'idempotency-key': 'shared-key' };
    const before = await webhookCount();
    const a = await h.call('POST', '/api/v1/webhooks', { token: h.adminToken, body: hook, headers });
    const aAgain = await h.call('POST', '/api/v1/webhooks', { token: h.adminToken, body: hook, headers });
    const b = await h.call('POST', '/api/v1/webhooks', { token: key, body: hook, headers });
    assert.equal(a.statusCode, 201);
    assert.equal(aAgain.headers['idempotent-replayed'], 'true');
    assert.equal(aAgain.json().id, a.json().id);
    assert.equal(b.statusCode, 201);
    assert.equal(b.headers['idempotent-replayed'], undefined);
    assert.notEqual(b.json().id, a.json().id);
    assert.equal(await webhookCount(), before + 2);
  });

  it('concurrent requests with one key create once, on a resource with no unique field', async () => {
    const before = await webhookCount();
    const rs = await Promise.all([0, 1, 2, 3, 4, 5].map(() => h.call('POST', '/api/v1/webhooks', { token: h.adminToken, body: hook, headers: { 'idempotency-key': 'race' } })));
    for (const r of rs) assert.ok(r.statusCode === 201 || (r.statusCode === 409 && r.json().code === 'idempotency_in_progress'), r.body);
    assert.equal(new Set(rs.filter((r) => r.statusCode === 201).map((r) => r.json().id)).size, 1);
    assert.equal(await webhookCount(), before + 1);
  });

  it('a claim left by a stopped node answers 409 idempotency_in_progress until its lease runs out; then the request runs', async () => {
    const url = '/api/v1/webhooks';
    // What a node that died between claiming the key and answering leaves behind.
    await h.db.db
      .insertInto('idempotency_keys')
      .values({ scope: 'user:1', key: 'crashed', method: 'POST', path: url, body_hash: idempotencyRequestHash(url, hook), status_code: null, response_body: null, created_at: clock.now().toISOString() })
      .execute();
    const before = await webhookCount();
    const busy = await h.call('POST', url, { token: h.adminToken, body: hook, headers: { 'idempotency-key': 'crashed' } });
    assert.equal(busy.statusCode, 409);
    assert.equal(busy.json().code, 'idempotency_in_progress');
    clock.advance(IDEMPOTENCY_LEASE_MS + 1);
    const retried = await h.call('POST', url, { token: h.adminToken, body: hook, headers: { 'idempotency-key': 'crashed' } });
    assert.equal(retried.statusCode, 201, retried.body);
    assert.equal(await webhookCount(), before + 1);
    const replay = await h.call('POST', url, { token: h.adminToken, body: hook, headers: { 'idempotency-key': 'crashed' } });
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.equal(replay.json().id, retried.json().id);
  });

  it('a 500 releases the key: the retry with the same key runs and succeeds', async () => {
    const body = { username: 'idem500', email: 'idem500@example.com' };
    const headers = { 'idempotency-key': 'after-500' };
    const restore = await failOutboxInserts(h, 'user.created');
    const failed = await h.call('POST', '/api/v1/users', { token: h.adminToken, body, headers });
    await restore();
    assert.equal(failed.statusCode, 500);
    const retried = await h.call('POST', '/api/v1/users', { token: h.adminToken, body, headers });
    assert.equal(retried.statusCode, 201, retried.body);
    assert.equal(retried.headers['idempotent-replayed'], undefined);
    const replay = await h.call('POST', '/api/v1/users', { token: h.adminToken, body, headers });
    assert.equal(replay.statusCode, 201);
    assert.equal(replay.headers['idempotent-replayed'], 'true', 'the success is the answer kept');
    assert.equal((await h.call('GET', '/api/v1/users?q=idem500', { token: h.adminToken })).json().pagination.total, 1);
  });

  it('a 4xx answer is replayed too; the key is 1..255 chars', async () => {
    const headers = { 'idempotency-key': 'bad-create' };
    const first = await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'admin', email: 'again@example.com' }, headers });
    assert.equal(first.statusCode, 409);
    const again = await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'admin', email: 'again@example.com' }, headers });
    assert.equal(again.statusCode, 409);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    const long = await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'x1x', email: 'x1x@example.com' }, headers: { 'idempotency-key': 'k'.repeat(256) } });
    assert.equal(long.statusCode, 400);
  });

  it('rows past their 24 h are pruned, not only when their own key comes back', async () => {
    const headers = { 'idempotency-key': 'old' };
    assert.equal((await h.call('POST', '/api/v1/webhooks', { token: h.adminToken, body: hook, headers })).statusCode, 201);
    const rows = () => h.db.db.selectFrom('idempotency_keys').select('key').where('key', '=', 'old').execute();
    assert.equal((await rows()).length, 1);
    clock.advance(24 * 3600 * 1000 + 1);
    // The clock moved past the access token's life: an API key makes the next request.
    const { key } = await h.apiKey('admin');
    assert.equal((await h.call('POST', '/api/v1/webhooks', { token: key, body: hook, headers: { 'idempotency-key': 'new' } })).statusCode, 201);
    assert.deepEqual(await rows(), []);
  });
});
