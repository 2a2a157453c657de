/**
 * Benchmark: what connection-state recovery's buffer costs in memory at a steady event rate. The same Gatrix node,
 * default configuration, with recovery on (the bounded buffer) and with it off (GATRIX_SOCKET_RECOVERY_MAX_EVENTS=0,
 * the floor), and optionally another tree's server (BENCH_BEFORE_ENTRY, e.g. the tree before the buffer was bounded),
 * one after the other in the same run, each a fresh process on a fresh SQLite data dir.
 *
 *   node --import tsx bench/socket-recovery.ts        (or: npm run bench:socket-recovery)
 *
 * Per server:
 * 1. Through the HTTP API: an admin API key and BENCH_WORLDS game worlds of varied sizes (names, descriptions,
 *    tags, custom payloads).
 * 2. No sockets: `PUT /api/v1/game-worlds/order` (one `world.updated` event per world, in one transaction) paced to
 *    BENCH_RATE events/s for BENCH_DURATION seconds. The events go through the outbox, the dispatcher and the
 *    Socket.IO rooms as always; no socket hears them.
 * 3. With sockets: BENCH_SOCKETS admin sockets connect, one of them drops its transport (its session waits to
 *    resume), and the same load runs again.
 * 4. After each phase: the server's RSS (and peak), and the recovery buffer's gauges from /metrics
 *    (gatrix_socket_recovery_buffer_events / _bytes; absent on a tree without them).
 * Prints each server's figures and the RSS ratio to the recovery-off server's, phase by phase.
 *
 * The server runs at the default log level (info), its lines kept out of the terminal.
 *
 * Environment:
 *   BENCH_RATE          events/s (400)
 *   BENCH_DURATION      seconds of each phase (30)
 *   BENCH_WORLDS        worlds, i.e. events per request (100)
 *   BENCH_SOCKETS       sockets connected in the second phase (10)
 *   BENCH_BEFORE_ENTRY  another server main.ts to measure the same way (a copy of an older tree)
 */
import { io, type Socket } from 'socket.io-client';
import { type Bench, call, envInt, fmt, memoryOf, mib, runBenchmark, sleep, startGatrix } from './lib.ts';

const RATE = envInt('BENCH_RATE', 400, 1);
const DURATION = envInt('BENCH_DURATION', 30, 1);
const WORLDS = envInt('BENCH_WORLDS', 100, 1);
const SOCKETS = envInt('BENCH_SOCKETS', 10, 1);
const METRICS_TOKEN = 'bench-metrics-token-0123456789';

interface Phase {
  events: number;
  seconds: number;
  rssKiB: number;
  peakKiB?: number;
  buffered?: { events: number; bytes: number };
}

/** A deterministic spread of world sizes: short and long names, descriptions, tags and payloads. */
function worldBody(i: number) {
  const words = ['ember', 'frost', 'gale', 'dusk', 'tide', 'stone', 'moss', 'spire'];
  const w = (k: number) => words[(i * 7 + k) % words.length];
  return {
    worldId: `bench-${String(i).padStart(3, '0')}`,
    name: `${w(0)} ${w(1)}${i % 3 === 0 ? ` ${w(2)} realm` : ''}`,
    description: i % 4 === 0 ? '' : `${w(3)} `.repeat(5 + ((i * 13) % 60)).trim(),
    tags: Array.from({ length: i % 5 }, (_, k) => w(k + 4)),
    customPayload: i % 2 === 0 ? { region: ['kr', 'jp', 'na', 'eu'][i % 4], capacity: 1000 + i * 10, flags: Array.from({ length: i % 7 }, (_, k) => `f${k}`) } : {},
  };
}

