/**
 * Benchmark: what world-instance heartbeats cost the server, against the same server idle, in the same run.
 *
 *   node --import tsx bench/instance-heartbeats.ts        (or: npm run bench:heartbeats)
 *
 * 1. Starts the real server (packages/server/src/main.ts) as a child process on a fresh SQLite data dir, default
 *    configuration (GATRIX_INSTANCE_TTL 30 s, its background sweep running, LOG_LEVEL info). Through the HTTP API: signs in,
 *    creates a server API key and BENCH_WORLDS game worlds, and registers BENCH_INSTANCES instances spread over
 *    them (one first heartbeat each: the registrations, with their audit entries and events, are not measured).
 * 2. Idle: the server's CPU (/proc/<pid>/stat) over BENCH_IDLE seconds with nothing to do but its own
 *    background work (scheduler, dispatcher, sweep, time series).
 * 3. Real time: every instance heartbeats every BENCH_INTERVAL_MS (10 s), the instances evenly staggered (2,000
 *    every 10 s is 200 heartbeats/s), for BENCH_DURATION seconds. Each heartbeat is a server's whole report over
 *    its own keep-alive connection with the server key; its player count follows a random walk, and a quarter of
 *    the servers are idle ones whose report does not change (those are the heartbeats the server may coalesce).
 * 4. Compressed: the same instances BENCH_SPEEDUP times as often, for BENCH_DURATION seconds: a second figure of
 *    CPU per heartbeat, converted back to the real rate.
 * 5. Bare: bench/bare-server.ts (Fastify, one PUT route with the same path, the JSON body parsed, the same answer
 *    bytes, no auth, no validation, no database) takes the real-time load too, after its own idle measure: the
 *    floor of the HTTP stack on this machine, and the gatrix/bare ratio of CPU per heartbeat.
 * 6. Prints, for each phase: heartbeats/s sent and answered, p50/p99 latency, the server's CPU as a share of one
 *    core, the CPU per heartbeat (server CPU above idle / heartbeats), and the heartbeat cost at the real rate as a
 *    percentage of one core, against the 10 % target; plus other processes' CPU (noise on a shared machine).
 *
 * Exit code: 0 when every heartbeat was answered 200, 1 when anything broke. Missing the target prints MISS.
 *
 * Before the idle measure and each phase it waits (up to BENCH_QUIET_WAIT s, 60) for other processes to use
 * less than 10 % of a core; what they used during each phase is printed as "other".
 *
 * Environment: BENCH_INSTANCES (2000), BENCH_WORLDS (50), BENCH_INTERVAL_MS (10000), BENCH_DURATION (30),
 * BENCH_IDLE (20), BENCH_SPEEDUP (5), BENCH_QUIET_WAIT (60).
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { BENCH_ADMIN, type Bench, call, cleanEnv, envInt, fmt, freePort, pct, prng, QUIET_WAIT, runBenchmark, sleep, startChild, startGatrix, waitForQuiet, waitUntilAnswering, withCpu } from './lib.ts';

const INSTANCES = envInt('BENCH_INSTANCES', 2000, 1);
const WORLDS = envInt('BENCH_WORLDS', 50, 1);
const INTERVAL_MS = envInt('BENCH_INTERVAL_MS', 10_000, 100);
const DURATION = envInt('BENCH_DURATION', 30, 1);
const IDLE = envInt('BENCH_IDLE', 20, 1);
const SPEEDUP = envInt('BENCH_SPEEDUP', 5, 1);
/** The budget: heartbeats of 2,000 instances every 10 s cost at most this share of one core. */
const TARGET = 0.1;

interface Instance {
  world: string;
  id: string;
  capacity: number;
  players: number;
  /** An idle server: same report every time. */
  steady: boolean;
  region: string;
}

const pctl = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

