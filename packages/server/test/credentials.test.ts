/** Credentials in answers and in the audit log: webhook header values, who sees which audit entries, caching. */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ADMIN, eachDatabase, startHarness, type Harness } from './helpers.ts';

eachDatabase('credentials in answers', (kind) => {
  let h: Harness;
  before(async () => {
    h = await startHarness(kind);
  });
  after(() => h.close());

  const partner = { Authorization: 'Bearer partner-credential-1', 'X-Api-Key': 'partner-credential-2' };
  const masked = { Authorization: '[REDACTED]', 'X-Api-Key': '[REDACTED]' };

  it('webhook header values are masked in answers and in the audit log; viewers see no webhook audit entry at all', async () => {
    const created = await h.call('POST', '/api/v1/webhooks', { token: h.adminToken, body: { url: 'https://partner.example.com/hook', events: ['user.*'], headers: partner } });
    assert.equal(created.statusCode, 201);
    const id = created.json().id;
    assert.deepEqual(created.json().headers, masked);
    assert.deepEqual((await h.call('GET', `/api/v1/webhooks/${id}`, { token: h.adminToken })).json().headers, masked);
    const patched = await h.call('PATCH', `/api/v1/webhooks/${id}`, { token: h.adminToken, body: { headers: { ...partner, 'X-Api-Key': 'partner-credential-3' } } });
    assert.deepEqual(patched.json().headers, masked);

    const audit = (await h.call('GET', `/api/v1/audit-logs?targetType=webhook&targetId=${id}`, { token: h.adminToken })).json();
    assert.deepEqual(audit.data.map((e: { action: string }) => e.action), ['webhook.update', 'webhook.create']);
    assert.deepEqual(audit.data[0].before.headers, masked);
    assert.deepEqual(audit.data[0].after.headers, masked);
    assert.ok(!/partner-credential/.test(JSON.stringify(audit)));

    const viewer = await h.userToken('viewer');
    assert.equal((await h.call('GET', `/api/v1/webhooks/${id}`, { token: viewer.token })).statusCode, 403);
    const seen = (await h.call('GET', '/api/v1/audit-logs?limit=100', { token: viewer.token })).json();
    assert.ok(seen.data.length > 0, 'the viewer reads the audit log');
    assert.ok(!seen.data.some((e: { targetType: string }) => e.targetType.startsWith('webhook')), 'no webhook entry');
    assert.equal((await h.call('GET', '/api/v1/audit-logs?targetType=webhook', { token: viewer.token })).json().pagination.total, 0);
    assert.equal((await h.call('GET', '/api/v1/audit-logs?targetType=webhook', { token: h.adminToken })).json().pagination.total, 2);
  });

  it('answers carrying a token or a secret are sent with Cache-Control: no-store, replays too', async () => {
    const login = await h.call('POST', '/api/v1/auth/login', { body: { username: ADMIN.username, password: ADMIN.password } });
    const refresh = await h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: login.json().refreshToken } });
    const key = await h.call('POST', '/api/v1/api-keys', { token: h.adminToken, body: { name: 'no-store', type: 'server' }, headers: { 'idempotency-key': 'no-store-key' } });
    const keyAgain = await h.call('POST', '/api/v1/api-keys', { token: h.adminToken, body: { name: 'no-store', type: 'server' }, headers: { 'idempotency-key': 'no-store-key' } });
    assert.equal(keyAgain.headers['idempotent-replayed'], 'true');
    const hook = await h.call('POST', '/api/v1/webhooks', { token: h.adminToken, body: { url: 'https://partner.example.com/hook', events: ['user.*'] } });
    const rotated = await h.call('POST', `/api/v1/webhooks/${hook.json().id}/rotate-secret`, { token: h.adminToken });
    for (const [name, r] of Object.entries({ login, refresh, key, keyAgain, hook, rotated })) {
      assert.ok(r.statusCode < 300, `${name}: ${r.body}`);
      assert.equal(r.headers['cache-control'], 'no-store', name);
    }
    const user = await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'cacheable', email: 'cacheable@example.com' } });
    assert.equal(user.headers['cache-control'], undefined, 'an answer without a credential is left alone');
  });
});
