import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { readEventsAfter } from '../src/events/outbox.ts';
import { createWhitelistMatcher } from '../src/core/rules.ts';
import type { PublicWhitelistEntry } from '../src/modules/whitelist/schemas.ts';
import { failOutboxInserts } from './db-faults.ts';
import { eachDatabase, startHarness, type Harness } from './helpers.ts';

eachDatabase('whitelist', (kind) => {
  let h: Harness;
  before(async () => {
    h = await startHarness(kind);
  });
  after(() => h.close());

  const lastSeq = async () => Number((await h.db.db.selectFrom('outbox_events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst())?.m ?? 0);
  const events = async (since: number) => (await readEventsAfter(h.db.db, since)).map((e) => e.envelope);
  const rowCount = async (table: 'whitelist_entries' | 'audit_logs' | 'outbox_events') =>
    Number((await h.db.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const counts = async () => Promise.all([rowCount('whitelist_entries'), rowCount('audit_logs'), rowCount('outbox_events')]);
  const create = (body: object, token = h.adminToken) => h.call('POST', '/api/v1/whitelist', { token, body });
  const created = async (body: object): Promise<PublicWhitelistEntry> => {
    const r = await create(body);
    assert.equal(r.statusCode, 201, r.body);
    return r.json();
  };

  it('creates an entry: value trimmed, enabled by default, Location and ETag, audited, whitelist.updated created', async () => {
    const seq = await lastSeq();
    const r = await create({ type: 'account', value: '  player-42  ', memo: 'QA account' });
    assert.equal(r.statusCode, 201, r.body);
    const e = r.json();
    assert.deepEqual({ ...e, id: 0, createdAt: 0, updatedAt: 0 }, {
      id: 0,
      type: 'account',
      value: 'player-42',
      memo: 'QA account',
      enabled: true,
      startsAt: null,
      endsAt: null,
      createdAt: 0,
      updatedAt: 0,
    });
    assert.equal(r.headers.location, `/api/v1/whitelist/${e.id}`);
    const got = await h.call('GET', `/api/v1/whitelist/${e.id}`, { token: h.adminToken });
    assert.deepEqual(got.json(), e);
    assert.equal(got.headers.etag, r.headers.etag);

    const evs = await events(seq);
    assert.deepEqual(evs.map((v) => [v.event, v.data]), [['whitelist.updated', { entry: e, change: 'created' }]]);
    const audit = await h.db.db.selectFrom('audit_logs').select(['action', 'target_type', 'target_id', 'after']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.deepEqual({ ...audit, after: JSON.parse(audit.after!) }, { action: 'whitelist.create', target_type: 'whitelist', target_id: String(e.id), after: e });
  });

  it('stores IP values canonically: IPv6 lowercase and compressed, CIDR host bits cleared, a full prefix as the address', async () => {
    const cases: [string, string][] = [
      ['203.0.113.7', '203.0.113.7'],
      ['10.1.2.3/8', '10.0.0.0/8'],
      ['192.168.0.7/32', '192.168.0.7'],
      ['0.0.0.0/0', '0.0.0.0/0'],
      ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
      ['2001:0db8:abcd:0012:ffff::1/64', '2001:db8:abcd:12::/64'],
      ['FE80::1234/10', 'fe80::/10'],
      ['2400:cb00::1/128', '2400:cb00::1'],
      ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
      [' 198.51.100.0/24 ', '198.51.100.0/24'],
    ];
    for (const [value, stored] of cases) {
      assert.equal((await created({ type: 'ip', value })).value, stored, value);
    }
  });

  it('rejects malformed values and bad input with 400 naming the field, and writes nothing', async () => {
    const cases: [object, string][] = [
      ...['10.0.0.0/33', '1.2.3', '::g', '10.0.0.1/', '10.0.0.256', '2001:db8::/129', '10.0.0.0/08', '10.0.0.0/-1', '1.2.3.4/8/8', 'fe80::1%eth0', 'player-1', '10.0.0.0 /8'].map(
        (value): [object, string] => [{ type: 'ip', value }, 'value'],
      ),
      [{ type: 'account', value: 'two words' }, 'value'],
      [{ type: 'account', value: '   ' }, 'value'],
      [{ type: 'account', value: '' }, 'value'],
      [{ type: 'account', value: 'x'.repeat(129) }, 'value'],
      [{ type: 'email', value: 'a@example.com' }, 'type'],
      [{ value: 'player-1' }, 'type'],
      [{ type: 'account', value: 'player-1', note: 'typo' }, 'note'],
      [{ type: 'account', value: 'player-1', memo: 'm'.repeat(501) }, 'memo'],
      [{ type: 'account', value: 'player-1', startsAt: 'tomorrow' }, 'startsAt'],
      // Valid date-times whose UTC year leaves 0000–9999: stored, they would break every list response.
      [{ type: 'account', value: 'player-1', startsAt: '0000-01-01T00:00:00+01:00' }, 'startsAt'],
      [{ type: 'account', value: 'player-1', endsAt: '9999-12-31T23:59:59-01:00' }, 'endsAt'],
      [{ type: 'account', value: 'player-1', endsAt: '2016-12-31T23:59:60Z' }, 'endsAt'],
      [{ type: 'account', value: 'player-1', startsAt: '2030-01-02T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' }, 'endsAt'],
      [{ type: 'account', value: 'player-1', startsAt: '2030-01-01T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' }, 'endsAt'],
    ];
    const before = await counts();
    for (const [body, path] of cases) {
      const r = await create(body);
      assert.equal(r.statusCode, 400, `${JSON.stringify(body)} → ${r.body}`);
      assert.equal(r.json().errors[0].path, path, r.body);
    }
    for (const q of ['type=email', 'enabled=maybe', 'limit=0', 'limit=101']) {
      const r = await h.call('GET', `/api/v1/whitelist?${q}`, { token: h.adminToken });
      assert.equal(r.statusCode, 400, q);
      assert.match(r.json().errors[0].path, /^query\./);
    }
    assert.deepEqual(await counts(), before);
  });

  it('PUT and PATCH are partial: fields not sent are kept; a new type re-checks the kept value', async () => {
    const e = await created({ type: 'ip', value: '10.20.0.0/16', memo: 'office', startsAt: '2030-01-01T00:00:00Z', endsAt: '2030-02-01T00:00:00Z' });
    assert.equal(e.startsAt, '2030-01-01T00:00:00.000Z');
    const put = await h.call('PUT', `/api/v1/whitelist/${e.id}`, { token: h.adminToken, body: { memo: 'office LAN' } });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual({ ...put.json<PublicWhitelistEntry>(), updatedAt: 0 }, { ...e, memo: 'office LAN', updatedAt: 0 });
    const patch = await h.call('PATCH', `/api/v1/whitelist/${e.id}`, { token: h.adminToken, body: { enabled: false } });
    assert.deepEqual({ ...patch.json<PublicWhitelistEntry>(), updatedAt: 0 }, { ...e, memo: 'office LAN', enabled: false, updatedAt: 0 });

    const account = await created({ type: 'account', value: 'bob' });
    const badType = await h.call('PATCH', `/api/v1/whitelist/${account.id}`, { token: h.adminToken, body: { type: 'ip' } });
    assert.equal(badType.statusCode, 400);
    assert.equal(badType.json().errors[0].path, 'value');
    const both = await h.call('PATCH', `/api/v1/whitelist/${account.id}`, { token: h.adminToken, body: { type: 'ip', value: '10.9.9.9/24' } });
    assert.equal(both.statusCode, 200, both.body);
    assert.deepEqual([both.json().type, both.json().value], ['ip', '10.9.9.0/24']);

    const endsEarly = await h.call('PATCH', `/api/v1/whitelist/${e.id}`, { token: h.adminToken, body: { endsAt: '2029-12-31T00:00:00Z' } });
    assert.equal(endsEarly.statusCode, 400);
    assert.equal(endsEarly.json().errors[0].path, 'endsAt');
    const cleared = await h.call('PATCH', `/api/v1/whitelist/${e.id}`, { token: h.adminToken, body: { startsAt: null, endsAt: '2029-12-31T00:00:00Z' } });
    assert.equal(cleared.statusCode, 200, cleared.body);
    assert.deepEqual([cleared.json().startsAt, cleared.json().endsAt], [null, '2029-12-31T00:00:00.000Z']);

    const outOfRange = await h.call('PATCH', `/api/v1/whitelist/${e.id}`, { token: h.adminToken, body: { endsAt: '9999-12-31T23:59:59-01:00' } });
    assert.equal(outOfRange.statusCode, 400);
    assert.equal(outOfRange.json().errors[0].path, 'endsAt');
    assert.equal((await h.call('GET', '/api/v1/whitelist', { token: h.adminToken })).statusCode, 200);

    const empty = await h.call('PUT', `/api/v1/whitelist/${e.id}`, { token: h.adminToken, body: {} });
    assert.equal(empty.statusCode, 400);
  });

  it('a duplicate (type, value) is a 409 naming value, also when spelled differently; the same text under the other type is fine', async () => {
    const v6 = await created({ type: 'ip', value: '2001:db8::5' });
    for (const value of ['2001:db8::5', '2001:DB8:0:0::5', '2001:db8::5/128']) {
      const r = await create({ type: 'ip', value });
      assert.equal(r.statusCode, 409, value);
      assert.equal(r.json().code, 'value_taken');
      assert.deepEqual(r.json().errors.map((x: { path: string }) => x.path), ['value']);
    }
    await created({ type: 'account', value: '2001:db8::5' });
    const other = await created({ type: 'ip', value: '2001:db8::6' });
    const clash = await h.call('PATCH', `/api/v1/whitelist/${other.id}`, { token: h.adminToken, body: { value: '2001:db8::5' } });
    assert.equal(clash.statusCode, 409);
    assert.equal((await h.call('GET', `/api/v1/whitelist/${v6.id}`, { token: h.adminToken })).json().value, '2001:db8::5');
  });

  it('concurrent creates of one value give exactly one 201 and the rest 409', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => create({ type: 'account', value: 'racer' })));
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, ...Array(9).fill(409)]);
    const list = (await h.call('GET', '/api/v1/whitelist?type=account&q=racer', { token: h.adminToken })).json();
    assert.equal(list.pagination.total, 1);
  });

  it('a change that fails after its row was written leaves no row, no audit entry and no event', async () => {
    const e = await created({ type: 'account', value: 'half-written' });
    const before = await counts();
    const restore = await failOutboxInserts(h, 'whitelist.updated');
    try {
      const r = await create({ type: 'account', value: 'never-saved' });
      assert.equal(r.statusCode, 500);
      assert.doesNotMatch(r.body, /injected|outbox/);
      assert.equal((await h.call('PATCH', `/api/v1/whitelist/${e.id}`, { token: h.adminToken, body: { memo: 'lost' } })).statusCode, 500);
      assert.equal((await h.call('DELETE', `/api/v1/whitelist/${e.id}`, { token: h.adminToken })).statusCode, 500);
    } finally {
      await restore();
    }
    assert.deepEqual(await counts(), before);
    assert.deepEqual(await h.call('GET', `/api/v1/whitelist/${e.id}`, { token: h.adminToken }).then((r) => r.json()), e);
  });

  it('every write moves the revision the game-client API checks before reading the entries, an operator\'s own SQL included', async () => {
    const revisions: string[] = [await h.services.whitelist.revision()];
    const moved = async (what: string) => {
      const r = await h.services.whitelist.revision();
      assert.ok(!revisions.includes(r), `${what}: revision ${r} is new (seen: ${revisions.join(', ')})`);
      revisions.push(r);
    };
    const unmoved = async (what: string) => assert.equal(await h.services.whitelist.revision(), revisions.at(-1), what);
    const e = await created({ type: 'ip', value: '233.252.1.0/24' });
    await moved('create');
    await h.call('PATCH', `/api/v1/whitelist/${e.id}`, { token: h.adminToken, body: { enabled: false } });
    await moved('disable');
    assert.equal((await create({ type: 'ip', value: '233.252.1.0/24' })).statusCode, 409);
    await unmoved('a refused duplicate');
    const restore = await failOutboxInserts(h, 'whitelist.updated');
    try {
      assert.equal((await h.call('PATCH', `/api/v1/whitelist/${e.id}`, { token: h.adminToken, body: { enabled: true } })).statusCode, 500);
    } finally {
      await restore();
    }
    await unmoved('a write rolled back');
    const imported = await h.call('POST', '/api/v1/whitelist/import', { token: h.adminToken, body: { text: 'revision-a\nrevision-b', dryRun: false } });
    assert.equal(imported.statusCode, 200, imported.body);
    await moved('import');
    await h.db.db.updateTable('whitelist_entries').set({ enabled: 1 }).where('id', '=', e.id).execute();
    await moved('an UPDATE in SQL');
    await h.db.db.deleteFrom('whitelist_entries').where('id', '=', e.id).execute();
    await moved('a DELETE in SQL');
    await h.call('DELETE', `/api/v1/whitelist/${(await created({ type: 'account', value: 'revision-c' })).id}`, { token: h.adminToken });
    await moved('create and delete');
  });

  it('ETag on GET and PUT; a stale If-Match is 412 on PUT, PATCH and DELETE and changes nothing', async () => {
    const e = await created({ type: 'account', value: 'etagged' });
    const tag = (await h.call('GET', `/api/v1/whitelist/${e.id}`, { token: h.adminToken })).headers.etag as string;
    assert.match(tag, /^"[\w-]+"$/);
    const put = await h.call('PUT', `/api/v1/whitelist/${e.id}`, { token: h.adminToken, headers: { 'if-match': tag }, body: { memo: 'v2' } });
    assert.equal(put.statusCode, 200);
    assert.notEqual(put.headers.etag, tag);
    const before = await counts();
    for (const m of ['PUT', 'PATCH', 'DELETE']) {
      const r = await h.call(m, `/api/v1/whitelist/${e.id}`, { token: h.adminToken, headers: { 'if-match': tag }, ...(m === 'DELETE' ? {} : { body: { memo: 'v3' } }) });
      assert.equal(r.statusCode, 412, m);
    }
    assert.deepEqual(await counts(), before);
    const del = await h.call('DELETE', `/api/v1/whitelist/${e.id}`, { token: h.adminToken, headers: { 'if-match': put.headers.etag as string } });
    assert.equal(del.statusCode, 204);
  });

  it('lists with pagination and the type, enabled and q filters (q matches value or memo, % taken literally)', async () => {
    await created({ type: 'account', value: 'lister-a', memo: 'Guild Leader' });
    await created({ type: 'account', value: 'lister-b', enabled: false });
    await created({ type: 'ip', value: '100.64.0.0/10', memo: 'lister carrier NAT' });
    const all = (await h.call('GET', '/api/v1/whitelist?q=lister&limit=2&page=2', { token: h.adminToken })).json();
    assert.deepEqual(all.pagination, { page: 2, limit: 2, total: 3, totalPages: 2 });
    assert.deepEqual(all.data.map((e: PublicWhitelistEntry) => e.value), ['100.64.0.0/10']);
    const byMemo = (await h.call('GET', '/api/v1/whitelist?q=GUILD', { token: h.adminToken })).json();
    assert.deepEqual(byMemo.data.map((e: PublicWhitelistEntry) => e.value), ['lister-a']);
    const disabled = (await h.call('GET', '/api/v1/whitelist?q=lister&enabled=false', { token: h.adminToken })).json();
    assert.deepEqual(disabled.data.map((e: PublicWhitelistEntry) => e.value), ['lister-b']);
    const ips = (await h.call('GET', '/api/v1/whitelist?q=lister&type=ip&enabled=true', { token: h.adminToken })).json();
    assert.deepEqual(ips.data.map((e: PublicWhitelistEntry) => e.value), ['100.64.0.0/10']);
    assert.equal((await h.call('GET', '/api/v1/whitelist?q=%25', { token: h.adminToken })).json().pagination.total, 0);
  });

  it('deletes an entry with a whitelist.updated deleted event; an unknown id is 404 whitelist_entry_not_found', async () => {
    const e = await created({ type: 'ip', value: '198.18.0.1' });
    const seq = await lastSeq();
    assert.equal((await h.call('DELETE', `/api/v1/whitelist/${e.id}`, { token: h.adminToken })).statusCode, 204);
    assert.deepEqual((await events(seq)).map((v) => [v.event, v.data]), [['whitelist.updated', { entry: e, change: 'deleted' }]]);
    for (const m of ['GET', 'PUT', 'PATCH', 'DELETE']) {
      const r = await h.call(m, `/api/v1/whitelist/${e.id}`, { token: h.adminToken, ...(m === 'PUT' || m === 'PATCH' ? { body: { memo: 'x' } } : {}) });
      assert.equal(r.statusCode, 404, m);
      assert.equal(r.json().code, 'whitelist_entry_not_found');
    }
  });

  it('update writes whitelist.updated updated and an audit entry with before and after', async () => {
    const e = await created({ type: 'account', value: 'audited' });
    const seq = await lastSeq();
    const after = (await h.call('PATCH', `/api/v1/whitelist/${e.id}`, { token: h.adminToken, body: { enabled: false } })).json();
    assert.deepEqual((await events(seq)).map((v) => [v.event, v.data]), [['whitelist.updated', { entry: after, change: 'updated' }]]);
    const audit = await h.db.db.selectFrom('audit_logs').select(['action', 'before', 'after']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.deepEqual([audit.action, JSON.parse(audit.before!), JSON.parse(audit.after!)], ['whitelist.update', e, after]);
  });

  it('permissions: viewer and server key read, cannot write; operator writes; a client key is refused', async () => {
    const viewer = await h.userToken('viewer');
    const operator = await h.userToken('operator');
    const server = { 'x-api-key': (await h.apiKey('server')).key };
    const client = { 'x-api-key': (await h.apiKey('client')).key };
    const body = { type: 'account', value: 'perm-check' };
    assert.equal((await h.call('GET', '/api/v1/whitelist', { token: viewer.token })).statusCode, 200);
    assert.equal((await create(body, viewer.token)).statusCode, 403);
    const made = await create(body, operator.token);
    assert.equal(made.statusCode, 201);
    const id = made.json().id;
    assert.equal((await h.call('PATCH', `/api/v1/whitelist/${id}`, { token: viewer.token, body: { memo: 'x' } })).statusCode, 403);
    assert.equal((await h.call('DELETE', `/api/v1/whitelist/${id}`, { token: viewer.token })).statusCode, 403);
    assert.equal((await h.call('GET', `/api/v1/whitelist/${id}`, { headers: server })).statusCode, 200);
    assert.equal((await h.call('POST', '/api/v1/whitelist', { headers: server, body: { type: 'account', value: 'by-server' } })).statusCode, 403);
    assert.equal((await h.call('GET', '/api/v1/whitelist', { headers: client })).statusCode, 403);
    assert.equal((await h.call('GET', `/api/v1/whitelist/${id}`, { headers: client })).statusCode, 403);
    assert.equal((await h.call('GET', '/api/v1/whitelist')).statusCode, 401);
    assert.equal((await h.call('DELETE', `/api/v1/whitelist/${id}`, { token: operator.token })).statusCode, 204);
  });

  it('enabledEntries() feeds the matcher, and the change feed is told after each committed change', async () => {
    const seen: [number, PublicWhitelistEntry | undefined][] = [];
    h.services.changes.subscribe('whitelist', ({ id, entry }) => void seen.push([id, entry]));
    const on = await created({ type: 'ip', value: '233.252.0.0/24' });
    const off = await created({ type: 'account', value: 'matcher-off', enabled: false });
    await h.call('DELETE', `/api/v1/whitelist/${off.id}`, { token: h.adminToken });
    assert.deepEqual(seen, [[on.id, on], [off.id, off], [off.id, undefined]]);
    const failed = await create({ type: 'ip', value: '233.252.0.0/24' });
    assert.equal(failed.statusCode, 409);
    assert.equal(seen.length, 3, 'a change that failed is not announced');

    const entries = await h.services.whitelist.enabledEntries();
    assert.ok(entries.every((e) => e.enabled));
    assert.ok(entries.some((e) => e.id === on.id));
    const matcher = createWhitelistMatcher(entries, new Date());
    assert.equal(matcher.matches(undefined, '233.252.0.77'), true);
    assert.equal(matcher.matches('matcher-off', undefined), false);
  });
});
