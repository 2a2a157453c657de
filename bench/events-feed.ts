/**
 * Benchmark: how soon a long-polling reader of the event feed (GET /api/v1/events?wait=30) gets an event,
 * against Socket.IO delivery of the same event to the same number of sockets, in the same run.
 *
 *   node --import tsx bench/events-feed.ts
 *
 * 1. Starts the real server (packages/server/src/main.ts) as a child process on a fresh SQLite data dir, default
 *    configuration. Through the HTTP API: signs in, creates an admin API key and BENCH_WORLDS game worlds.
 * 2. BENCH_READERS feed readers (each a loop of long polls with `wait=30` and `types=world.*`, from the newest
 *    cursor, each on its own keep-alive connection) and BENCH_READERS sockets (websocket, the admin key) connect.
 * 3. Rounds: one `PATCH /api/v1/game-worlds/:id` of a random world with a new name. An event's latency, for each
 *    channel, is from just before the request is sent to the moment the last reader (or socket) has it. The next
 *    round starts once every reader and socket has the event, after BENCH_EVENT_GAP_MS.
 * 4. Prints p50/p95/p99 (nearest rank) of both and the feed/socket ratios.
 *
 * Exit code: 0 when every reader and socket got every event, 1 when anything broke (30 s without an event).
 *
 * Environment: BENCH_EVENTS (200) measured events, BENCH_WARMUP_EVENTS (10), BENCH_READERS (20),
 * BENCH_WORLDS (50), BENCH_EVENT_GAP_MS (20).
 */
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { BENCH_ADMIN, type Bench, call, envInt, fmt, runBenchmark, sleep, startGatrix } from './lib.ts';

const EVENTS = envInt('BENCH_EVENTS', 200, 1);
const WARMUP = envInt('BENCH_WARMUP_EVENTS', 10, 0);
const READERS = envInt('BENCH_READERS', 20, 1);
const WORLDS = envInt('BENCH_WORLDS', 50, 1);
const GAP_MS = envInt('BENCH_EVENT_GAP_MS', 20, 0);

/** Nearest-rank percentile of sorted values. */
const pctl = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

/** When each reader (feed or socket) got each event, by the world name the event carries (unique per round). */
type Arrivals = Map<string, number[]>;
const arrive = (arrivals: Arrivals, data: { world?: { name?: string } }) => {
  const name = data.world?.name ?? '';
  const list = arrivals.get(name) ?? [];
  list.push(performance.now());
  arrivals.set(name, list);
};

runBenchmark('events-feed', async (bench: Bench) => {
  const { child, base } = await startGatrix('gatrix', path.join(bench.tempDir, 'data'));
  bench.children.push(child);
  const login = (await call(base, 'POST', '/api/v1/auth/login', {}, { username: BENCH_ADMIN.username, password: BENCH_ADMIN.password })) as { accessToken: string };
  const auth = { authorization: `Bearer ${login.accessToken}` };
  const key = ((await call(base, 'POST', '/api/v1/api-keys', auth, { name: 'bench feed', type: 'admin' })) as { key: string }).key;
  const admin = { 'x-api-key': key };
  const worlds: number[] = [];
  for (let i = 0; i < WORLDS; i++) {
    const w = (await call(base, 'POST', '/api/v1/game-worlds', admin, { worldId: `bench_${i}`, name: `Bench world ${i}`, region: ['kr', 'jp', 'na', 'eu'][i % 4], tags: i % 3 ? ['pvp'] : [] })) as { id: number };
    worlds.push(w.id);
  }
  const start = ((await call(base, 'GET', '/api/v1/events?newest=true&limit=1', admin)) as { nextCursor: string | null }).nextCursor;

  const feed: Arrivals = new Map();
  const socket: Arrivals = new Map();
  const stop = new AbortController();
  const readers = Array.from({ length: READERS }, async () => {
    let cursor = start;
    while (!stop.signal.aborted) {
      const r = await fetch(`${base}/api/v1/events?types=world.*&wait=30${cursor ? `&after=${cursor}` : ''}`, { headers: admin, signal: stop.signal }).catch((err: unknown) => {
        if (stop.signal.aborted) return undefined;
        throw err;
      });
      if (!r) return;
      if (r.status !== 200) throw new Error(`the feed answered ${r.status}: ${await r.text()}`);
      const page = (await r.json()) as { data: { data: { world?: { name?: string } } }[]; nextCursor: string | null };
      for (const e of page.data) arrive(feed, e.data);
      cursor = page.nextCursor ?? cursor;
    }
  });
  const sockets: Socket[] = [];
  bench.atExit(() => sockets.forEach((s) => s.disconnect()));
  await Promise.all(
    Array.from({ length: READERS }, async () => {
      const s = io(base, { auth: { token: key }, transports: ['websocket'], reconnection: false, forceNew: true });
      sockets.push(s);
      s.on('world_updated', (data: { world?: { name?: string } }) => arrive(socket, data));
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      });
    }),
  );

  const latencies = { feed: [] as number[], socket: [] as number[] };
  for (let round = 0; round < WARMUP + EVENTS; round++) {
    const id = worlds[Math.floor(Math.random() * worlds.length)];
    const name = `Bench world ${id} r${round}`;
    const t0 = performance.now();
    await call(base, 'PATCH', `/api/v1/game-worlds/${id}`, admin, { name });
    const deadline = Date.now() + 30_000;
    while ((socket.get(name)?.length ?? 0) < READERS || (feed.get(name)?.length ?? 0) < READERS) {
      if (Date.now() > deadline) throw new Error(`round ${round}: not every reader and socket got the event within 30 s`);
      await sleep(1);
    }
    if (round >= WARMUP) {
      latencies.feed.push(Math.max(...feed.get(name)!) - t0);
      latencies.socket.push(Math.max(...socket.get(name)!) - t0);
    }
    feed.delete(name);
    socket.delete(name);
    await sleep(GAP_MS);
  }
  stop.abort();
  await Promise.all(readers);

  const f = [...latencies.feed].sort((a, b) => a - b);
  const s = [...latencies.socket].sort((a, b) => a - b);
  const row = (name: string, v: number[]) => `  ${name.padEnd(28)} ${[50, 95, 99].map((p) => `${fmt(pctl(v, p), 1).padStart(8)} ms`).join('')}`;
  process.stdout.write(
    [
      '',
      `events-feed: ${EVENTS} events (after ${WARMUP} warm-up), ${READERS} feed readers and ${READERS} sockets, ${WORLDS} worlds, SQLite`,
      `  latency: request sent → the last of ${READERS} has the event`,
      `  ${''.padEnd(28)} ${['p50', 'p95', 'p99'].map((h) => h.padStart(11)).join('')}`,
      row('feed (long poll, wait=30)', f),
      row('socket (Socket.IO)', s),
      `  feed/socket ratio            ${[50, 95, 99].map((p) => `${fmt(pctl(f, p) / pctl(s, p), 2).padStart(10)}×`).join('')}`,
      '',
    ].join('\n'),
  );
  return 0;
});