async function metric(base: string, name: string): Promise<number | undefined> {
  const r = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const line = (await r.text()).split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

/** `PUT /game-worlds/order` paced to RATE events/s for DURATION seconds; returns the events sent and the time taken. */
async function feed(base: string, admin: Record<string, string>, worldIds: number[]): Promise<{ events: number; seconds: number }> {
  const started = performance.now();
  const end = started + DURATION * 1000;
  let events = 0;
  let shift = 0;
  while (performance.now() < end) {
    shift = (shift + 1) % worldIds.length;
    await call(base, 'PUT', '/api/v1/game-worlds/order', admin, { ids: [...worldIds.slice(shift), ...worldIds.slice(0, shift)] });
    events += worldIds.length;
    const due = started + (events / RATE) * 1000;
    if (due > performance.now()) await sleep(due - performance.now());
  }
  return { events, seconds: (performance.now() - started) / 1000 };
}

async function measure(bench: Bench, name: string, entry: string | undefined, env: Record<string, string>): Promise<Phase[]> {
  const { child, base } = await startGatrix(name, `${bench.tempDir}/${name}`, { LOG_LEVEL: 'info', METRICS_TOKEN, ...env }, { echo: false, entry });
  bench.children.push(child);
  const pid = child.proc.pid!;
  const jwt = ((await call(base, 'POST', '/api/v1/auth/login', {}, { username: 'bench-admin', password: 'bench-admin-password-1' })) as { accessToken: string }).accessToken;
  const key = ((await call(base, 'POST', '/api/v1/api-keys', { authorization: `Bearer ${jwt}` }, { name: 'bench', type: 'admin' })) as { key: string }).key;
  const admin = { 'x-api-key': key };
  const worldIds: number[] = [];
  for (let i = 0; i < WORLDS; i++) worldIds.push(((await call(base, 'POST', '/api/v1/game-worlds', admin, worldBody(i))) as { id: number }).id);

  const phase = async (): Promise<Phase> => {
    const fed = await feed(base, admin, worldIds);
    const events = await metric(base, 'gatrix_socket_recovery_buffer_events');
    const bytes = await metric(base, 'gatrix_socket_recovery_buffer_bytes');
    return { ...fed, ...memoryOf(pid), buffered: events === undefined ? undefined : { events, bytes: bytes ?? 0 } };
  };
  const phases = [await phase()];

  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < SOCKETS; i++) {
      const s = io(base, { auth: { token: key }, transports: ['websocket'], forceNew: true, reconnection: false });
      sockets.push(s);
      await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('connect_error', reject));
    }
    // One socket's transport drops (for the server a transport close): its session waits to resume.
    sockets[0].io.engine.close();
    phases.push(await phase());
  } finally {
    for (const s of sockets) s.close();
  }
  process.stdout.write(`  ${name}: done\n`);
  return phases;
}

async function main(bench: Bench): Promise<number> {
  process.stdout.write(
    `socket-recovery: RSS of a Gatrix node at ${fmt(RATE)} events/s for ${DURATION} s with no socket, then with ${fmt(SOCKETS)} ` +
      `sockets (one dropped, waiting to resume); recovery on (bounded) against off, same run\n`,
  );
  const servers: [string, string | undefined, Record<string, string>][] = [
    ['recovery off', undefined, { GATRIX_SOCKET_RECOVERY_MAX_EVENTS: '0' }],
    ['bounded (default)', undefined, {}],
    ...(process.env.BENCH_BEFORE_ENTRY ? [['before', process.env.BENCH_BEFORE_ENTRY, {}] as [string, string, Record<string, string>]] : []),
  ];
  const results = new Map<string, Phase[]>();
  for (const [name, entry, env] of servers) results.set(name, await measure(bench, name, entry, env));

  const floor = results.get('recovery off')!;
  const rows = [...results].flatMap(([name, phases]) =>
    phases.map((p, k) => [
      name,
      k === 0 ? 'no sockets' : `${SOCKETS} sockets`,
      `${fmt(p.events / p.seconds)}/s`,
      mib(p.rssKiB),
      p.peakKiB === undefined ? '—' : mib(p.peakKiB),
      p.buffered ? `${fmt(p.buffered.events)} / ${mib(p.buffered.bytes / 1024)}` : '—',
      `${fmt(p.rssKiB / floor[k].rssKiB, 2)}×`,
    ]),
  );
  const head = ['server', 'phase', 'events', 'RSS after', 'peak', 'buffer (events / bytes)', 'RSS / recovery off'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}`;
  process.stdout.write(`\n${line(head)}\n  ${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`);
  return 0;
}

runBenchmark('socket-recovery', main);
