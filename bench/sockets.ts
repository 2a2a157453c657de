/**
 * Benchmark: real-time fan-out. How long one event takes to reach every one of 5,000 connected sockets, Gatrix
 * against a bare Socket.IO server broadcasting a payload of the same size to the same number of clients.
 *
 *   node --import tsx bench/sockets.ts
 *
 * 1. Starts the real server (packages/server/src/main.ts) as a child process on a fresh SQLite data dir, with the
 *    per-IP connection rate and per-credential socket cap raised (every socket comes from 127.0.0.1, on four
 *    credentials). Through the HTTP API: signs in, creates an admin, a server and a client API key, a player
 *    (signed in for its JWT) and one game world.
 * 2. A probe socket catches one `world_updated` event (PATCH of the world's name); its payload, as the client got
 *    it, is what bench/bare-socket-server.ts broadcasts (fresh `eventId` of the same length, current `timestamp`).
 * 3. BENCH_SOCKET_WORKERS client processes (bench/socket-clients.ts) open BENCH_SOCKETS sockets to each server
 *    (websocket transport, one TCP connection per socket). On Gatrix they authenticate in turn as the admin (JWT),
 *    the server key, the client key and the player (JWT): four audiences, all of which hear world events.
 * 4. Rounds: each round triggers one event on each server (which goes first alternates), one after the other,
 *    never overlapping. Gatrix: `PATCH /api/v1/game-worlds/:id` with a new name (the event goes through the outbox,
 *    the dispatcher and the rooms of every audience). Bare: `POST /emit`, which calls io.emit(). The latency of an
 *    event is from just before the HTTP request is sent to the moment the last socket has it (arrival times are
 *    taken in the worker processes from the same wall clock). Rounds in which other processes used ≥ 10% of a core
 *    are redone (up to BENCH_EVENTS more rounds).
 * 5. Prints p50/p99 (nearest rank: with 20 events p99 is the slowest) for both, the gatrix/bare ratios against the
 *    1.1× target (p50), CPU per event of each server and of the clients, and both servers' RSS with the sockets
 *    connected against the 1.3× target (with their RSS before the sockets, and what the sockets added).
 *
 * Exit code: 0 when every socket got every event (whether the target is met or not), 1 when anything broke
 * (a server did not start, a socket could not connect or was dropped, an event did not reach every socket in 30 s).
 *
 * Environment:
 *   BENCH_SOCKETS              sockets per server (5000)
 *   BENCH_EVENTS               measured events per server (20)
 *   BENCH_WARMUP_EVENTS        unmeasured events per server first (3)
 *   BENCH_SOCKET_WORKERS       client processes (2)
 *   BENCH_CONNECT_CONCURRENCY  handshakes in flight per client process (50)
 *   BENCH_EVENT_GAP_MS         pause after each event (250)
 *   BENCH_QUIET_WAIT           seconds to wait for other processes to go quiet before measuring (60)
 *   BENCH_CPU_PROF             a directory: both servers run with --cpu-prof and write .cpuprofile files to its gatrix/ and
 *                              bare/ subdirectories when stopped
 *   BENCH_SERVER_ENTRY         the server's main.ts (packages/server/src/main.ts); point it at a patched copy to compare
 *
 * Limits: every socket is a file descriptor in the server and in a client process, and an ephemeral port on
 * 127.0.0.1. The benchmark checks `ulimit -n` (open files) up front: it needs BENCH_SOCKETS + 200 for a server and
 * 2 × BENCH_SOCKETS / BENCH_SOCKET_WORKERS + 200 for a client process; raise it with `ulimit -n 20000` if it says so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import {
  type Bench,
  CLK_TCK,
  cleanEnv,
  envInt,
  fmt,
  freePort,
  machineBusySeconds,
  memoryOf,
  mib,
  NOISE_LIMIT,
  pct,
  processCpuSeconds,
  ROOT,
  runBenchmark,
  sleep,
  startChild,
  waitForQuiet,
  waitUntilAnswering,
  BENCH_ADMIN,
  call,
  startGatrix,
} from './lib.ts';

const SOCKETS = envInt('BENCH_SOCKETS', 5000, 1);
const EVENTS = envInt('BENCH_EVENTS', 20, 1);
const WARMUP_EVENTS = envInt('BENCH_WARMUP_EVENTS', 3, 0);
const WORKERS = envInt('BENCH_SOCKET_WORKERS', 2, 1);
const CONNECT_CONCURRENCY = envInt('BENCH_CONNECT_CONCURRENCY', 50, 1);
const EVENT_GAP_MS = envInt('BENCH_EVENT_GAP_MS', 250, 0);
const QUIET_WAIT = envInt('BENCH_QUIET_WAIT', 60, 0);
const TARGET_RATIO = 1.1;
const TARGET_RSS_RATIO = 1.3;
const EVENT_TIMEOUT_MS = 30_000;
const EVENT = 'world_updated';

const ADMIN = BENCH_ADMIN;
const PLAYER = { username: 'bench-player', email: 'bench-player@example.com', password: 'bench-player-password-1' };

/** Wall-clock ms with sub-ms precision; the client processes use the same formula. */
const now = () => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------------------------------------------------
// Setup through the HTTP API


