import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { inTransaction } from '../src/context.ts';
import { readEventsAfter, writeEvent } from '../src/events/outbox.ts';
import { writeAudit } from '../src/events/audit-log.ts';
import { eachDatabase, startHarness, type Harness } from './helpers.ts';

eachDatabase('audit log and outbox', (kind) => {
  let h: Harness;
  before(async () => {
    h = await startHarness(kind);
  });
  after(() => h.close());

  const lastSeq = async () => Number((await h.db.db.selectFrom('outbox_events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst())?.m ?? 0);

  it('every user mutation is audited with actor, target, before/after, IP and request id; secrets redacted', async () => {
    const headers = { 'x-request-id': 'audit-req-1' };
    const created = await h.call('POST', '/api/v1/users', { token: h.adminToken, headers, body: { username: 'audited', email: 'audited@example.com', password: 'secret-password-1' } });
    const id = created.json().id;
    await h.call('PATCH', `/api/v1/users/${id}`, { token: h.adminToken, headers: { 'x-request-id': 'audit-req-2' }, body: { role: 'viewer', password: 'another-secret-2' } });
    await h.call('DELETE', `/api/v1/users/${id}`, { token: h.adminToken, headers: { 'x-request-id': 'audit-req-3' } });

    const logs = (await h.call('GET', `/api/v1/audit-logs?targetType=user&targetId=${id}`, { token: h.adminToken })).json();
    assert.deepEqual(logs.data.map((l: { action: string }) => l.action), ['user.delete', 'user.update', 'user.create']);
    const [del, upd, crt] = logs.data;
    assert.equal(crt.actorType, 'user');
    assert.equal(crt.actorId, 1);
    assert.equal(crt.actorName, 'admin');
    assert.equal(crt.requestId, 'audit-req-1');
    assert.equal(crt.ip, '127.0.0.1');
    assert.equal(crt.after.username, 'audited');
    assert.equal(upd.before.role, 'player');
    assert.equal(upd.after.role, 'viewer');
    assert.equal(del.before.username, 'audited');
    assert.equal(del.after, null);
    const raw = JSON.stringify(await h.db.db.selectFrom('audit_logs').selectAll().execute());
    assert.ok(!raw.includes('secret-password-1') && !raw.includes('another-secret-2') && !raw.includes('scrypt$'));
  });

  it('filters by actor, action prefix, request id and time range', async () => {
    const { key } = await h.apiKey('admin');
    const created = await h.call('POST', '/api/v1/users', { token: key, body: { username: 'bykey', email: 'bykey@example.com' } });
    assert.equal(created.statusCode, 201, created.body);
    const byKey = (await h.call('GET', '/api/v1/audit-logs?actorType=api_key', { token: h.adminToken })).json();
    assert.ok(byKey.data.length >= 1 && byKey.data.every((l: { actorType: string }) => l.actorType === 'api_key'));
    const prefix = (await h.call('GET', '/api/v1/audit-logs?action=api_key.*', { token: h.adminToken })).json();
    assert.ok(prefix.data.length >= 1 && prefix.data.every((l: { action: string }) => l.action.startsWith('api_key.')));
    const byReq = (await h.call('GET', '/api/v1/audit-logs?requestId=audit-req-2', { token: h.adminToken })).json();
    assert.equal(byReq.pagination.total, 1);
    const future = (await h.call('GET', `/api/v1/audit-logs?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`, { token: h.adminToken })).json();
    assert.equal(future.pagination.total, 0);
    const bad = await h.call('GET', '/api/v1/audit-logs?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', { token: h.adminToken });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].path, 'to');
    const player = await h.userToken('player');
    assert.equal((await h.call('GET', '/api/v1/audit-logs', { token: player.token })).statusCode, 403);
  });

  it('a committed change leaves exactly one event with the envelope docs/webhooks.md describes', async () => {
    const seq = await lastSeq();
    const r = await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'evented', email: 'evented@example.com' } });
    const events = await readEventsAfter(h.db.db, seq);
    assert.equal(events.length, 1);
    const e = events[0].envelope;
    assert.match(e.id, /^evt_[0-9a-f]{28}$/);
    assert.equal(e.event, 'user.created');
    assert.ok(!Number.isNaN(Date.parse(e.timestamp)));
    assert.deepEqual(e.data, { userId: r.json().id, user: r.json() });
  });

  it('update and delete events carry the changes and the user; login emits user.login', async () => {
    const u = (await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'ev2', email: 'ev2@example.com', password: 'password-123' } })).json();
    const seq = await lastSeq();
    await h.call('PATCH', `/api/v1/users/${u.id}`, { token: h.adminToken, body: { status: 'pending', displayName: 'Ev' } });
    await h.call('PATCH', `/api/v1/users/${u.id}`, { token: h.adminToken, body: { status: 'active' } });
    await h.call('POST', '/api/v1/auth/login', { body: { username: 'ev2', password: 'password-123' } });
    await h.call('DELETE', `/api/v1/users/${u.id}`, { token: h.adminToken });
    const events = (await readEventsAfter(h.db.db, seq)).map((e) => e.envelope);
    assert.deepEqual(events.map((e) => e.event), ['user.updated', 'user.updated', 'user.login', 'user.deleted']);
    assert.deepEqual(events[0].data, {
      userId: u.id,
      user: (events[0].data as { user: object }).user,
      changes: { status: { from: 'active', to: 'pending' }, displayName: { from: null, to: 'Ev' } },
    });
    assert.deepEqual(Object.keys((events[2].data as object)).sort(), ['at', 'ip', 'userId', 'username']);
    assert.equal((events[3].data as { userId: number }).userId, u.id);
  });

  it('a change that fails leaves no event and no audit entry', async () => {
    const seq = await lastSeq();
    const audits = (await h.db.db.selectFrom('audit_logs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n;
    const dup = await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'admin', email: 'another@example.com' } });
    assert.equal(dup.statusCode, 409);
    const lastAdmin = await h.call('PATCH', '/api/v1/users/1', { token: (await h.apiKey('admin')).key, body: { status: 'suspended' } });
    assert.equal(lastAdmin.statusCode, 409);
    assert.equal((await readEventsAfter(h.db.db, seq)).length, 0);
    const auditsAfter = (await h.db.db.selectFrom('audit_logs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n;
    assert.equal(Number(auditsAfter), Number(audits) + 1, 'only the API key creation was audited');
    assert.equal((await h.call('GET', '/api/v1/users/1', { token: h.adminToken })).json().status, 'active');
  });

  it('a transaction that rolls back takes its event and audit entry with it', async () => {
    const seq = await lastSeq();
    await assert.rejects(
      inTransaction(h.db.db, async (trx) => {
        await writeEvent(trx, h.ctx.clock, 'user.login', { userId: 1, username: 'admin', ip: null, at: new Date().toISOString() });
        await writeAudit(trx, new Date().toISOString(), {}, { action: 'test.rollback', targetType: 'user' });
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal((await readEventsAfter(h.db.db, seq)).length, 0);
    assert.equal((await h.call('GET', '/api/v1/audit-logs?action=test.rollback', { token: h.adminToken })).json().pagination.total, 0);
  });
});
