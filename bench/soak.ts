/**
 * Soak: two Gatrix nodes on one PostgreSQL database and one Redis, as a studio runs them, under a steady mixed
 * write load for SOAK_MINUTES, with game servers and players connected and partner webhooks; then one node is
 * killed (SIGKILL) while the writes go on through the other. Checks, at the end, that every committed event
 * reached every socket that may hear it exactly once (live or through connection-state recovery) and every
 * webhook endpoint (re-sends only for deliveries in flight on the killed node), and reports each node's memory
 * minute by minute. `npm run bench:soak`.
 *
 * 1. A fresh PostgreSQL database (BENCH_DATABASE_URL names the server, default postgres://postgres@127.0.0.1:5432/test)
 *    and a Redis prefix of its own; both nodes at the default configuration (LOG_LEVEL info, output discarded).
 * 2. Set-up through node A: 50 worlds; SOAK_SOCKETS sockets (2,000) in SOAK_WORKERS (4) client processes, spread over both nodes: 90 % with a client key (a game client's
 *    credential: worlds, maintenance, versions, notices), 9 % with a server key (game servers: also whitelist and
 *    instances), 1 % with an admin key (operators' tools: every event, users too); SOAK_ENDPOINTS (5) webhook
 *    endpoints for every event on a receiver in this process.
 * 3. Writes: SOAK_RATE (200) a second, open loop, alternating nodes: 85 % users (players registering, profiles
 *    edited), 10 % whitelist (testers added and removed), 5 % worlds (status edits). A write is acknowledged when
 *    it answers 2xx.
 * 4. After SOAK_MINUTES (10), node A gets SIGKILL; writes go on through B for SOAK_AFTER_KILL seconds (30); sockets
 *    that were on A reconnect to B, as behind a load balancer.
 * 5. Settle, then check against the event feed read with each credential (the feed shows a credential exactly
 *    what its sockets may hear): per socket, count and two hash sums of event ids; per endpoint, each event once.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { call, envInt, eventIdHashes, type SoakFigures, fmt, memoryOf, mib, runBenchmark, sleep, startGatrix, BENCH_ADMIN, ROOT } from './lib.ts';

const MINUTES = envInt('SOAK_MINUTES', 10, 1);
const RATE = envInt('SOAK_RATE', 200, 1);
const SOCKETS = envInt('SOAK_SOCKETS', 2_000, 10);
const WORKERS = envInt('SOAK_WORKERS', 4, 1);
const ENDPOINTS = envInt('SOAK_ENDPOINTS', 5, 1);
const AFTER_KILL = envInt('SOAK_AFTER_KILL', 30, 0);
const SETTLE = envInt('SOAK_SETTLE', 60, 5);
/** Writes waiting for an answer beyond which the writer skips (the nodes are behind): the figures say how many. */
const MAX_IN_FLIGHT = 256;
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

interface SocketFigures extends SoakFigures {
  connected: boolean;
  /** A witness socket's every event id. */
  ids?: string[];
}

/**
 * The webhook receiver: per endpoint, how many times each event id arrived, when first (ms since epoch), and when
 * the first arrival was signed (its `webhook-timestamp`, whole seconds): an attempt is signed just before it is sent,
 * so a first arrival signed before the kill was an attempt made before it, whenever the receiver got to read it.
 */
class Receiver {
  readonly endpoints: { url: string; seen: Map<string, number>; firstAt: Map<string, number>; firstSigned: Map<string, number>; server: http.Server }[] = [];
  async listen(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const seen = new Map<string, number>();
      const firstAt = new Map<string, number>();
      const firstSigned = new Map<string, number>();
      const server = http.createServer((req, res) => {
        const id = String(req.headers['webhook-id']);
        seen.set(id, (seen.get(id) ?? 0) + 1);
        if (!firstAt.has(id)) {
          firstAt.set(id, Date.now());
          firstSigned.set(id, Number(req.headers['webhook-timestamp']) * 1000);
        }
        req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
      });
      server.keepAliveTimeout = 60_000;
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      this.endpoints.push({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, seen, firstAt, firstSigned, server });
    }
  }
  close(): void {
    for (const e of this.endpoints) {
      e.server.closeAllConnections();
      e.server.close();
    }
  }
}

