/**
 * No credential in clear at rest: every flow that makes one runs against a real `main.ts` process, with and without
 * an Idempotency-Key, then every byte the database holds is searched for each credential.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import pg from 'pg';
import { secretBox } from '../src/core/secret-box.ts';
import { up as sealSecrets } from '../src/db/migrations/0004_sealed_secrets.ts';
import { openHeaders } from '../src/modules/webhooks/headers.ts';
import { eachDatabase, openTestDatabase, startServerProcess, until, type ServerProcess } from './helpers.ts';

const PASSWORD = 'at-rest-password-1';

eachDatabase('credentials at rest', (kind) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatrix-at-rest-'));
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const received: http.IncomingHttpHeaders[] = [];
  const receiver = http.createServer((req, res) => {
    received.push(req.headers);
    req.resume().on('end', () => res.writeHead(200).end());
  });
  let server: ServerProcess | undefined;
  after(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
    rmSync(dataDir, { recursive: true, force: true });
    if (kind === 'postgres') {
      const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    }
  });

  it('API keys, refresh tokens, webhook secrets and header values, made with and without Idempotency-Key, are nowhere in the database', async () => {
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    let databaseUrl: Record<string, string> = {};
    if (kind === 'postgres') {
      const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await c.connect();
      await c.query(`create schema ${schema}`);
      await c.end();
      databaseUrl = { DATABASE_URL: `${process.env.TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}` };
    }
    server = startServerProcess({ GATRIX_DATA_DIR: dataDir, GATRIX_ADMIN_PASSWORD: PASSWORD, GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', ...databaseUrl });
    const base = await server.ready;

    let n = 0;
    const call = async (method: string, url: string, o: { token?: string; body?: unknown; idempotent: boolean }) => {
      const headers: Record<string, string> = o.body === undefined ? {} : { 'content-type': 'application/json' };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      if (o.idempotent) headers['idempotency-key'] = `at-rest-${++n}`;
      const send = () => fetch(`${base}/api/v1${url}`, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
      const r = await send();
      const text = await r.text();
      assert.ok(r.status < 300, `${method} ${url}: ${r.status} ${text}`);
      if (o.idempotent && method === 'POST' && !url.startsWith('/auth/')) {
        // The stored answer is sealed, not lost: the same caller gets it again, byte for byte.
        const again = await send();
        assert.equal(again.headers.get('idempotent-replayed'), 'true', `${url} replayed`);
        assert.equal(await again.text(), text);
      }
      return JSON.parse(text) as Record<string, unknown>;
    };

    const credentials: string[] = [];
    const keep = (v: unknown) => {
      assert.equal(typeof v, 'string');
      credentials.push(v as string);
      return v as string;
    };
    const webhookIds: number[] = [];
    for (const idempotent of [false, true]) {
      const login = await call('POST', '/auth/login', { body: { username: 'admin', password: PASSWORD }, idempotent });
      keep(login.refreshToken);
      const refreshed = await call('POST', '/auth/refresh', { body: { refreshToken: login.refreshToken }, idempotent });
      keep(refreshed.refreshToken);
      const token = refreshed.accessToken as string;
      keep((await call('POST', '/api-keys', { token, body: { name: `partner ${idempotent}`, type: 'admin' }, idempotent })).key);

      const partnerToken = keep(`partner-token-${randomBytes(12).toString('hex')}`);
      const partnerKey = keep(`partner-key-${randomBytes(12).toString('hex')}`);
      const given = keep(`given-secret-${randomBytes(12).toString('hex')}`);
      const body = { url: hookUrl, events: ['world.*'], headers: { Authorization: `Bearer ${partnerToken}`, 'X-Api-Key': partnerKey } };
      const generated = await call('POST', '/webhooks', { token, body, idempotent });
      keep(generated.secret);
      assert.deepEqual(generated.headers, { Authorization: '[REDACTED]', 'X-Api-Key': '[REDACTED]' });
      const chosen = await call('POST', '/webhooks', { token, body: { ...body, secret: given }, idempotent });
      keep((await call('POST', `/webhooks/${chosen.id as number}/rotate-secret`, { token, idempotent })).secret);
      const patched = keep(`patched-key-${randomBytes(12).toString('hex')}`);
      await call('PATCH', `/webhooks/${chosen.id as number}`, { token, body: { headers: { Authorization: '[REDACTED]', 'X-Api-Key': patched } }, idempotent });
      webhookIds.push(generated.id as number, chosen.id as number);

      // A delivery to each endpoint, so its attempt log holds the headers it was sent with.
      for (const id of [generated.id as number, chosen.id as number]) {
        const delivery = await call('POST', `/webhooks/${id}/test`, { token, idempotent });
        let detail: { attemptsLog: { requestHeaders: Record<string, string> }[] } | undefined;
        await until(async () => {
          detail = (await call('GET', `/webhook-deliveries/${delivery.id as number}`, { token, idempotent: false })) as typeof detail;
          return detail!.attemptsLog.length > 0;
        }, `an attempt of delivery ${delivery.id as number}`);
        assert.equal(detail!.attemptsLog[0].requestHeaders.authorization ?? detail!.attemptsLog[0].requestHeaders.Authorization, '[REDACTED]');
      }
      // The receiver got the real values, the patched one included and the unchanged one kept.
      assert.ok(received.some((h) => h.authorization === `Bearer ${partnerToken}` && h['x-api-key'] === patched));
    }
    assert.equal(received.length, 4);

    const missing = (text: Buffer | string, where: string) => {
      for (const c of credentials) assert.ok(!text.includes(c), `${where} holds ${c}`);
    };
    if (kind === 'sqlite') {
      const file = path.join(dataDir, 'gatrix.db');
      for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) missing(readFileSync(f), path.basename(f));
      assert.ok(existsSync(`${file}-wal`), 'the WAL was scanned');
    } else {
      const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await c.connect();
      const tables = await c.query<{ table_name: string }>('select table_name from information_schema.tables where table_schema = $1', [schema]);
      assert.ok(tables.rows.length >= 10);
      for (const { table_name } of tables.rows) {
        const rows = await c.query<{ t: string }>(`select t::text as t from ${schema}."${table_name}" t`);
        missing(rows.rows.map((r) => r.t).join('\n'), table_name);
      }
      await c.end();
    }
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
    // Closing checkpoints the WAL into the file: nothing shows up there either.
    if (kind === 'sqlite') missing(readFileSync(path.join(dataDir, 'gatrix.db')), 'gatrix.db after closing');
  });
});

eachDatabase('migration 0004 (sealed secrets)', (kind) => {
  it('seals the webhook header values stored in clear, masks them in attempt logs and audit snapshots, drops stored answers', async () => {
    const db = await openTestDatabase(kind);
    const box = secretBox(randomBytes(32));
    const at = new Date().toISOString();
    const headers = { Authorization: 'Bearer legacy-credential-1', 'X-Api-Key': 'legacy-credential-2' };
    try {
      const { id } = await db.db
        .insertInto('webhooks')
        .values({ url: 'https://partner.example.com/hook', events: '["user.*"]', secret_enc: box.seal('whsec_x'), previous_secret_enc: null, previous_secret_expires_at: null, active: 1, description: null, headers: JSON.stringify(headers), disabled_reason: null, failing_since: null, created_at: at, updated_at: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      const delivery = await db.db
        .insertInto('webhook_deliveries')
        .values({ webhook_id: id, event_id: 'evt_legacy', event_type: 'user.created', payload: '{}', status: 'delivered', attempts: 1, next_attempt_at: null, lease_until: null, last_status_code: 200, last_error: null, event_created_at: at, created_at: at, updated_at: at, delivered_at: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      const sent = { ...headers, 'content-type': 'application/json', 'x-gatrix-event': 'user.created', 'webhook-id': 'evt_legacy' };
      await db.db
        .insertInto('webhook_attempts')
        .values({ delivery_id: delivery.id, attempt: 1, request_headers: JSON.stringify(sent), response_status: 200, response_headers: null, response_body: null, duration_ms: 3, error: null, created_at: at })
        .execute();
      await db.db
        .insertInto('audit_logs')
        .values({ actor_type: 'system', actor_id: null, actor_name: 'system', action: 'webhook.create', target_type: 'webhook', target_id: String(id), before: null, after: JSON.stringify({ id, headers }), ip: null, request_id: null, created_at: at })
        .execute();
      await db.db
        .insertInto('idempotency_keys')
        .values({ scope: 'user:1', key: 'legacy', method: 'POST', path: '/api/v1/api-keys', body_hash: 'x', status_code: 201, response_body: '{"key":"gtx_admin_legacy-credential-3"}', created_at: at })
        .execute();

      await sealSecrets(db.db as never, db.dialect, { box });

      const w = await db.db.selectFrom('webhooks').select('headers').where('id', '=', id).executeTakeFirstOrThrow();
      assert.deepEqual(openHeaders(box, w.headers), headers);
      const attempt = await db.db.selectFrom('webhook_attempts').select('request_headers').executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(attempt.request_headers), { ...sent, Authorization: '[REDACTED]', 'X-Api-Key': '[REDACTED]' });
      const audit = await db.db.selectFrom('audit_logs').select('after').where('target_type', '=', 'webhook').executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(audit.after!), { id, headers: { Authorization: '[REDACTED]', 'X-Api-Key': '[REDACTED]' } });
      assert.equal((await db.db.selectFrom('idempotency_keys').selectAll().execute()).length, 0);
      if (db.file) {
        // Checkpointed on close: the replaced values left nothing behind in the file's free space.
        await db.close();
        const bytes = readFileSync(db.file);
        for (const v of ['legacy-credential-1', 'legacy-credential-2', 'legacy-credential-3']) assert.ok(!bytes.includes(v), `the file holds ${v}`);
      }
    } finally {
      await db.drop();
    }
  });
});