interface Setup {
  adminKey: string;
  /** One token per audience: admin JWT, server key, client key, player JWT. */
  tokens: string[];
  worldId: number;
}

async function setUp(base: string): Promise<Setup> {
  const login = async (u: { username: string; password: string }) =>
    ((await call(base, 'POST', '/api/v1/auth/login', {}, { username: u.username, password: u.password })) as { accessToken: string }).accessToken;
  const adminJwt = await login(ADMIN);
  const key = async (type: string) =>
    ((await call(base, 'POST', '/api/v1/api-keys', { authorization: `Bearer ${adminJwt}` }, { name: `bench-${type}-key`, type })) as { key: string }).key;
  const adminKey = await key('admin');
  const headers = { 'x-api-key': adminKey };
  await call(base, 'POST', '/api/v1/users', headers, { ...PLAYER, role: 'player' });
  const world = (await call(base, 'POST', '/api/v1/game-worlds', headers, {
    worldId: 'bench-world',
    name: worldName(0),
    description: 'The world whose renames the sockets benchmark broadcasts.',
    tags: ['bench', 'sockets'],
    customPayload: { region: 'global', capacity: 5000 },
  })) as { id: number };
  return { adminKey, tokens: [adminJwt, await key('server'), await key('client'), await login(PLAYER)], worldId: world.id };
}

/** Names of one length, so every event has the same size. */
const worldName = (i: number) => `Bench world ${String(i).padStart(5, '0')}`;