/** A socket client worker (bench/soak-clients.ts) and its replies. */
function startWorker() {
  const proc = fork('bench/soak-clients.ts', [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiters: ((msg: { type: string } & Record<string, unknown>) => boolean)[] = [];
  proc.on('message', (msg: { type: string } & Record<string, unknown>) => {
    const i = waiters.findIndex((w) => w(msg));
    if (i >= 0) waiters.splice(i, 1);
  });
  const ask = <T>(msg: Record<string, unknown>, reply: string, timeoutMs: number) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`soak client worker: no ${reply} in ${timeoutMs / 1000} s`)), timeoutMs);
      waiters.push((m) => m.type === reply && (clearTimeout(timer), resolve(m as T), true));
      proc.send(msg);
    });
  return { proc, ask };
}

interface FeedEvent {
  id: string;
  event: string;
  timestamp: string;
}

/** Every event id the feed shows this credential from `after` on, with its type. */
async function feed(base: string, key: string, after: string): Promise<FeedEvent[]> {
  const out: FeedEvent[] = [];
  let cursor = after;
  for (;;) {
    const page = (await call(base, 'GET', `/api/v1/events?after=${encodeURIComponent(cursor)}&limit=1000`, { 'x-api-key': key })) as {
      data: FeedEvent[];
      nextCursor: string;
      hasMore: boolean;
    };
    out.push(...page.data.map((e) => ({ id: e.id, event: e.event, timestamp: e.timestamp })));
    cursor = page.nextCursor;
    if (!page.hasMore) return out;
  }
}

