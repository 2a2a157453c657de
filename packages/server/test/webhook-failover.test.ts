/**
 * Two real Gatrix processes on one PostgreSQL database, no Redis. One is SIGKILLed while it holds deliveries in
 * flight and never comes back: its heartbeat stops, and the survivor takes its deliveries over within 30 s —
 * without waiting for the dead node's leases to run out (100 s with the settings below).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openTestDatabase, startServerProcess, WAIT_MS, type TestDatabase } from './helpers.ts';

const PG = process.env.TEST_DATABASE_URL;
const USERS = 12;

async function until(check: () => boolean | Promise<boolean>, what: () => string | Promise<string>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out after ${ms} ms waiting for ${await what()}`);
}

describe('a node dies for good: the survivor takes over its deliveries (PostgreSQL, real processes)', { skip: PG ? false : 'TEST_DATABASE_URL is not set' }, () => {
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  let db: TestDatabase | undefined;
  let receiver: http.Server | undefined;
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    receiver?.closeAllConnections();
    receiver?.close();
    await db?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('SIGKILL one of two nodes with deliveries in flight: the other delivers them all within 30 s', async (t) => {
    // A receiver that holds every request until released, then answers 200; counts requests per webhook-id.
    const counts = new Map<string, number>();
    let held: http.ServerResponse[] = [];
    let holding = true;
    receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const id = String(req.headers['webhook-id']);
        counts.set(id, (counts.get(id) ?? 0) + 1);
        if (holding) held.push(res);
        else res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    db = await openTestDatabase('postgres');
    const database = db.db;
    const env = {
      DATABASE_URL: `${PG}${PG!.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${db.schema}`)}`,
      JWT_SECRET: 'failover-test-secret-failover-test-secret',
      GATRIX_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
      GATRIX_ADMIN_PASSWORD: 'failover-password',
      GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      GATRIX_WEBHOOK_RETRY_SCHEDULE: '0.2,0.5,1,1,1',
      // Held requests stay in flight until the kill; the leases are ceil(16 / 8) × 20 s + 60 s = 100 s.
      GATRIX_WEBHOOK_TIMEOUT_MS: '20000',
      GATRIX_WEBHOOK_CONCURRENCY: '16',
      GATRIX_WEBHOOK_CONCURRENCY_PER_ENDPOINT: '8',
    };
    const node = () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'gatrix-failover-'));
      dirs.push(dir);
      const s = startServerProcess({ ...env, GATRIX_DATA_DIR: dir });
      children.push(s.child);
      return s;
    };
    // One at a time, so that the second finds the schema migrated.
    const a = node();
    const baseA = await a.ready;
    const b = node();
    await b.ready;

    const login = await fetch(`${baseA}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'failover-password' }),
    });
    assert.equal(login.status, 200);
    const token = ((await login.json()) as { accessToken: string }).accessToken;
    const post = (url: string, body: unknown) =>
      fetch(`${baseA}/api/v1${url}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await post('/webhooks', { url: hookUrl, events: ['user.created'] })).status, 201);
    for (let i = 0; i < USERS; i++) assert.equal((await post('/users', { username: `failover${i}`, email: `failover${i}@example.com` })).status, 201);

    // Every delivery leased, some of them by node A (its node id carries its pid).
    const deliveries = () => database.selectFrom('webhook_deliveries').select(['event_id', 'status', 'leased_by']).execute();
    const ofA = (leasedBy: string | null) => leasedBy !== null && leasedBy.split(':')[1] === String(a.child.pid);
    await until(
      async () => {
        const ds = await deliveries();
        return ds.length === USERS && ds.every((d) => d.status === 'delivering') && ds.some((d) => ofA(d.leased_by));
      },
      async () => `${USERS} deliveries leased, some by node A: ${JSON.stringify(await deliveries())}`,
      WAIT_MS,
    );
    const leasedByA = (await deliveries()).filter((d) => ofA(d.leased_by)).map((d) => d.event_id);

    a.child.kill('SIGKILL');
    await a.exited;
    const killedAt = Date.now();
    holding = false;
    for (const res of held) if (!res.destroyed) res.writeHead(200).end('{}');
    held = [];

    await until(
      async () => (await deliveries()).every((d) => d.status === 'delivered'),
      async () => `every delivery delivered by node B: ${JSON.stringify(await deliveries())}\n${b.output()}`,
      WAIT_MS,
    );
    const tookMs = Date.now() - killedAt;
    t.diagnostic(`node A held ${leasedByA.length} of ${USERS} deliveries at the kill; node B delivered them ${tookMs} ms after it`);
    assert.ok(tookMs <= 30_000, `the survivor took over within 30 s (took ${tookMs} ms)`);
    for (const id of leasedByA) assert.ok((counts.get(id) ?? 0) >= 1, `${id} reached the receiver`);
  });
});