/** One socket, one world rename: the payload exactly as a client receives it. */
async function probe(base: string, token: string, trigger: () => Promise<void>): Promise<Record<string, unknown>> {
  const socket = io(base, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const got = new Promise<Record<string, unknown>>((resolve) => socket.once(EVENT, resolve));
    await trigger();
    return await Promise.race([got, sleep(10_000).then(() => Promise.reject(new Error(`the probe socket got no ${EVENT} in 10 s`)))]);
  } finally {
    socket.close();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Client processes

interface AllMessage {
  type: 'all';
  target: string;
  key: string;
  first: number;
  last: number;
}

interface Worker {
  proc: ChildProcess;
  exited: boolean;
  /** Per target, 'all' reports not yet taken, and who waits for the next one. */
  queues: Map<string, AllMessage[]>;
  waiters: Map<string, (m: AllMessage) => void>;
  /** Replies to connect / status / close, by `${type}:${target}`. */
  replies: Map<string, (m: Record<string, unknown>) => void>;
  lost: string[];
}

function startWorker(i: number): Worker {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bench/socket-clients.ts'], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const w: Worker = { proc, exited: false, queues: new Map(), waiters: new Map(), replies: new Map(), lost: [] };
  proc.on('exit', () => (w.exited = true));
  proc.on('message', (m: Record<string, unknown>) => {
    const target = String(m.target);
    if (m.type === 'all') {
      const waiter = w.waiters.get(target);
      if (waiter) {
        w.waiters.delete(target);
        waiter(m as unknown as AllMessage);
      } else w.queues.set(target, [...(w.queues.get(target) ?? []), m as unknown as AllMessage]);
    } else if (m.type === 'lost') {
      w.lost.push(`client process ${i}: a ${target} socket disconnected (${String(m.reason)})`);
    } else {
      const reply = w.replies.get(`${String(m.type)}:${target}`);
      w.replies.delete(`${String(m.type)}:${target}`);
      reply?.(m);
    }
  });
  return w;
}

function ask(w: Worker, msg: { type: string; target: string } & Record<string, unknown>, replyType: string, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`a client process did not answer ${msg.type} ${msg.target} in ${timeoutMs / 1000} s`)), timeoutMs);
    w.replies.set(`${replyType}:${msg.target}`, (m) => {
      clearTimeout(timer);
      resolve(m);
    });
    w.proc.send(msg);
  });
}

function nextAll(w: Worker, target: string): Promise<AllMessage> {
  const queued = w.queues.get(target);
  if (queued?.length) return Promise.resolve(queued.shift()!);
  return new Promise((resolve) => w.waiters.set(target, resolve));
}

// ---------------------------------------------------------------------------------------------------------
// Measurement

interface Server {
  name: string;
  pid: number;
  url: string;
  trigger(i: number): Promise<void>;
}

interface Sample {
  /** ms from just before the trigger request to the last / the first socket's arrival. */
  all: number;
  first: number;
  /** CPU ms during the event: the server's, the client processes'. */
  serverCpu: number;
  clientCpu: number;
}

async function fire(server: Server, workers: Worker[], i: number): Promise<Sample> {
  const cpu0 = { server: processCpuSeconds(server.pid), clients: workers.map((w) => processCpuSeconds(w.proc.pid!)) };
  const t0 = now();
  const arrivals = Promise.all(workers.map((w) => nextAll(w, server.name)));
  await server.trigger(i);
  let timer: NodeJS.Timeout | undefined;
  const reports = await Promise.race([
    arrivals,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void Promise.all(workers.map((w) => ask(w, { type: 'status', target: server.name }, 'status', 5000))).then(
          (s) => reject(new Error(`${server.name} event ${i} did not reach every socket in ${EVENT_TIMEOUT_MS / 1000} s: ${JSON.stringify(s)}`)),
          reject,
        );
      }, EVENT_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
  const cpu1 = { server: processCpuSeconds(server.pid), clients: workers.map((w) => processCpuSeconds(w.proc.pid!)) };
  if (new Set(reports.map((r) => r.key)).size !== 1) throw new Error(`${server.name} event ${i}: the client processes saw different events ${JSON.stringify(reports)}`);
  const delta = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? NaN : (b - a) * 1000);
  return {
    all: Math.max(...reports.map((r) => r.last)) - t0,
    first: Math.min(...reports.map((r) => r.first)) - t0,
    serverCpu: delta(cpu0.server, cpu1.server),
    clientCpu: cpu1.clients.reduce<number>((sum, c, k) => sum + delta(cpu0.clients[k], c), 0),
  };
}

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Open files allowed to this process (and so to the children it starts), from /proc/self/limits. */
function openFilesLimit(): number | undefined {
  if (!existsSync('/proc/self/limits')) return undefined;
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return m ? (m[1] === 'unlimited' ? Infinity : Number(m[1])) : undefined;
}

// ---------------------------------------------------------------------------------------------------------

const workers: Worker[] = [];

