/**
 * Webhook durability across a hard crash, with real processes: `main.ts` on SQLite is SIGKILLed while deliveries
 * are in flight, claimed and pending; restarted on the same data dir it delivers every user event at least once
 * within 15 s, and a second copy only of what was in flight at the kill, under the same `webhook-id`. A second
 * process on the same data dir refuses to start.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { startServerProcess, WAIT_MS } from './helpers.ts';

/** Users created over HTTP, one user.created event each; the kill comes once KILL_AFTER of them are answered. */
const TOTAL = 2_200;
const KILL_AFTER = 2_000;
const CLIENTS = 6;
/** The receiver stops answering from this request on, so the endpoint's slots fill up and stay in flight. */
const HOLD_FROM = 300;
const CONCURRENCY = 64;
const PER_ENDPOINT = 16;


/**
 * A real receiver on loopback: counts requests per `webhook-id`, remembers which ids each `x-gatrix-delivery` carried,
 * and answers 200 after 5–20 ms — or, from `holdFrom` on, not at all until released (deliveries stay in flight).
 */
async function startReceiver() {
  const counts = new Map<string, number>();
  const idsByDelivery = new Map<string, Set<string>>();
  const problems: string[] = [];
  let held: { id: string; res: http.ServerResponse }[] = [];
  let total = 0;
  let holdFrom = Infinity;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      const delivery = String(req.headers['x-gatrix-delivery']);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string };
      if (body.id !== id) problems.push(`delivery ${delivery}: body id ${body.id} but webhook-id ${id}`);
      counts.set(id, (counts.get(id) ?? 0) + 1);
      idsByDelivery.set(delivery, (idsByDelivery.get(delivery) ?? new Set()).add(id));
      if (++total > holdFrom) {
        held.push({ id, res });
        return;
      }
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), 5 + Math.random() * 15);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    counts,
    idsByDelivery,
    problems,
    total: () => total,
    /** The requests held now (one whose sender timed out and closed it is no longer held). */
    held: () => held.filter((h) => !h.res.destroyed).map((h) => h.id),
    /** Hold every request after the next `n` (0: from now on). */
    holdAfter(n: number): void {
      holdFrom = total + n;
    },
    /** Answer the held requests (if their sender is still there) and every later one. */
    release(): void {
      holdFrom = Infinity;
      for (const h of held) if (!h.res.destroyed) h.res.writeHead(200).end('{"ok":true}');
      held = [];
    },
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string | (() => string), ms = WAIT_MS): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`);
}

async function api(base: string, token: string | undefined, method: string, url: string, body?: unknown): Promise<Response> {
  return fetch(`${base}/api/v1${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Creates users from `clients` concurrent connections until `total` are made or the server goes away. */
function createUsers(base: string, token: string, prefix: string, total: number, clients: number) {
  let next = 0;
  let acked = 0;
  let gone = false;
  const one = async () => {
    while (!gone && next < total) {
      const i = next++;
      try {
        const r = await api(base, token, 'POST', '/users', { username: `${prefix}${i}`, email: `${prefix}${i}@example.com` });
        if (r.status !== 201) throw new Error(`create ${prefix}${i}: ${r.status} ${await r.text()}`);
        acked++;
      } catch (err) {
        if (gone) return; // the server was killed under this request
        throw err;
      }
    }
  };
  let error: unknown;
  const done = Promise.all(Array.from({ length: clients }, one)).then(
    () => undefined,
    (err: unknown) => {
      error = err;
    },
  );
  return {
    done,
    /** Throws what failed a create that the server should have answered. */
    check(): void {
      if (error) throw error as Error;
    },
    acked: () => acked,
    finished: () => next >= total && acked === total,
    /** The server is being killed: requests that fail from now on are expected to. */
    abandon(): void {
      gone = true;
    },
  };
}

type Row = { event_id: string; status: string; lease_until: string | null; attempts: number };

describe('webhook deliveries survive a hard crash of the real process (SQLite)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatrix-crash-'));
  const children: ChildProcess[] = [];
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  let file: SQLite.Database | undefined;
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    file?.close();
    await receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('SIGKILL mid-delivery: after a restart every event arrives, a second copy only of what was in flight, with the same webhook-id', async (t) => {
    const r = (receiver = await startReceiver());
    const env = {
      GATRIX_DATA_DIR: dataDir,
      GATRIX_ADMIN_PASSWORD: 'crash-test-password',
      GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      GATRIX_WEBHOOK_RETRY_SCHEDULE: '0.2,0.5,1,1,1,1,1,1,1,1',
      // Long enough that the held requests are still in flight when the process dies, rather than timed out.
      GATRIX_WEBHOOK_TIMEOUT_MS: '60000',
      GATRIX_WEBHOOK_CONCURRENCY: String(CONCURRENCY),
      GATRIX_WEBHOOK_CONCURRENCY_PER_ENDPOINT: String(PER_ENDPOINT),
    };
    const start = () => {
      const s = startServerProcess(env);
      children.push(s.child);
      return s;
    };

    // 1. Run: register the endpoint, create users fast, and kill -9 while the endpoint's slots are all in flight.
    let server = start();
    let base = await server.ready;
    const login = await api(base, undefined, 'POST', '/auth/login', { username: 'admin', password: 'crash-test-password' });
    assert.equal(login.status, 200);
    const token = ((await login.json()) as { accessToken: string }).accessToken;
    // The test reads the server's SQLite file alongside it (WAL: readers never block the writer).
    file = new SQLite(path.join(dataDir, 'gatrix.db'));
    file.pragma('busy_timeout = 5000');
    const db = file;
    const undispatched = () => (db.prepare('select count(*) as n from outbox_events where dispatched_at is null').get() as { n: number }).n;
    // Events from before the endpoint (the admin's creation and login) are fanned out without it, and not counted.
    await until(() => undispatched() === 0, 'the events written before the endpoint to be dispatched');
    const firstSeq = (db.prepare('select coalesce(max(seq), 0) as n from outbox_events').get() as { n: number }).n + 1;
    const created = await api(base, token, 'POST', '/webhooks', { url: r.url, events: ['user.*'] });
    assert.equal(created.status, 201, await created.clone().text());
    r.holdAfter(HOLD_FROM);
    const load = createUsers(base, token, 'crash', TOTAL, CLIENTS);
    await until(
      () => {
        load.check();
        return (load.acked() >= KILL_AFTER || load.finished()) && r.held().length === PER_ENDPOINT;
      },
      () => `${KILL_AFTER} users created and ${PER_ENDPOINT} deliveries held in flight (${load.acked()} created, ${r.held().length} held)\n${server.output()}`,
      WAIT_MS,
    );
    load.abandon();
    const heldAtKill = r.held();
    server.child.kill('SIGKILL');
    await server.exited;
    await load.done;
    const receivedAtKill = new Map(r.counts);
    r.release(); // from now on the receiver answers everything

    // 2. The database as the crash left it.
    const userEvents = () =>
      (db.prepare(`select payload from outbox_events where type like 'user.%' and seq >= ? order by seq`).all(firstSeq) as { payload: string }[]).map(
        (e) => (JSON.parse(e.payload) as { id: string }).id,
      );
    const deliveries = () => db.prepare('select event_id, status, lease_until, attempts from webhook_deliveries').all() as Row[];

    const state = () => {
      const by: Record<string, number> = {};
      for (const d of deliveries()) by[d.status] = (by[d.status] ?? 0) + 1;
      const missing = db
        .prepare(
          `select seq from outbox_events o where seq >= ? and type like 'user.%'
           and not exists (select 1 from webhook_deliveries d where d.event_id = json_extract(o.payload, '$.id'))`,
        )
        .all(firstSeq)
        .map((m) => (m as { seq: number }).seq);
      const summary = { deliveries: by, undispatched: undispatched(), events: userEvents().length, received: r.total(), eventsWithoutDelivery: missing };
      return `${JSON.stringify(summary)}\n${server.output()}`;
    };
    const events = userEvents();
    assert.ok(events.length >= load.acked(), `every answered create committed its event (${events.length} events, ${load.acked()} answered)`);
    assert.ok(events.length <= TOTAL);
    const arrivedAtKill = events.filter((id) => receivedAtKill.has(id)).length;
    assert.ok(arrivedAtKill > 0 && arrivedAtKill < events.length / 2, `some but not all arrived before the kill (${arrivedAtKill} of ${events.length})`);
    const atKill = deliveries();
    const leasedAtKill = new Set(atKill.filter((d) => d.status === 'delivering').map((d) => d.event_id));
    const now = new Date().toISOString();
    assert.ok(
      atKill.filter((d) => d.status === 'delivering').every((d) => d.lease_until !== null && d.lease_until > now),
      'the in-flight deliveries are still leased to the dead process',
    );
    for (const id of heldAtKill) assert.ok(leasedAtKill.has(id), `held delivery ${id} is leased`);
    assert.ok(leasedAtKill.size <= CONCURRENCY, `a node holds at most GATRIX_WEBHOOK_CONCURRENCY leases (${leasedAtKill.size})`);
    const pendingAtKill = atKill.filter((d) => d.status === 'pending').length;
    const undispatchedAtKill = undispatched();
    assert.ok(pendingAtKill + undispatchedAtKill > 0, 'work was still waiting at the kill: pending deliveries or undispatched events');
    t.diagnostic(
      `at the kill: ${events.length} events, ${arrivedAtKill} arrived, ${heldAtKill.length} in flight, ${leasedAtKill.size} leased, ` +
        `${pendingAtKill} pending, ${undispatchedAtKill} not yet fanned out`,
    );

    // 3. Restart on the same data dir. The data-dir lock makes the new process the only one, so it releases the
    //    dead run's leases at start instead of waiting for them to run out (timeout × ceil(concurrency / per
    //    endpoint) + 60 s = 300 s here): what was in flight at the kill is sent again within 15 s of the restart,
    //    and everything is delivered long before those leases would have ended.
    const restartedAt = Date.now();
    server = start();
    base = await server.ready;
    const listeningAt = Date.now();
    const resent = (id: string) => (r.counts.get(id) ?? 0) > (receivedAtKill.get(id) ?? 0);
    await until(() => [...leasedAtKill].every(resent), () => `the deliveries leased at the kill to be sent again: ${state()}`, WAIT_MS);
    const resentAfter = Date.now() - listeningAt;
    await until(
      () => {
        const ds = deliveries();
        return undispatched() === 0 && ds.length >= events.length && ds.every((d) => d.status === 'delivered');
      },
      () => `the restarted server to deliver everything: ${state()}`,
      WAIT_MS,
    );
    const deliveredAt = Date.now();
    t.diagnostic(
      `after the restart: listening after ${listeningAt - restartedAt} ms; the ${leasedAtKill.size} deliveries leased at the kill sent again ` +
        `${resentAfter} ms later; all ${events.length} delivered ${deliveredAt - listeningAt} ms after listening`,
    );
    assert.ok(resentAfter <= 15_000, `the dead run's deliveries are sent again within 15 s of the restart (took ${resentAfter} ms)`);
    const leasesEnd = Math.min(...atKill.filter((d) => d.status === 'delivering').map((d) => Date.parse(d.lease_until!)));
    assert.ok(deliveredAt < leasesEnd, "everything was delivered before the dead run's leases would have run out");

    // A second process on the same data dir fails to start, naming it; the running one is untouched.
    const intruder = startServerProcess(env);
    children.push(intruder.child);
    assert.equal(await intruder.exited, 1, intruder.output());
    assert.match(intruder.output(), /is in use by another Gatrix process/);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);

    // Every event the outbox produced arrived at least once; twice only if it was in flight at the kill.
    const finalEvents = userEvents();
    assert.deepEqual(finalEvents, events, 'no event was added or lost after the crash');
    const deliveredIds = new Set(deliveries().map((d) => d.event_id));
    assert.equal(deliveredIds.size, events.length, 'one delivery per event');
    for (const id of events) {
      assert.ok(deliveredIds.has(id), `event ${id} has a delivery`);
      const n = r.counts.get(id) ?? 0;
      assert.ok(n >= 1, `event ${id} reached the receiver`);
      if (n > 1) assert.ok(leasedAtKill.has(id), `event ${id} arrived ${n} times but was not in flight at the kill`);
      assert.ok(n <= 2, `event ${id} arrived ${n} times`);
    }
    for (const id of heldAtKill) assert.equal(r.counts.get(id), 2, `in-flight delivery ${id} was sent again after the restart`);
    t.diagnostic(`after the restart: all ${events.length} delivered, ${events.filter((id) => (r.counts.get(id) ?? 0) > 1).length} of them twice`);
    // A duplicate is the same delivery again: one x-gatrix-delivery carries one webhook-id (= the body's event id),
    // and the receiver saw no id that is not one of the events.
    assert.deepEqual(r.problems, []);
    for (const id of r.counts.keys()) assert.ok(deliveredIds.has(id), `unexpected webhook-id ${id}`);
    for (const [delivery, ids] of r.idsByDelivery) assert.equal(ids.size, 1, `delivery ${delivery} carried ${[...ids].join(', ')}`);
    assert.equal(r.idsByDelivery.size, deliveredIds.size);

    // 5. A graceful stop (SIGTERM) with deliveries in flight waits for them and records them: exit 0, nothing resent.
    r.holdAfter(0);
    const more = createUsers(base, token, 'term', 10, 2);
    await more.done;
    more.check();
    await until(() => r.held().length === 10, 'ten deliveries in flight');
    const inFlight = r.held();
    server.child.kill('SIGTERM');
    setTimeout(() => r.release(), 300);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([server.exited, new Promise<string>((res) => (timer = setTimeout(() => res('still running after 120 s'), WAIT_MS)))]);
    clearTimeout(timer);
    assert.equal(code, 0, server.output());
    const rows = deliveries();
    assert.equal(rows.length, events.length + 10);
    assert.ok(rows.every((d) => d.status === 'delivered'));
    for (const id of inFlight) {
      assert.equal(r.counts.get(id), 1);
      assert.equal(rows.find((d) => d.event_id === id)?.attempts, 1, `${id} recorded as delivered on its first attempt`);
    }
  });
});
