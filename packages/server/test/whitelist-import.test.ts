import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { readEventsAfter } from '../src/events/outbox.ts';
import { eachDatabase, startHarness, type Harness } from './helpers.ts';

eachDatabase('whitelist import, test and export', (kind) => {
  let h: Harness;
  before(async () => {
    h = await startHarness(kind);
  });
  after(() => h.close());

  const count = async (table: 'whitelist_entries' | 'audit_logs' | 'outbox_events') =>
    Number((await h.db.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const lastSeq = async () => Number((await h.db.db.selectFrom('outbox_events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst())?.m ?? 0);
  const importText = (text: string, dryRun: boolean, extra: object = {}, token = h.adminToken, headers: Record<string, string> = {}) =>
    h.call('POST', '/api/v1/whitelist/import', { token, body: { text, dryRun, ...extra }, headers });

  it('dry run: per-line normalized entries, errors naming the field, and warnings; nothing written', async () => {
    const existing = await h.call('POST', '/api/v1/whitelist', { token: h.adminToken, body: { type: 'ip', value: '198.51.100.0/24' } });
    const existingAccount = await h.call('POST', '/api/v1/whitelist', { token: h.adminToken, body: { type: 'account', value: 'old-player' } });
    const text = [
      '10.0.0.1/24 # QA office',
      'player-42, tester account',
      '',
      '# a comment line',
      '2001:DB8::1',
      'player-42',
      '198.51.100.7',
      'old-player',
      '10.0.0.0/8',
      '300.1.2.3',
      'bad account',
      'account:10.9.9.9',
    ].join('\n');
    const before = await Promise.all([count('whitelist_entries'), count('audit_logs'), count('outbox_events')]);
    const r = await importText(text, true);
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json();
    assert.deepEqual(await Promise.all([count('whitelist_entries'), count('audit_logs'), count('outbox_events')]), before);
    const byLine = new Map(body.results.map((x: { line: number }) => [x.line, x]));
    assert.deepEqual(byLine.get(1), { line: 1, input: '10.0.0.1/24 # QA office', ok: true, action: 'create', entry: { type: 'ip', value: '10.0.0.0/24', memo: 'QA office' }, warnings: ['normalized from 10.0.0.1/24'] });
    assert.deepEqual(byLine.get(2), { line: 2, input: 'player-42, tester account', ok: true, action: 'create', entry: { type: 'account', value: 'player-42', memo: 'tester account' } });
    assert.deepEqual((byLine.get(5) as { entry: unknown }).entry, { type: 'ip', value: '2001:db8::1', memo: null });
    assert.deepEqual((byLine.get(6) as { action: string; warnings: string[] }).warnings, ['duplicate of line 2']);
    assert.equal((byLine.get(6) as { action: string }).action, 'skip');
    assert.deepEqual((byLine.get(7) as { warnings: string[] }).warnings, [`overlaps entry #${existing.json().id} (CIDR)`]);
    assert.deepEqual((byLine.get(8) as { warnings: string[] }).warnings, [`already exists as entry #${existingAccount.json().id}`]);
    assert.deepEqual((byLine.get(9) as { warnings: string[] }).warnings, ['overlaps line 1 (CIDR)']);
    assert.equal((byLine.get(10) as { ok: boolean }).ok, false);
    assert.equal((byLine.get(10) as { error: { field: string } }).error.field, 'value');
    assert.equal((byLine.get(11) as { error: { field: string } }).error.field, 'value');
    assert.deepEqual((byLine.get(12) as { entry: unknown }).entry, { type: 'account', value: '10.9.9.9', memo: null });
    assert.ok(!byLine.has(3) && !byLine.has(4), 'blank and comment lines are skipped');
    assert.deepEqual(body.counts, { lines: 10, valid: 8, invalid: 2, created: 0, skipped: 2, warnings: 6 });
    assert.equal(body.written, false);
  });

  it('a real import with an invalid line: 422 problem with every line, nothing written', async () => {
    const before = await Promise.all([count('whitelist_entries'), count('audit_logs'), count('outbox_events')]);
    const r = await importText('acc-1\n300.0.0.1\nacc-2', false);
    assert.equal(r.statusCode, 422, r.body);
    assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
    const body = r.json();
    assert.equal(body.code, 'whitelist_import_invalid');
    assert.deepEqual(body.errors.map((e: { path: string }) => e.path), ['lines.2.value']);
    assert.equal(body.results.length, 3);
    assert.equal(body.written, false);
    assert.deepEqual(await Promise.all([count('whitelist_entries'), count('audit_logs'), count('outbox_events')]), before);
  });

  it('a real import: all new entries in one transaction with defaults, one audit entry and event each (with the reason), skips not written', async () => {
    const seq = await lastSeq();
    const before = await count('whitelist_entries');
    const endsAt = new Date(Date.now() + 86_400_000).toISOString();
    const r = await importText('imp-1 # first\nimp-2\n192.0.2.0/28\nimp-1', false, { defaults: { enabled: false, endsAt, description: 'batch' } }, h.adminToken, {
      'x-audit-reason': encodeURIComponent('CSV from QA'),
    });
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json();
    assert.deepEqual(body.counts, { lines: 4, valid: 4, invalid: 0, created: 3, skipped: 1, warnings: 1 });
    assert.equal(await count('whitelist_entries'), before + 3);
    const ids = body.results.filter((x: { action: string }) => x.action === 'create').map((x: { entry: { id: number } }) => x.entry.id);
    assert.equal(ids.length, 3);
    const got = (await h.call('GET', `/api/v1/whitelist/${ids[1]}`, { token: h.adminToken })).json();
    assert.equal(got.value, 'imp-2');
    assert.equal(got.memo, 'batch');
    assert.equal(got.enabled, false);
    assert.equal(got.endsAt, endsAt);
    assert.equal((await h.call('GET', `/api/v1/whitelist/${ids[0]}`, { token: h.adminToken })).json().memo, 'first');
    const audits = await h.db.db.selectFrom('audit_logs').select(['action', 'target_id', 'reason']).where('target_id', 'in', ids.map(String)).where('target_type', '=', 'whitelist').execute();
    assert.deepEqual(audits.map((a) => [a.action, a.reason]), ids.map(() => ['whitelist.create', 'CSV from QA']));
    const evs = (await readEventsAfter(h.db.db, seq)).map((e) => e.envelope);
    assert.deepEqual(evs.map((e) => [e.event, (e.data as { entry: { id: number } }).entry.id]), ids.map((id: number) => ['whitelist.updated', id]));
  });

  it('an import and a create of one of its values at the same moment: one of them gets it, the other a 409 or 422, never a 500', async () => {
    for (let round = 0; round < 3; round++) {
      const values = Array.from({ length: 500 }, (_, i) => `race-${round}-${i}`);
      const [imported, created] = await Promise.all([
        importText(values.join('\n'), false),
        h.call('POST', '/api/v1/whitelist', { token: h.adminToken, body: { type: 'account', value: values[values.length - 1] } }),
      ]);
      assert.ok([200, 409, 422].includes(imported.statusCode), `import: ${imported.statusCode} ${imported.body}`);
      assert.ok([201, 409].includes(created.statusCode), `create: ${created.statusCode} ${created.body}`);
      assert.ok(imported.statusCode === 200 || created.statusCode === 201, 'one of them wrote');
      const stored = await h.db.db.selectFrom('whitelist_entries').select('value').where('value', 'like', `race-${round}-%`).execute();
      assert.equal(stored.length, imported.statusCode === 200 ? 500 : 1);
    }
  });

  it('validation and permission: over 10,000 lines or a bad default is a 400 naming the field; a viewer may not import', async () => {
    const big = await importText(Array.from({ length: 10_001 }, (_, i) => `p${i}`).join('\n'), true);
    assert.equal(big.statusCode, 400, big.body);
    assert.equal(big.json().errors[0].path, 'text');
    const window = await importText('x1', true, { defaults: { startsAt: '2026-02-01T00:00:00Z', endsAt: '2026-01-01T00:00:00Z' } });
    assert.equal(window.statusCode, 400);
    assert.equal(window.json().errors[0].path, 'defaults.endsAt');
    const missing = await h.call('POST', '/api/v1/whitelist/import', { token: h.adminToken, body: { text: 'x' } });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().errors[0].path, 'dryRun');
    const viewer = await h.userToken('viewer');
    assert.equal((await importText('x2', true, {}, viewer.token)).statusCode, 403);
    // 10,000 lines is allowed and checked quickly.
    const t = Date.now();
    const full = await importText(Array.from({ length: 10_000 }, (_, i) => (i % 2 ? `p${i}` : `10.${i >> 8}.${i & 255}.0/24`)).join('\n'), true);
    assert.equal(full.statusCode, 200, full.body);
    assert.equal(full.json().counts.valid, 10_000);
    assert.ok(Date.now() - t < 20_000);
  });

  it('test: matched entries with why, and what each client API answers under maintenance; the caller IP by default', async () => {
    const mk = async (body: object) => (await h.call('POST', '/api/v1/whitelist', { token: h.adminToken, body })).json();
    const ipEntry = await mk({ type: 'ip', value: '203.0.113.0/24', memo: 'office' });
    const disabled = await mk({ type: 'account', value: 'tester-9', enabled: false });
    const future = await mk({ type: 'ip', value: '203.0.113.5', startsAt: new Date(Date.now() + 3_600_000).toISOString() });
    assert.equal((await h.call('PUT', '/api/v1/maintenance', { token: h.adminToken, body: { enabled: true, message: 'Down for patch' } })).statusCode, 200);
    try {
      const r = await h.call('POST', '/api/v1/whitelist/test', { token: h.adminToken, body: { accountId: 'tester-9', ip: '203.0.113.5' } });
      assert.equal(r.statusCode, 200, r.body);
      const b = r.json();
      assert.equal(b.allowed, true);
      assert.equal(b.callerIp, '127.0.0.1');
      const why = Object.fromEntries(b.matched.map((m: { entry: { id: number }; why: string; matchedBy: string }) => [m.entry.id, [m.matchedBy, m.why]]));
      assert.deepEqual(why[ipEntry.id], ['ip', 'in effect']);
      assert.deepEqual(why[disabled.id], ['account', 'disabled']);
      assert.deepEqual(why[future.id], ['ip', 'not started']);
      assert.equal(b.decisions.status.maintenance, false, 'whitelisted: bypasses maintenance');
      assert.equal(b.decisions.clientVersion, null);

      const outsider = (await h.call('POST', '/api/v1/whitelist/test', { token: h.adminToken, body: { ip: '192.0.2.200', clientVersion: { channel: 'pc', subChannel: 'steam', version: '9.9.9' } } })).json();
      assert.equal(outsider.allowed, false);
      assert.deepEqual(outsider.matched, []);
      assert.deepEqual(outsider.decisions.status, { maintenance: true, message: 'Down for patch', startsAt: null, endsAt: null, upcoming: null });
      assert.match(outsider.decisions.clientVersion.error, /was not found/);

      const own = (await h.call('POST', '/api/v1/whitelist/test', { token: h.adminToken, body: {} })).json();
      assert.equal(own.ip, own.callerIp);
      const bad = await h.call('POST', '/api/v1/whitelist/test', { token: h.adminToken, body: { ip: '10.0.0.0/8' } });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().errors[0].path, 'ip');
      const viewer = await h.userToken('viewer');
      assert.equal((await h.call('POST', '/api/v1/whitelist/test', { token: viewer.token, body: {} })).statusCode, 403);
      const operator = await h.userToken('operator');
      assert.equal((await h.call('POST', '/api/v1/whitelist/test', { token: operator.token, body: {} })).statusCode, 200);
    } finally {
      await h.call('PUT', '/api/v1/maintenance', { token: h.adminToken, body: { enabled: false } });
    }
  });

  it('test: a client version is resolved with the patch version and language, as GET /client/client-version answers', async () => {
    const version = { channel: 'preview', subChannel: 'pc', version: '2.0.0' };
    const made = await h.call('POST', '/api/v1/client-versions', {
      token: h.adminToken,
      body: { ...version, status: 'MAINTENANCE', gameServerAddress: 'g:1', patchAddress: 'https://p/', minPatchVersion: '2.0.0.5', maintenanceMessage: 'Down', maintenanceMessages: { ko: '점검 중' } },
    });
    assert.equal(made.statusCode, 201, made.body);
    const ask = async (body: object) => (await h.call('POST', '/api/v1/whitelist/test', { token: h.adminToken, body: { ip: '192.0.2.201', ...body } })).json();
    const ko = await ask({ clientVersion: { ...version, patchVersion: '2.0.0.1' }, lang: 'ko' });
    assert.equal(ko.decisions.clientVersion.status, 'MAINTENANCE');
    assert.equal(ko.decisions.clientVersion.message, '점검 중');
    await h.call('PATCH', `/api/v1/client-versions/${made.json().id}`, { token: h.adminToken, body: { status: 'ONLINE' } });
    const old = await ask({ clientVersion: { ...version, patchVersion: '2.0.0.1' } });
    assert.equal(old.decisions.clientVersion.status, 'FORCED_UPDATE');
    const recent = await ask({ clientVersion: { ...version, patchVersion: '2.0.0.5' } });
    assert.equal(recent.decisions.clientVersion.status, 'ONLINE');
    const bad = await h.call('POST', '/api/v1/whitelist/test', { token: h.adminToken, body: { clientVersion: { ...version, patchVersion: 'x' } } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].path, 'clientVersion.patchVersion');
  });

  it('export.csv: every entry, quoted, formulas neutralized; a player is refused', async () => {
    await h.call('POST', '/api/v1/whitelist', { token: h.adminToken, body: { type: 'account', value: 'csv-1', memo: '=cmd|"calc"' } });
    const r = await h.call('GET', '/api/v1/whitelist/export.csv', { token: h.adminToken });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-disposition']), /^attachment; filename="whitelist-/);
    const lines = r.body.split('\r\n').filter(Boolean);
    assert.equal(lines[0], 'id,type,value,memo,enabled,startsAt,endsAt,createdAt,updatedAt');
    assert.equal(lines.length - 1, await count('whitelist_entries'));
    assert.ok(r.body.includes(`"csv-1","'=cmd|""calc"""`));
    const player = await h.userToken('player');
    assert.equal((await h.call('GET', '/api/v1/whitelist/export.csv', { token: player.token })).statusCode, 403);
  });
});
