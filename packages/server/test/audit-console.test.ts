import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { eachDatabase, startHarness, type Harness } from './helpers.ts';

eachDatabase('audit log for the console', (kind) => {
  let h: Harness;
  before(async () => {
    h = await startHarness(kind);
  });
  after(() => h.close());

  const createEntry = (value: string, headers: Record<string, string> = {}) =>
    h.call('POST', '/api/v1/whitelist', { token: h.adminToken, body: { type: 'account', value }, headers });
  const lastAudit = async () => (await h.call('GET', '/api/v1/audit-logs?limit=1', { token: h.adminToken })).json().data[0];

  it('X-Audit-Reason: URL-decoded UTF-8 stored with the entry and returned; a blank one is no reason', async () => {
    const reason = 'Ticket #42: QA für 한국 — ok';
    const r = await createEntry('reason-1', { 'x-audit-reason': encodeURIComponent(reason) });
    assert.equal(r.statusCode, 201, r.body);
    const e = await lastAudit();
    assert.equal(e.action, 'whitelist.create');
    assert.equal(e.reason, reason);
    const row = await h.db.db.selectFrom('audit_logs').select('reason').where('id', '=', e.id).executeTakeFirstOrThrow();
    assert.equal(row.reason, reason);

    const id = r.json().id;
    const u = await h.call('PATCH', `/api/v1/whitelist/${id}`, { token: h.adminToken, body: { enabled: false }, headers: { 'x-audit-reason': 'turning%20off' } });
    assert.equal(u.statusCode, 200, u.body);
    const upd = await lastAudit();
    assert.equal(upd.reason, 'turning off');
    // An update records the target before and after, which the console shows as a diff.
    assert.equal(upd.before.enabled, true);
    assert.equal(upd.after.enabled, false);

    assert.equal((await createEntry('reason-2', { 'x-audit-reason': '   ' })).statusCode, 201);
    assert.equal((await lastAudit()).reason, null);
    assert.equal((await createEntry('reason-3')).statusCode, 201);
    assert.equal((await lastAudit()).reason, null);
  });

  it('X-Audit-Reason: over 500 characters once decoded, bad percent-encoding or a line break is a 400 naming the header; nothing is written', async () => {
    const before = await h.db.db.selectFrom('whitelist_entries').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    for (const bad of [encodeURIComponent('é'.repeat(501)), '%E0%A4%A', encodeURIComponent('a\nb')]) {
      const r = await createEntry(`bad-${bad.length}`, { 'x-audit-reason': bad });
      assert.equal(r.statusCode, 400, r.body);
      assert.equal(r.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(r.json().errors[0].path, 'X-Audit-Reason');
    }
    // 500 characters (1000 bytes encoded) is allowed.
    assert.equal((await createEntry('reason-500', { 'x-audit-reason': encodeURIComponent('é'.repeat(500)) })).statusCode, 201);
    const afterCount = await h.db.db.selectFrom('whitelist_entries').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n) + 1);
  });

  it('q searches action, target, actor name, reason and details, case-insensitively, with the other filters', async () => {
    await createEntry('Needle-In-Details');
    await createEntry('plain-q', { 'x-audit-reason': encodeURIComponent('Because HAYSTACK said so') });
    const q = async (query: string) => (await h.call('GET', `/api/v1/audit-logs?${query}`, { token: h.adminToken })).json();
    assert.deepEqual((await q('q=needle-in')).data.map((e: { after: { value: string } }) => e.after.value), ['Needle-In-Details']);
    assert.deepEqual((await q('q=haystack')).data.map((e: { reason: string }) => e.reason), ['Because HAYSTACK said so']);
    assert.ok((await q('q=ADMIN&limit=100')).data.length >= 5, 'actor name');
    assert.ok((await q('q=whitelist%3A&limit=100')).data.every((e: { targetType: string }) => e.targetType === 'whitelist'), 'target');
    assert.equal((await q('q=haystack&action=user.*')).data.length, 0);
    assert.equal((await q('q=100%25')).data.length, 0, 'a % in q is literal');
    const tooLong = await h.call('GET', `/api/v1/audit-logs?q=${'x'.repeat(201)}`, { token: h.adminToken });
    assert.equal(tooLong.statusCode, 400);
    assert.equal(tooLong.json().errors[0].path, 'query.q');
  });

  it('export.csv: every filtered entry in batches, formula cells neutralized, Content-Disposition, audited as audit.exported; players refused', async () => {
    // More entries than one export batch (500), so the keyset paging is exercised.
    const n = 520;
    const rows = Array.from({ length: n }, (_, i) => ({
      actor_type: 'system', actor_id: null, actor_name: 'system', action: 'bulk.test', target_type: 'whitelist', target_id: String(i),
      before: null, after: JSON.stringify({ i }), ip: null, request_id: null, reason: i === 0 ? '=HYPERLINK("http://evil")' : i === 1 ? '@SUM(1)' : null,
      created_at: new Date(Date.now() - 1000).toISOString(),
    }));
    for (let i = 0; i < rows.length; i += 100) await h.db.db.insertInto('audit_logs').values(rows.slice(i, i + 100)).execute();

    const r = await h.call('GET', '/api/v1/audit-logs/export.csv?action=bulk.test', { token: h.adminToken, headers: { 'x-audit-reason': 'quarterly%20review' } });
    assert.equal(r.statusCode, 200, r.body);
    assert.match(String(r.headers['content-type']), /^text\/csv/);
    assert.match(String(r.headers['content-disposition']), /^attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = r.body.split('\r\n').filter(Boolean);
    assert.equal(lines[0], 'id,createdAt,actorType,actorId,actorName,action,targetType,targetId,reason,ip,requestId,before,after');
    assert.equal(lines.length, n + 1);
    const ids = lines.slice(1).map((l) => Number(JSON.parse(l.split(',')[0])));
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
    assert.equal(new Set(ids).size, n);
    assert.ok(r.body.includes(`"'=HYPERLINK(""http://evil"")"`), 'formula prefixed and quotes doubled');
    assert.ok(r.body.includes(`"'@SUM(1)"`));
    assert.ok(!/(^|,)"[=+\-@]/m.test(r.body), 'no cell starts with a formula character');

    const exported = await lastAudit();
    assert.equal(exported.action, 'audit.exported');
    assert.equal(exported.reason, 'quarterly review');
    assert.deepEqual(exported.after, { format: 'csv', filters: { action: 'bulk.test' } });

    const player = await h.userToken('player');
    assert.equal((await h.call('GET', '/api/v1/audit-logs/export.csv', { token: player.token })).statusCode, 403);
    const viewer = await h.userToken('viewer');
    const v = await h.call('GET', '/api/v1/audit-logs/export.csv?action=bulk.test', { token: viewer.token });
    assert.equal(v.statusCode, 200);
    const bad = await h.call('GET', '/api/v1/audit-logs/export.csv?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', { token: h.adminToken });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].path, 'to');
  });
});