runBenchmark('instance-heartbeats', async (bench: Bench) => {
  // The default log level (info: a line per request, as a deployment writes them), not the other benchmarks' warn.
  const { child, base } = await startGatrix('gatrix', path.join(bench.tempDir, 'data'), { LOG_LEVEL: 'info' }, { echo: false });
  bench.children.push(child);
  const serverPid = child.proc.pid!;
  const login = (await call(base, 'POST', '/api/v1/auth/login', {}, { username: BENCH_ADMIN.username, password: BENCH_ADMIN.password })) as { accessToken: string };
  const auth = { authorization: `Bearer ${login.accessToken}` };
  const serverKey = ((await call(base, 'POST', '/api/v1/api-keys', auth, { name: 'bench world servers', type: 'server' })) as { key: string }).key;
  const regions = ['ap-northeast-2', 'ap-northeast-1', 'us-west-2', 'eu-central-1'];
  for (let w = 0; w < WORLDS; w++) {
    await call(base, 'POST', '/api/v1/game-worlds', auth, { worldId: `bench-${w}`, name: `Bench world ${w}`, region: regions[w % regions.length] });
  }
  const random = prng(15);
  const instances: Instance[] = Array.from({ length: INSTANCES }, (_, i) => {
    const capacity = [500, 1000, 2000, 5000][i % 4];
    return {
      world: `bench-${i % WORLDS}`,
      id: `gs-${Math.floor(i / WORLDS)}-${(i * 2654435761) % 1e6}`,
      capacity,
      players: Math.floor(random() * capacity),
      steady: i % 4 === 0,
      region: regions[i % regions.length],
    };
  });

  // One keep-alive connection per world server, as 2,000 separate servers would have.
  const agent = new http.Agent({ keepAlive: true, maxSockets: INSTANCES });
  bench.atExit(() => agent.destroy());
  let target = new URL(base);
  const beat = (inst: Instance): Promise<number> => {
    if (!inst.steady) inst.players = Math.max(0, Math.min(inst.capacity, inst.players + Math.round((random() - 0.5) * 20)));
    const body = JSON.stringify({ address: `10.${inst.id.length}.0.1:7777`, region: inst.region, capacity: inst.capacity, players: inst.players, status: 'online', version: '1.4.2', tags: ['pvp'] });
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: 'PUT',
          path: `/api/v1/game-worlds/${inst.world}/instances/${inst.id}`,
          headers: { 'x-api-key': serverKey, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`heartbeat answered ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };

  process.stdout.write(`registering ${fmt(INSTANCES)} instances over ${WORLDS} worlds…\n`);
  const everyInstanceOnce = async () => {
    for (let i = 0; i < instances.length; i += 100) await Promise.all(instances.slice(i, i + 100).map(beat));
  };
  await everyInstanceOnce();

  /** Every instance heartbeats every `intervalMs`, evenly staggered, for `seconds`. */
  async function heartbeatFor(intervalMs: number, seconds: number) {
    const latencies: number[] = [];
    const pending = new Set<Promise<void>>();
    const start = performance.now();
    const gap = intervalMs / INSTANCES;
    let sent = 0;
    for (;;) {
      const due = start + sent * gap;
      if (due - start >= seconds * 1000) break;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const p = beat(instances[sent % INSTANCES]).then((ms) => {
        latencies.push(ms);
      });
      pending.add(p);
      void p.finally(() => pending.delete(p)).catch(() => undefined);
      sent++;
    }
    await Promise.all(pending);
    return { sent, wall: (performance.now() - start) / 1000, latencies: latencies.sort((a, b) => a - b) };
  }

  const realRate = INSTANCES / (INTERVAL_MS / 1000);
  interface Phase {
    name: string;
    rate: number;
    latencies: number[];
    share?: number;
    other?: number;
    /** Server CPU per heartbeat above the server's idle, µs. */
    perBeatUs: number;
  }
  const phases: Phase[] = [];
  /** Measures `pid` idle, then under heartbeats every `intervalMs` of each instance. */
  async function measure(name: string, pid: number, intervalMs: number, idleShare: number): Promise<Phase> {
    await waitForQuiet(pid, () => [], QUIET_WAIT);
    process.stdout.write(`${name} for ${DURATION} s…\n`);
    const { result, cpu } = await withCpu(pid, () => [], () => heartbeatFor(intervalMs, DURATION));
    const phase = {
      name,
      rate: result.sent / result.wall,
      latencies: result.latencies,
      share: cpu.server,
      other: cpu.other,
      perBeatUs: (((cpu.server ?? NaN) - idleShare) * result.wall * 1e6) / result.sent,
    };
    phases.push(phase);
    return phase;
  }
  async function idleOf(pid: number, seconds: number): Promise<number> {
    await sleep(2000);
    await waitForQuiet(pid, () => [], QUIET_WAIT);
    process.stdout.write(`idle for ${seconds} s…\n`);
    return (await withCpu(pid, () => [], () => sleep(seconds * 1000))).cpu.server ?? NaN;
  }

  const idle = await idleOf(serverPid, IDLE);
  const real = await measure(`gatrix, every ${INTERVAL_MS / 1000} s`, serverPid, INTERVAL_MS, idle);
  const compressed = await measure(`gatrix, compressed ${SPEEDUP}×`, serverPid, INTERVAL_MS / SPEEDUP, idle);

  // The floor: a bare Fastify PUT route with the same path answering the same bytes.
  const bodyFile = path.join(bench.tempDir, 'bare-body.json');
  writeFileSync(bodyFile, JSON.stringify({ registered: false, ttlSeconds: 30 }));
  const barePort = await freePort();
  const bare = startChild('bare', 'bench/bare-server.ts', {
    ...cleanEnv(),
    PORT: String(barePort),
    HOST: '127.0.0.1',
    BARE_BODY_FILE: bodyFile,
    BARE_ROUTE: '/api/v1/game-worlds/:worldId/instances/:instanceId',
    BARE_METHOD: 'PUT',
  });
  bench.children.push(bare);
  target = new URL(`http://127.0.0.1:${barePort}`);
  await waitUntilAnswering(bare, `${target.origin}/api/v1/game-worlds/x/instances/y`, 404);
  // The same warm-up Gatrix had (the registrations), so that both are measured JIT-compiled.
  await everyInstanceOnce();
  const bareIdle = await idleOf(bare.proc.pid!, Math.min(IDLE, 5));
  const floor = await measure(`bare, every ${INTERVAL_MS / 1000} s`, bare.proc.pid!, INTERVAL_MS, bareIdle);

  const costAt = (p: Phase) => (p.perBeatUs / 1e6) * realRate;
  const verdict = (p: Phase) => `${fmt(costAt(p) * 100, 1)}% of one core (target ≤ ${pct(TARGET)}) ${costAt(p) <= TARGET ? 'PASS' : 'MISS'}`;
  const head = ['phase'.padEnd(26), 'beats/s'.padStart(8), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'server'.padStart(8), 'µs/beat'.padStart(8), `at ${fmt(realRate)}/s`.padStart(10), 'other'.padStart(8)].join('  ');
  const rows = phases.map((p) =>
    [
      p.name.padEnd(26),
      fmt(p.rate).padStart(8),
      fmt(pctl(p.latencies, 50), 2).padStart(8),
      fmt(pctl(p.latencies, 99), 2).padStart(8),
      pct(p.share).padStart(8),
      fmt(p.perBeatUs).padStart(8),
      pct((p.perBeatUs / 1e6) * realRate).padStart(10),
      pct(p.other).padStart(8),
    ].join('  '),
  );
  process.stdout.write(
    [
      '',
      `instance heartbeats: ${fmt(INSTANCES)} instances over ${WORLDS} worlds, one heartbeat each every ${INTERVAL_MS / 1000} s = ${fmt(realRate)}/s (a quarter with an unchanging report)`,
      `  idle: gatrix ${pct(idle)} of a core (over ${IDLE} s), bare ${pct(bareIdle)}`,
      `  ${head}`,
      ...rows.map((r) => `  ${r}`),
      '',
      `  gatrix, ${fmt(realRate)} heartbeats/s, from CPU per heartbeat in the compressed run: ${verdict(compressed)}`,
      `  gatrix, ${fmt(realRate)} heartbeats/s, measured in real time:                   ${verdict(real)}`,
      `  bare Fastify, same load in real time (the HTTP floor):                   ${fmt(costAt(floor) * 100, 1)}% of one core`,
      `  CPU per heartbeat in real time, gatrix/bare: ${fmt(real.perBeatUs / floor.perBeatUs, 2)}×`,
      `  (server, other: shares of one core during the phase; µs/beat: the server's CPU above its idle per heartbeat; at ${fmt(realRate)}/s: that times ${fmt(realRate)}/s)`,
      '',
    ].join('\n'),
  );
  return 0;
});