async function main(bench: Bench): Promise<number> {
  const { tempDir, children } = bench;
  bench.atExit(() => {
    for (const w of workers) if (!w.exited) w.proc.kill('SIGTERM');
  });
  const cores = availableParallelism();
  process.stdout.write(
    `sockets: one ${EVENT} event to ${fmt(SOCKETS)} sockets (websocket), Gatrix (PATCH /api/v1/game-worlds/:id) against a bare ` +
      `Socket.IO server (POST /emit → io.emit)\n` +
      `  ${EVENTS} measured + ${WARMUP_EVENTS} warm-up events per server, alternating; ${WORKERS} client processes; ` +
      `${cores} CPU(s) (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, SQLite\n`,
  );

  const limit = openFilesLimit();
  const need = Math.max(SOCKETS + 200, Math.ceil((2 * SOCKETS) / WORKERS) + 200);
  if (limit !== undefined && limit < need) {
    throw new Error(`open files limit (ulimit -n) is ${limit}; ${fmt(SOCKETS)} sockets need ${need}: run \`ulimit -n ${Math.max(need, 20000)}\` first`);
  }


  // --- Gatrix (every benchmark socket comes from 127.0.0.1, SOCKETS / 4 on each credential)
  const { child: gatrix, base: gatrixBase } = await startGatrix(
    'gatrix',
    tempDir,
    { GATRIX_SOCKET_CONNECTIONS_PER_IP: '1000000', GATRIX_SOCKET_MAX_PER_CREDENTIAL: '1000000', LOG_LEVEL: 'info' },
    { profileSubdir: 'gatrix', echo: false },
  );
  children.push(gatrix);
  const setup = await setUp(gatrixBase);
  const admin = { 'x-api-key': setup.adminKey };
  const rename = async (i: number) => {
    const r = await fetch(`${gatrixBase}/api/v1/game-worlds/${setup.worldId}`, {
      method: 'PATCH',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: worldName(i) }),
    });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`PATCH /api/v1/game-worlds/${setup.worldId} answered ${r.status}`);
  };
  let renames = 0;
  const payload = await probe(gatrixBase, setup.tokens[0], () => rename(++renames));
  const payloadBytes = Buffer.byteLength(JSON.stringify(payload));
  process.stdout.write(`  Gatrix pid ${gatrix.proc.pid} on ${gatrixBase}; ${EVENT} payload ${fmt(payloadBytes)} bytes of JSON\n`);

  // --- bare Socket.IO
  const payloadFile = path.join(tempDir, 'bare-payload.json');
  writeFileSync(payloadFile, JSON.stringify(payload));
  const barePort = await freePort();
  const profileDir = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined;
  const bare = startChild(
    'bare',
    'bench/bare-socket-server.ts',
    { ...cleanEnv(), PORT: String(barePort), HOST: '127.0.0.1', BARE_PAYLOAD_FILE: payloadFile, BARE_EVENT: EVENT },
    profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(profileDir, 'bare')] : [],
  );
  children.push(bare);
  const bareBase = `http://127.0.0.1:${barePort}`;
  await waitUntilAnswering(bare, `${bareBase}/readyz`, 200);
  const emit = async () => {
    const r = await fetch(`${bareBase}/emit`, { method: 'POST' });
    await r.arrayBuffer();
    if (r.status !== 204) throw new Error(`POST /emit answered ${r.status}`);
  };
  const bareProbe = await probe(bareBase, '', emit);
  const bareBytes = Buffer.byteLength(JSON.stringify(bareProbe));
  if (bareBytes !== payloadBytes) throw new Error(`the bare payload is ${bareBytes} bytes, Gatrix's ${payloadBytes}`);

  const servers: Server[] = [
    { name: 'gatrix', pid: gatrix.proc.pid!, url: gatrixBase, trigger: () => rename(++renames) },
    { name: 'bare socket.io', pid: bare.proc.pid!, url: bareBase, trigger: emit },
  ];

  // --- sockets
  const idle = memoryOf(gatrix.proc.pid!);
  const bareIdle = memoryOf(bare.proc.pid!);
  for (let i = 0; i < WORKERS; i++) workers.push(startWorker(i));
  for (const s of servers) {
    const started = performance.now();
    const share = (k: number) => Math.floor(SOCKETS / WORKERS) + (k < SOCKETS % WORKERS ? 1 : 0);
    const replies = await Promise.all(
      workers.map((w, k) =>
        ask(
          w,
          { type: 'connect', target: s.name, url: s.url, tokens: s.name === 'gatrix' ? setup.tokens : [''], count: share(k), concurrency: CONNECT_CONCURRENCY, event: EVENT },
          'connected',
          300_000,
        ),
      ),
    );
    const connected = replies.reduce((n, r) => n + Number(r.count), 0);
    const failures = replies.map((r) => r.failures as Record<string, number>).filter((f) => Object.keys(f).length > 0);
    if (connected !== SOCKETS) throw new Error(`${s.name}: ${connected} of ${SOCKETS} sockets connected; failures: ${JSON.stringify(failures)}`);
    process.stdout.write(`  ${fmt(SOCKETS)} sockets connected to ${s.name} in ${fmt((performance.now() - started) / 1000, 1)} s\n`);
  }
  const withSockets = memoryOf(gatrix.proc.pid!);
  const bareWithSockets = memoryOf(bare.proc.pid!);

  // --- events
  const ours = () => [...bench.pids(), ...workers.map((w) => w.proc.pid!)];
  const other = await waitForQuiet(gatrix.proc.pid!, ours, QUIET_WAIT);
  if (other !== undefined && other >= NOISE_LIMIT) process.stdout.write(`  other processes still use ${pct(other)} of a core; measuring anyway\n`);
  const lost = () => workers.flatMap((w) => w.lost);
  for (let i = 0; i < WARMUP_EVENTS; i++) {
    for (const s of servers) {
      await fire(s, workers, -1);
      await sleep(EVENT_GAP_MS);
    }
  }
  const samples = new Map<string, Sample[]>(servers.map((s) => [s.name, []]));
  const allSamples = new Map<string, Sample[]>(servers.map((s) => [s.name, []]));
  let rounds = 0;
  let disturbed = 0;
  let otherCpuSum = 0;
  let wallSum = 0;
  while (samples.get('gatrix')!.length < EVENTS && rounds < 2 * EVENTS) {
    if (lost().length > 0) break;
    const order = rounds % 2 === 0 ? servers : [...servers].reverse();
    const m0 = machineBusySeconds();
    const c0 = ours().map(processCpuSeconds);
    const self0 = process.cpuUsage();
    const w0 = performance.now();
    const got: [string, Sample][] = [];
    for (const s of order) {
      got.push([s.name, await fire(s, workers, rounds)]);
      await sleep(EVENT_GAP_MS);
    }
    const wall = (performance.now() - w0) / 1000;
    const m1 = machineBusySeconds();
    const c1 = ours().map(processCpuSeconds);
    const self = process.cpuUsage(self0);
    const oursCpu = c1.reduce<number>((sum, v, k) => sum + (v ?? 0) - (c0[k] ?? 0), 0) + (self.user + self.system) / 1e6;
    const otherShare = m0 === undefined || m1 === undefined ? 0 : Math.max(0, m1 - m0 - oursCpu) / wall;
    rounds++;
    otherCpuSum += otherShare * wall;
    wallSum += wall;
    for (const [name, sample] of got) allSamples.get(name)!.push(sample);
    if (otherShare >= NOISE_LIMIT) {
      disturbed++;
      continue;
    }
    for (const [name, sample] of got) if (samples.get(name)!.length < EVENTS) samples.get(name)!.push(sample);
  }
  if (lost().length > 0) throw new Error(`sockets were dropped during the run:\n  ${lost().slice(0, 10).join('\n  ')}`);
  const afterEvents = memoryOf(gatrix.proc.pid!);
  const reliable = samples.get('gatrix')!.length >= EVENTS;
  const used = reliable ? samples : allSamples;

  // --- report
  const row = (name: string) => {
    const s = used.get(name)!;
    const all = s.map((x) => x.all);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return {
      name,
      n: s.length,
      p50: percentile(all, 50),
      p99: percentile(all, 99),
      mean: avg(all),
      min: Math.min(...all),
      first50: percentile(
        s.map((x) => x.first),
        50,
      ),
      serverCpu: avg(s.map((x) => x.serverCpu)),
      clientCpu: avg(s.map((x) => x.clientCpu)),
    };
  };
  const g = row('gatrix');
  const b = row('bare socket.io');
  const head = ['target', 'events', 'p50 ms', 'p99 ms', 'mean ms', 'min ms', 'first socket p50 ms', 'server CPU ms/event', 'clients CPU ms/event'];
  const body = [g, b].map((r) => [r.name, fmt(r.n), fmt(r.p50, 1), fmt(r.p99, 1), fmt(r.mean, 1), fmt(r.min, 1), fmt(r.first50, 1), fmt(r.serverCpu), fmt(r.clientCpu)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((x) => x[i].length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}`;
  const ratio50 = g.p50 / b.p50;
  const ratio99 = g.p99 / b.p99;
  const verdict = (r: number) => (r <= TARGET_RATIO ? 'PASS' : 'MISS');
  const unreliable = reliable ? '' : ' (not reliable: disturbed rounds)';
  process.stdout.write(
    `\n${line(head)}\n  ${widths.map((w) => '-'.repeat(w)).join('  ')}\n${body.map(line).join('\n')}\n` +
      `  (latency: from just before the triggering HTTP request to the last of ${fmt(SOCKETS)} sockets; CPU ms/event ` +
      `from /proc at ${fmt(1000 / CLK_TCK)} ms resolution, averaged)\n\n` +
      `  ratio gatrix/bare p50: ${fmt(ratio50, 2)}×  target ≤ ${fmt(TARGET_RATIO, 1)}×  ${verdict(ratio50)}${unreliable}; ` +
      `p99: ${fmt(ratio99, 2)}×\n` +
      `  rounds: ${rounds} (${disturbed} disturbed by other processes and left out${reliable ? '' : ', too many: all rounds used'}); ` +
      `other processes used ${pct(wallSum > 0 ? otherCpuSum / wallSum : undefined)} of a core on average\n` +
      `  RSS with ${fmt(SOCKETS)} sockets: gatrix ${mib(withSockets.rssKiB)}, bare socket.io ${mib(bareWithSockets.rssKiB)}: ` +
      `${fmt(withSockets.rssKiB / bareWithSockets.rssKiB, 2)}×  target ≤ ${fmt(TARGET_RSS_RATIO, 1)}×  ` +
      `${withSockets.rssKiB / bareWithSockets.rssKiB <= TARGET_RSS_RATIO ? 'PASS' : 'MISS'}\n` +
      `    before the sockets: gatrix ${mib(idle.rssKiB)}, bare ${mib(bareIdle.rssKiB)}; the sockets added gatrix ` +
      `${mib(withSockets.rssKiB - idle.rssKiB)}, bare ${mib(bareWithSockets.rssKiB - bareIdle.rssKiB)} ` +
      `(${fmt(((withSockets.rssKiB - idle.rssKiB) * 1024) / SOCKETS / 1024, 1)} / ${fmt(((bareWithSockets.rssKiB - bareIdle.rssKiB) * 1024) / SOCKETS / 1024, 1)} KiB per socket); ` +
      `gatrix after the events: ${mib(afterEvents.rssKiB)}` +
      (afterEvents.peakKiB !== undefined ? `, peak ${mib(afterEvents.peakKiB)}` : '') +
      `\n`,
  );
  for (const s of servers) await Promise.all(workers.map((w) => ask(w, { type: 'close', target: s.name }, 'closed', 30_000)));
  return 0;
}

runBenchmark('sockets', main);