runBenchmark('soak', async (bench) => {
  const database = `gatrix_soak_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${database}`);
  bench.atExit(async () => {
    await admin.query(`drop database if exists ${database} with (force)`).catch(() => undefined);
    await admin.end();
  });
  const dbUrl = new URL(PG_URL);
  dbUrl.pathname = `/${database}`;
  const receiver = new Receiver();
  await receiver.listen(ENDPOINTS);
  bench.atExit(() => receiver.close());

  const env = {
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL,
    GATRIX_REDIS_PREFIX: `soak-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'info',
    GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    GATRIX_SOCKET_CONNECTIONS_PER_IP: String(SOCKETS * 4),
    GATRIX_SOCKET_MAX_PER_CREDENTIAL: String(SOCKETS),
  };
  console.log(`soak: two nodes on PostgreSQL (${database}) + Redis, ${MINUTES} min at ${RATE} writes/s, ${fmt(SOCKETS)} sockets, ${ENDPOINTS} webhook endpoints; then SIGKILL of node A and ${AFTER_KILL} s more through B`);
  const a = await startGatrix('node-a', bench.tempDir, env, { echo: false });
  bench.children.push(a.child);
  const b = await startGatrix('node-b', bench.tempDir, env, { echo: false });
  bench.children.push(b.child);
  const nodes = [a, b];

  const login = (await call(a.base, 'POST', '/api/v1/auth/login', {}, { username: BENCH_ADMIN.username, password: BENCH_ADMIN.password })) as { accessToken: string };
  const newKey = async (type: string) =>
    ((await call(a.base, 'POST', '/api/v1/api-keys', { authorization: `Bearer ${login.accessToken}` }, { name: `soak ${type}`, type })) as { key: string }).key;
  const keys = { admin: await newKey('admin'), server: await newKey('server'), client: await newKey('client') };
  const adminHeaders = { 'x-api-key': keys.admin };
  const worlds: number[] = [];
  for (let i = 0; i < 50; i++) {
    worlds.push(((await call(a.base, 'POST', '/api/v1/game-worlds', adminHeaders, { worldId: `soak-${i}`, name: `Soak ${i}` })) as { id: number }).id);
  }
  for (const e of receiver.endpoints) await call(a.base, 'POST', '/api/v1/webhooks', adminHeaders, { url: e.url, events: ['*'] });
  const start = ((await call(a.base, 'GET', '/api/v1/events?newest=true&limit=1', adminHeaders)) as { nextCursor: string }).nextCursor;

  // Sockets: per worker a share of each kind.
  const kinds = [
    { kind: 'client', token: keys.client, share: 0.9 },
    { kind: 'server', token: keys.server, share: 0.09 },
    { kind: 'admin', token: keys.admin, share: 0.01 },
  ];
  const workers = Array.from({ length: WORKERS }, startWorker);
  bench.atExit(() => workers.forEach((w) => w.proc.connected && w.proc.send({ type: 'close' })));
  const t0 = Date.now();
  let connected = 0;
  await Promise.all(
    workers.map(async (w, i) => {
      for (const k of kinds) {
        const count = Math.max(1, Math.round((SOCKETS * k.share) / WORKERS) + (i === 0 && k.share * SOCKETS < WORKERS ? 1 : 0));
        const r = await w.ask<{ count: number; failures: number }>({ type: 'connect', urls: nodes.map((n) => n.base), token: k.token, kind: k.kind, count }, 'connected', 300_000);
        if (r.failures > 0) throw new Error(`${r.failures} ${k.kind} sockets could not connect`);
        connected += r.count;
      }
    }),
  );
  console.log(`${fmt(connected)} sockets connected in ${fmt((Date.now() - t0) / 1000, 1)} s`);

  // The writes.
  const acked = { users: 0, whitelist: 0, worlds: 0, failed: 0 };
  const refusals = new Map<string, number>();
  const users: number[] = [];
  const testers: number[] = [];
  let seq = 0;
  let live = [a, b];
  const write = async () => {
    const n = seq++;
    const base = live[n % live.length].base;
    const r = Math.random();
    try {
      if (r < 0.85) {
        if (users.length < 100 || n % 2 === 0) {
          const u = (await call(base, 'POST', '/api/v1/users', adminHeaders, { username: `soak_${n}`, email: `soak_${n}@example.com`, role: 'player' })) as { id: number };
          users.push(u.id);
        } else {
          await call(base, 'PATCH', `/api/v1/users/${users[Math.floor(Math.random() * users.length)]}`, adminHeaders, { displayName: `Player ${n}` });
        }
        acked.users++;
      } else if (r < 0.95) {
        if (testers.length < 50 || n % 2 === 0) {
          const e = (await call(base, 'POST', '/api/v1/whitelist', adminHeaders, { type: n % 3 === 0 ? 'account' : 'ip', value: n % 3 === 0 ? `tester-${n}` : `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` })) as { id: number };
          testers.push(e.id);
        } else {
          await call(base, 'DELETE', `/api/v1/whitelist/${testers.splice(Math.floor(Math.random() * testers.length), 1)[0]}`, adminHeaders);
        }
        acked.whitelist++;
      } else {
        await call(base, 'PATCH', `/api/v1/game-worlds/${worlds[n % worlds.length]}`, adminHeaders, { name: `Soak ${n}` });
        acked.worlds++;
      }
    } catch (err) {
      acked.failed++;
      // Why, once per kind of answer (a status, or a connection error on the killed node).
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      const why = /answered (\d+)/.exec(String(err))?.[1] ?? cause ?? (err instanceof Error ? err.message : String(err));
      if (!refusals.has(why)) console.log(`  a write failed: ${String(err).slice(0, 300)}`);
      refusals.set(why, (refusals.get(why) ?? 0) + 1);
    }
  };
  const inFlight = new Set<Promise<void>>();
  let skipped = 0;
  let writing = true;
  const writer = (async () => {
    const began = performance.now();
    for (let i = 0; writing; i++) {
      const due = began + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      // As a real caller with a bounded pool would: past MAX_IN_FLIGHT waiting writes, this one is not sent.
      if (inFlight.size >= MAX_IN_FLIGHT) {
        skipped++;
        continue;
      }
      const p = write().finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  })();

  console.log('\nminute   writes acked (users / whitelist / worlds / failed / not sent)   RSS node A   RSS node B   webhook deliveries');
  const rss: { a: number; b: number }[] = [];
  const deliveries = () => receiver.endpoints.reduce((n, e) => n + [...e.seen.values()].reduce((x, y) => x + y, 0), 0);
  for (let m = 1; m <= MINUTES; m++) {
    await sleep(60_000);
    const ra = memoryOf(a.child.proc.pid!).rssKiB;
    const rb = memoryOf(b.child.proc.pid!).rssKiB;
    rss.push({ a: ra, b: rb });
    console.log(`${String(m).padStart(6)}   ${fmt(acked.users)} / ${fmt(acked.whitelist)} / ${fmt(acked.worlds)} / ${fmt(acked.failed)} / ${fmt(skipped)}`.padEnd(71) + `${mib(ra).padStart(11)}  ${mib(rb).padStart(11)}   ${fmt(deliveries())}`);
  }

  const killedAt = Date.now();
  a.child.proc.kill('SIGKILL');
  await a.child.exit;
  live = [b];
  for (const w of workers) w.proc.send({ type: 'down', url: a.base });
  console.log(`\nnode A killed (SIGKILL) with ${inFlight.size} writes in flight; ${AFTER_KILL} s more through node B`);
  await sleep(AFTER_KILL * 1000);
  writing = false;
  await writer;
  await Promise.all(inFlight);
  console.log(`writes acked: ${fmt(acked.users)} users, ${fmt(acked.whitelist)} whitelist, ${fmt(acked.worlds)} worlds; ${fmt(skipped)} not sent (${MAX_IN_FLIGHT} waiting already); ${fmt(acked.failed)} not acknowledged (${[...refusals].map(([why, n]) => `${why}: ${fmt(n)}`).join(', ')})`);

  // What each credential should have heard, from the feed (read again until the surviving node has dispatched what
  // the killed one left in the outbox and the feed stops growing); then until the sockets and endpoints have it all.
  const expected = new Map<string, { count: number; sumA: number; sumB: number; events: FeedEvent[] }>();
  const settleUntil = Date.now() + SETTLE * 1000;
  for (let stable = 0, before = -1; stable < 3 && Date.now() < settleUntil; ) {
    for (const k of kinds) {
      const events = await feed(b.base, k.token, start);
      let sumA = 0;
      let sumB = 0;
      for (const e of events) {
        const [x, y] = eventIdHashes(e.id);
        sumA = (sumA + x) >>> 0;
        sumB = (sumB + y) >>> 0;
      }
      expected.set(k.kind, { count: events.length, sumA, sumB, events });
    }
    const n = expected.get('admin')!.count;
    stable = n === before ? stable + 1 : 0;
    before = n;
    if (stable < 3) await sleep(2_000);
  }
  const all = expected.get('admin')!;
  const ids = all.events.map((e) => e.id);
  const byType = new Map<string, number>();
  for (const e of all.events) byType.set(e.event.split('.')[0], (byType.get(e.event.split('.')[0]) ?? 0) + 1);
  console.log(`events committed: ${fmt(all.count)} (${[...byType].map(([t, n]) => `${t} ${fmt(n)}`).join(', ')})`);
  // Every acknowledged write made at least one event (a user's, a whitelist entry's, a world's).
  const lostWrites = (['users', 'whitelist', 'worlds'] as const).reduce((n, k) => n + Math.max(0, acked[k] - (byType.get({ users: 'user', whitelist: 'whitelist', worlds: 'world' }[k]) ?? 0)), 0);

  const report = async () => (await Promise.all(workers.map((w) => w.ask<{ sockets: SocketFigures[] }>({ type: 'report' }, 'report', 120_000)))).flatMap((r) => r.sockets);
  let sockets: SocketFigures[];
  for (;;) {
    sockets = await report();
    const missingHooks = receiver.endpoints.reduce((n, e) => n + ids.filter((id) => !e.seen.has(id)).length, 0);
    const socketsDone = sockets.every((s) => s.count >= expected.get(s.kind)!.count);
    if ((socketsDone && missingHooks === 0) || Date.now() > settleUntil) break;
    await sleep(2_000);
  }

  console.log('\nsockets (per credential kind: sockets, exactly right, short, over, reconnected; not recovered by Socket.IO, so caught up from the event feed, and catch-up reads tried again after a failure; repeats skipped by event id)');
  let failures = 0;
  for (const k of kinds) {
    const e = expected.get(k.kind)!;
    const mine = sockets.filter((s) => s.kind === k.kind);
    const exact = mine.filter((s) => s.count === e.count && s.sumA === e.sumA && s.sumB === e.sumB).length;
    const short = mine.filter((s) => s.count < e.count).length;
    const over = mine.filter((s) => s.count > e.count).length;
    const reconnected = mine.filter((s) => s.reconnects > 0).length;
    const unrecovered = mine.filter((s) => s.unrecovered > 0).length;
    const caughtUp = mine.reduce((n, s) => n + s.caughtUp, 0);
    const repeats = mine.reduce((n, s) => n + s.repeats, 0);
    const retries = mine.reduce((n, s) => n + s.catchUpRetries, 0);
    failures += mine.length - exact;
    console.log(`  ${k.kind.padEnd(7)} ${fmt(mine.length).padStart(6)}   ${fmt(exact).padStart(6)} exact   ${fmt(short).padStart(4)} short   ${fmt(over).padStart(4)} over   ${fmt(reconnected).padStart(5)} reconnected   ${fmt(unrecovered).padStart(4)} not recovered (${fmt(caughtUp)} events from the feed, ${fmt(retries)} reads retried)   ${fmt(repeats)} repeats skipped   (${fmt(e.count)} events each)`);
  }
  // The witnesses name what a socket missed, and when those events were made (relative to the kill).
  for (const w of sockets.filter((s) => s.ids)) {
    const got = new Set(w.ids);
    const missed = expected.get(w.kind)!.events.filter((e) => !got.has(e.id)).map((e) => (Date.parse(e.timestamp) - killedAt) / 1000);
    if (missed.length > 0) console.log(`  a ${w.kind} socket (${w.reconnects > 0 ? 'moved to node B' : 'on node B throughout'}) missed ${fmt(missed.length)} events, made ${fmt(Math.min(...missed), 1)} s to ${fmt(Math.max(...missed), 1)} s from the kill`);
  }
  console.log('\nwebhooks (per endpoint: events received, missing, received twice: first sent by the killed node before it died / later)');
  let duplicates = 0;
  for (const [i, e] of receiver.endpoints.entries()) {
    const missing = ids.filter((id) => !e.seen.has(id)).length;
    const twice = [...e.seen].filter(([, n]) => n > 1).map(([id]) => id);
    // A re-send is expected only for a delivery node A made and died before recording: first sent before the kill.
    // An attempt A made just before it died can be read by this (busy) receiver after the kill, so the first
    // arrival's signing second decides: signed in a second that began after the kill is an attempt made after it.
    const late = twice.filter((id) => e.firstSigned.get(id)! > killedAt).length;
    const readAfter = twice.filter((id) => e.firstAt.get(id)! > killedAt && e.firstSigned.get(id)! <= killedAt);
    if (readAfter.length > 0) {
      const ms = readAfter.map((id) => e.firstAt.get(id)! - killedAt);
      console.log(`  endpoint ${i + 1}: ${readAfter.length} of its re-sends were signed before the kill and first read ${Math.min(...ms)}–${Math.max(...ms)} ms after it`);
    }
    duplicates += twice.length;
    failures += missing + late;
    console.log(`  endpoint ${i + 1}   ${fmt(ids.filter((id) => e.seen.has(id)).length).padStart(8)} received   ${fmt(missing).padStart(4)} missing   ${fmt(twice.length - late).padStart(4)} twice, in flight at the kill   ${fmt(late).padStart(4)} twice, later`);
  }
  const first = rss[0];
  const last = rss[rss.length - 1];
  console.log(`\nmemory: node A ${mib(first.a)} at minute 1 → ${mib(last.a)} at minute ${rss.length}; node B ${mib(first.b)} → ${mib(last.b)}`);
  console.log(`acknowledged writes without an event: ${fmt(lostWrites)}`);
  console.log(`webhook re-sends: ${fmt(duplicates)} (allowed: deliveries in flight on node A when it was killed, sent again by B after its heartbeat aged; ${fmt((Date.now() - killedAt) / 1000)} s since the kill)`);
  const ok = failures === 0 && lostWrites === 0;
  console.log(ok ? '\nsoak: every committed event reached every socket and endpoint that should have it' : `\nsoak: FAILED (${fmt(failures)} sockets or deliveries wrong)`);
  return ok ? 0 : 1;
});
