/**
 * Helpers shared by the benchmarks under bench/: child processes (the server under test and the bare
 * baseline), memory and CPU accounting, the autocannon load with its checks, and the report table.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';
import pg from 'pg';
import { buildServer, bundle, RUN_ENV } from '../scripts/server-build.mjs';
import type { PacedRun, PacedSpec } from './paced-sender.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return n;
}

/** Seconds to wait for other processes to go quiet before each target, and how often to redo a disturbed run. */
export const QUIET_WAIT = envInt('BENCH_QUIET_WAIT', 60, 0);
export const RETRIES = envInt('BENCH_RETRIES', 2, 0);
/** Other processes using more than this share of a core during a run make it "disturbed". */
export const NOISE_LIMIT = 0.1;

// ---------------------------------------------------------------------------------------------------------
// Child processes

export interface Child {
  name: string;
  proc: ChildProcess;
  /** The last lines the child wrote, shown when something fails. */
  tail: string[];
  exit: Promise<number | null>;
  exited: boolean;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** The parent's environment without anything that would change how Gatrix runs (a DATABASE_URL, say). */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const drop = /^(GATRIX_|DATABASE_URL$|REDIS_URL$|PORT$|HOST$|JWT_SECRET$|LOG_LEVEL$|TRUST_PROXY$|METRICS_TOKEN$|BARE_)/;
  for (const [k, v] of Object.entries(process.env)) if (!drop.test(k)) env[k] = v;
  return env;
}

/** Each script is compiled once per benchmark run, not again for every process started from it. */
const bundles = new Map<string, string>();

/**
 * What a server script runs as: compiled by esbuild and run by plain node (with RUN_ENV), as `npm start` runs
 * Gatrix, so both sides of a ratio run the same way. A `…/packages/server/src/main.ts` (this checkout's or another
 * tree's) is built into that package's dist/main.js by scripts/server-build.mjs; any other .ts (a baseline server)
 * into dist/bench/ at the repository's root.
 */
function compiled(script: string): string {
  const abs = path.resolve(ROOT, script);
  if (!abs.endsWith('.ts')) return abs;
  let out = bundles.get(abs);
  if (out === undefined) {
    out = abs.endsWith(path.join('packages', 'server', 'src', 'main.ts'))
      ? buildServer(path.resolve(abs, '../..'))
      : bundle(abs, path.join(ROOT, 'dist', 'bench', path.basename(abs).replace(/\.ts$/, '.js')));
    bundles.set(abs, out);
  }
  return out;
}

/**
 * With `echo` false the child's lines are only kept for the tail shown when something fails (a server logging every
 * request); with `discardStdout` true its stdout goes to /dev/null (a server's log lines cost this process nothing),
 * and with a number to that file descriptor instead. A `wrapper` (e.g. valgrind and its options) runs node.
 */
export function startChild(name: string, script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = [], echo = true, discardStdout: boolean | number = false, wrapper: string[] = []): Child {
  const [command, ...args] = [...wrapper, process.execPath, ...nodeArgs, compiled(script)];
  const proc = spawn(command, args, { cwd: ROOT, env: { ...RUN_ENV, ...env }, stdio: ['ignore', typeof discardStdout === 'number' ? discardStdout : discardStdout ? 'ignore' : 'pipe', 'pipe'] });
  const child: Child = { name, proc, tail: [], exited: false, exit: Promise.resolve(null) };
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      child.tail.push(line);
      if (child.tail.length > 100) child.tail.shift();
      if (echo) process.stderr.write(`  [${name}] ${line}\n`);
    }
  };
  proc.stdout?.on('data', onData);
  proc.stderr!.on('data', onData);
  child.exit = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      child.exited = true;
      resolve(code ?? (signal ? 128 : null));
    });
    proc.on('error', (err) => {
      child.exited = true;
      child.tail.push(String(err));
      resolve(null);
    });
  });
  return child;
}

export async function stopChild(child: Child): Promise<void> {
  if (child.exited) return;
  child.proc.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000).unref());
  if ((await Promise.race([child.exit, timeout])) === 'timeout' && !child.exited) {
    child.proc.kill('SIGKILL');
    await child.exit;
  }
}

export async function waitUntilAnswering(child: Child, url: string, okStatus: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exited) throw new Error(`${child.name} exited before it was ready:\n${child.tail.join('\n')}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      if (r.status === okStatus) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${child.name} did not answer ${url} within ${timeoutMs / 1000} s:\n${child.tail.join('\n')}`);
}

export interface Memory {
  rssKiB: number;
  peakKiB?: number;
}

/** Resident memory of a process: /proc/<pid>/status on Linux, `ps -o rss=` elsewhere. */
export function memoryOf(pid: number): Memory {
  const status = `/proc/${pid}/status`;
  if (existsSync(status)) {
    const text = readFileSync(status, 'utf8');
    const kib = (field: string) => {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
      return m ? Number(m[1]) : undefined;
    };
    const rssKiB = kib('VmRSS');
    if (rssKiB !== undefined) return { rssKiB, peakKiB: kib('VmHWM') };
  }
  return { rssKiB: Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) };
}

// CPU accounting (Linux /proc; elsewhere these figures are left out). Other work on the machine skews the
// figures, so each run reports how much CPU the server, the load generator (this process) and everything else used.

export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU seconds the whole machine spent in processes (user, nice, system; guest time is inside user) since boot.
 * Interrupt and softirq time is left out: most of it is the loopback network traffic of the benchmark itself.
 */
export function machineBusySeconds(): number | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  const [user, nice, system] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system) / CLK_TCK;
}

/** CPU seconds (user + system) a process has used. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

export interface CpuShares {
  /** Each as a share of one core (1 = one core fully busy). */
  server?: number;
  loadgen: number;
  other?: number;
}

/** Measures CPU use while `work` runs: the server's, this process's (autocannon), and the rest of the machine's. */
export async function withCpu<T>(serverPid: number, ours: () => number[], work: () => Promise<T>): Promise<{ result: T; cpu: CpuShares }> {
  const t0 = performance.now();
  const m0 = machineBusySeconds();
  const s0 = processCpuSeconds(serverPid);
  const c0 = ours().map(processCpuSeconds);
  const self0 = process.cpuUsage();
  const result = await work();
  const self = process.cpuUsage(self0);
  const wall = (performance.now() - t0) / 1000;
  const m1 = machineBusySeconds();
  const s1 = processCpuSeconds(serverPid);
  const c1 = ours().map(processCpuSeconds);
  const loadgen = (self.user + self.system) / 1e6;
  const children = c1.reduce<number | undefined>((sum, v, i) => (sum === undefined || v === undefined || c0[i] === undefined ? undefined : sum + v - c0[i]!), 0);
  const other = m0 === undefined || m1 === undefined || children === undefined ? undefined : Math.max(0, m1 - m0 - children - loadgen);
  return {
    result,
    cpu: {
      server: s0 === undefined || s1 === undefined ? undefined : (s1 - s0) / wall,
      loadgen: loadgen / wall,
      other: other === undefined ? undefined : other / wall,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Load

export interface Measured {
  name: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  avg: number;
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  cpu: CpuShares;
  /** Server CPU time (user + system) per answered request, in µs: less disturbed by other processes than req/s. */
  cpuPerRequestUs?: number;
  /** Measured runs made: more than one when other processes disturbed the earlier ones. */
  attempts: number;
}

export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  /**
   * Varied requests instead of `url` alone: each connection asks these paths (on `url`'s host, with `headers` and
   * each request's own) in turn, and after the warm-up each answer is checked against its own body (load()'s
   * expectedBody is then not used).
   */
  requests?: readonly { path: string; headers?: Record<string, string>; body: string }[];
  /** The server under load. */
  pid: number;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A deterministic PRNG (mulberry32), so every run sends the same load. */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Waits (up to QUIET_WAIT s) until other processes use less than NOISE_LIMIT of a core; the last share seen. */
export async function waitForQuiet(pid: number, ours: () => number[], quietWait: number): Promise<number | undefined> {
  const deadline = Date.now() + quietWait * 1000;
  let announced = false;
  for (;;) {
    const { cpu } = await withCpu(pid, ours, () => sleep(1000));
    if (cpu.other === undefined || cpu.other < NOISE_LIMIT || Date.now() >= deadline) return cpu.other;
    if (!announced) process.stdout.write(`  other processes use ${pct(cpu.other)} of a core; waiting up to ${quietWait} s for quiet…\n`);
    announced = true;
  }
}

/** What a measured run gives, from autocannon (closed loop) or paced() (fixed rate). */
export interface LoadResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** A paced run: a LoadResult, and how late the sender itself sent its requests (ms). */
export interface PacedResult extends LoadResult {
  late: { p99: number; max: number };
}

/**
 * Open loop at a fixed rate: one request every 1000 / rate ms, evenly spaced (autocannon's overallRate sends each
 * connection's share on aligned ticks, so 20 requests arrive at once and queue behind each other), over at most 20
 * keep-alive connections, after `warmup` s at the same rate on the same connections. Latency runs from the moment a
 * request was due, so a server that falls behind is not flattered by the sender waiting for it. `requests` are sent in
 * turn, from the first again after the last. The sender runs in a worker thread
 * (bench/paced-sender.ts, which says why); `late` tells whether it kept to its schedule.
 */
export async function paced(url: string, requests: readonly { path: string; headers: Record<string, string> }[], rate: number, seconds: number, warmup = 0): Promise<PacedResult> {
  const spec: PacedSpec = { url, requests: [...requests], rate, seconds, warmup };
  const worker = new Worker(compiled('bench/paced-sender.ts'), { workerData: spec });
  const r = await new Promise<PacedRun>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the paced sender ended (exit code ${code}) without a result`)));
  });
  await worker.terminate();
  return {
    requests: { average: r.total / r.wall, total: r.total },
    latency: { p50: r.p50, p99: r.p99 },
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: 0,
    late: { p99: r.lateP99, max: r.lateMax },
  };
}

/** How a target is loaded: connections, seconds of warm-up and of the measured run, quiet wait and retries. */
export interface LoadSettings {
  connections: number;
  warmup: number;
  duration: number;
  quietWait: number;
  retries: number;
}

export async function load(
  target: Target,
  expectedBody: string,
  ours: () => number[],
  settings: LoadSettings,
): Promise<{ measured: Measured; problems: string[] }> {
  const { connections: CONNECTIONS, warmup: WARMUP, duration: DURATION, quietWait, retries: RETRIES } = settings;
  const { name, url, headers } = target;
  const problems: string[] = [];
  const requests = target.requests?.map(({ path, headers }) => ({ path, headers }));
  await waitForQuiet(target.pid, ours, quietWait);
  if (WARMUP > 0) {
    // The warm-up also proves the answers are right: every body must be exactly the one fetched up front.
    // (Not done in the measured run, where comparing bodies would cost the load generator CPU.)
    // With varied requests each answer is checked once here, one by one: autocannon decodes a body chunk by chunk,
    // which garbles multi-byte characters split between chunks, so it cannot compare them itself.
    const w = await autocannon({ url, connections: CONNECTIONS, duration: WARMUP, headers, ...(requests ? { requests } : { expectBody: expectedBody }) });
    let unexpected = w.mismatches;
    for (const r of target.requests ?? []) {
      const got = await fetch(new URL(r.path, url), { headers: { ...headers, ...r.headers } });
      if (got.status !== 200 || (await got.text()) !== r.body) unexpected++;
    }
    if (w.non2xx > 0 || w.errors > 0 || unexpected > 0 || w['2xx'] === 0) {
      problems.push(`${name} warm-up: ${w['2xx']} 2xx, ${w.non2xx} non-2xx, ${w.errors} errors, ${unexpected} unexpected bodies`);
    }
  }
  for (let attempt = 0; ; attempt++) {
    const { result: r, cpu } = await withCpu(target.pid, ours, () => autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers, ...(requests ? { requests } : {}) }));
    if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0 || r['2xx'] === 0) {
      const codes = Object.entries(r.statusCodeStats ?? {})
        .map(([code, { count }]) => `${code}: ${count}`)
        .join(', ');
      problems.push(`${name}: ${r['2xx']} 2xx, ${r.non2xx} non-2xx (${codes}), ${r.errors} errors, ${r.timeouts} timeouts`);
    }
    const measured: Measured = {
      name,
      reqPerSec: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      avg: r.latency.average,
      requests: r.requests.total,
      ok: r['2xx'],
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
      cpu,
      cpuPerRequestUs: cpu.server === undefined || r.requests.total === 0 ? undefined : (cpu.server * DURATION * 1e6) / r.requests.total,
      attempts: attempt + 1,
    };
    if (problems.length > 0 || (cpu.other ?? 0) < NOISE_LIMIT || attempt >= RETRIES) return { measured, problems };
    process.stdout.write(`  ${name}: other processes used ${pct(cpu.other)} of a core during the run (${fmt(measured.reqPerSec, 1)} req/s); running it again\n`);
    await waitForQuiet(target.pid, ours, quietWait);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Report

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const mib = (kib: number) => `${fmt(kib / 1024, 1)} MiB`;
export const pct = (share: number | undefined) => (share === undefined ? 'n/a' : `${fmt(share * 100)}%`);

/**
 * What a report says under its table about its autocannon runs: `unreliable` (a suffix for every verdict) when
 * other processes disturbed a run, and notes for disturbed runs, redone runs, and a bare run that autocannon
 * rather than the bare server limited (so the ratio flatters Gatrix).
 */
export function loadNotes(runs: Measured[], bare: Measured): { unreliable: string; notes: string[] } {
  const noisy = runs.filter((m) => (m.cpu.other ?? 0) >= NOISE_LIMIT);
  const notes: string[] = [];
  if (noisy.length > 0) {
    notes.push(`WARNING: other processes used CPU during ${noisy.map((m) => m.name).join(' and ')}: the figures are low and not comparable`);
  }
  for (const m of runs) {
    if (m.attempts > 1) notes.push(`${m.name}: measured run ${m.attempts} (the earlier ones were disturbed by other processes)`);
  }
  if (bare.cpu.loadgen >= 0.9 && (bare.cpu.server ?? 1) < 0.85) {
    notes.push(
      `the bare run was limited by autocannon (${pct(bare.cpu.loadgen)} of a core), not by the bare server ` +
        `(${pct(bare.cpu.server)}): the bare req/s is a floor and the ratio flatters Gatrix`,
    );
  }
  return { unreliable: noisy.length > 0 ? ' (not reliable: disturbed run)' : '', notes };
}

export function table(rows: Measured[]): string {
  const head = ['target', 'req/s', 'p50 ms', 'p99 ms', 'avg ms', 'requests', 'non-2xx', 'errors', 'server CPU', 'CPU µs/req', 'autocannon CPU', 'other CPU'];
  const body = rows.map((r) => [
    r.name,
    fmt(r.reqPerSec, 1),
    fmt(r.p50),
    fmt(r.p99),
    fmt(r.avg, 2),
    fmt(r.requests),
    fmt(r.non2xx),
    fmt(r.errors + r.timeouts),
    pct(r.cpu.server),
    r.cpuPerRequestUs === undefined ? 'n/a' : fmt(r.cpuPerRequestUs),
    pct(r.cpu.loadgen),
    pct(r.cpu.other),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].map((l) => `  ${l}`).join('\n');
}


/** What runBenchmark gives a benchmark's main(): a temp dir, and the child processes to stop at the end. */
export interface Bench {
  /** A fresh directory under the OS temp dir, removed at the end. */
  readonly tempDir: string;
  /** Push every child process started here: each is stopped at the end (SIGTERM, SIGKILL after 10 s). */
  readonly children: Child[];
  /** The pids of the children still running, for load()'s CPU accounting. */
  pids(): number[];
  /** Runs `fn` at the end too, before the children are stopped. */
  atExit(fn: () => unknown): void;
}

/** One statement on a connection of its own to the PostgreSQL server at `url` (creating or dropping a database). */
export async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A benchmark's exit code: 0, or 1 after listing on stderr what broke. */
export function exitCode(name: string, problems: readonly string[]): number {
  if (problems.length === 0) return 0;
  process.stderr.write(`\n${name} FAILED:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  return 1;
}

/**
 * Runs a benchmark's main(): stops its children and removes its temp dir on Ctrl-C or SIGTERM and on every way
 * out; exits with main's code, or 1 when main or the clean-up throws.
 */
export function runBenchmark(name: string, main: (bench: Bench) => Promise<number>): void {
  const exits: (() => unknown)[] = [];
  const bench: Bench = {
    tempDir: mkdtempSync(path.join(tmpdir(), 'gatrix-bench-')),
    children: [],
    pids: () => bench.children.filter((c) => !c.exited).map((c) => c.proc.pid!),
    atExit: (fn) => exits.push(fn),
  };
  let cleaned: Promise<void> | undefined;
  const cleanup = () =>
    (cleaned ??= (async () => {
      for (const fn of exits) await fn();
      await Promise.all(bench.children.map(stopChild));
      rmSync(bench.tempDir, { recursive: true, force: true });
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${name}: ${signal}, stopping the servers\n`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  main(bench)
    .catch((err: unknown) => {
      process.stderr.write(`\n${name} FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      return 1;
    })
    .then(async (code) => {
      await cleanup();
      process.exit(code);
    })
    .catch((err: unknown) => {
      process.stderr.write(`${name}: cleanup failed: ${String(err)}\n`);
      process.exit(1);
    });
}

/**
 * Starts bench/bare-server.ts (or `script`: bench/raw-http-server.ts takes the same variables) answering `body` on
 * `route`, and checks that it does. With `bodies` (path and query → body) it answers each of those paths its own
 * body instead. The caller owns the child (push it where its cleanup will stop it).
 */
export async function startBareServer(
  tempDir: string,
  route: string,
  query: string,
  body: string,
  bodies?: Record<string, string>,
  { name = 'bare', script = 'bench/bare-server.ts', nodeArgs = [] as string[], wrapper = [] as string[], readyTimeoutMs = 60_000 } = {},
): Promise<{ child: Child; url: string }> {
  const bodyFile = path.join(tempDir, 'bare-body.json');
  writeFileSync(bodyFile, body);
  const env: NodeJS.ProcessEnv = { ...cleanEnv(), HOST: '127.0.0.1', BARE_BODY_FILE: bodyFile, BARE_ROUTE: route };
  if (bodies) {
    env.BARE_BODIES_FILE = path.join(tempDir, 'bare-bodies.json');
    writeFileSync(env.BARE_BODIES_FILE, JSON.stringify(bodies));
  }
  const port = await freePort();
  const child = startChild(name, script, { ...env, PORT: String(port) }, nodeArgs, true, false, wrapper);
  const origin = `http://127.0.0.1:${port}`;
  const url = `${origin}${route}${query}`;
  try {
    await waitUntilAnswering(child, url, 200, readyTimeoutMs);
    for (const [path, expected] of Object.entries(bodies ?? { [`${route}${query}`]: body })) {
      if ((await (await fetch(`${origin}${path}`)).text()) !== expected) throw new Error(`the bare server does not answer the same body on ${path}`);
    }
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return { child, url };
}

// ---------------------------------------------------------------------------------------------------------
// Gatrix under test

/** The first admin every benchmark's Gatrix is started with (GATRIX_ADMIN_*). */
export const BENCH_ADMIN = { username: 'bench-admin', email: 'bench-admin@example.com', password: 'bench-admin-password-1' };

/**
 * Starts the real server (BENCH_SERVER_ENTRY, default packages/server/src/main.ts) as a child process on
 * `dataDir` with the bench admin, `env` on top, and waits until /readyz answers. With BENCH_CPU_PROF=<dir> it
 * runs with --cpu-prof and writes its profile under <dir>/<profileSubdir> when stopped; `nodeArgs` go to node
 * before the script; `echo` false keeps its log lines out of the terminal, `discardStdout` sends them (pino writes
 * to stdout) to /dev/null or, a number, to that file descriptor; `readyTimeoutMs` (60 s) bounds the wait for
 * /readyz; a `wrapper` (valgrind) runs node. The caller owns the child (push it where its cleanup will stop it).
 */
export async function startGatrix(
  name: string,
  dataDir: string,
  env: Record<string, string> = {},
  {
    profileSubdir = '',
    nodeArgs = [],
    echo = true,
    entry = process.env.BENCH_SERVER_ENTRY ?? 'packages/server/src/main.ts',
    discardStdout = false,
    readyTimeoutMs = 60_000,
    wrapper = [],
  }: { profileSubdir?: string; nodeArgs?: string[]; echo?: boolean; entry?: string; discardStdout?: boolean | number; readyTimeoutMs?: number; wrapper?: string[] } = {},
): Promise<{ child: Child; base: string }> {
  const port = await freePort();
  const profileDir = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF, profileSubdir) : undefined;
  const child = startChild(
    name,
    entry,
    {
      ...cleanEnv(),
      PORT: String(port),
      HOST: '127.0.0.1',
      GATRIX_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      JWT_SECRET: 'bench-jwt-secret-bench-jwt-secret-0123456789',
      GATRIX_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      GATRIX_ADMIN_USERNAME: BENCH_ADMIN.username,
      GATRIX_ADMIN_EMAIL: BENCH_ADMIN.email,
      GATRIX_ADMIN_PASSWORD: BENCH_ADMIN.password,
      ...env,
    },
    [...nodeArgs, ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])],
    echo,
    discardStdout,
    wrapper,
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(child, `${base}/readyz`, 200, readyTimeoutMs);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return { child, base };
}

/** One JSON call to the API during setup; anything but 2xx throws with the answer. */
export async function call(base: string, method: string, route: string, headers: Record<string, string>, body?: unknown): Promise<unknown> {
  const r = await fetch(`${base}${route}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${route} answered ${r.status}: ${text}`);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/** FNV-1a and djb2 over the id's characters: two hashes, so that a lost and a duplicated event cannot cancel out. */
export function eventIdHashes(id: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 5381;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = (Math.imul(b, 33) + c) >>> 0;
  }
  return [a, b];
}

/** What a soak client worker (bench/soak-clients.ts) knows of one of its sockets. */
export interface SoakFigures {
  kind: string;
  count: number;
  /** Sums (mod 2^32) of two independent 32-bit hashes of each event id received. */
  sumA: number;
  sumB: number;
  /** Reconnections; those Socket.IO could not recover (the node died), which caught up from the event feed instead; events so caught up. */
  reconnects: number;
  unrecovered: number;
  caughtUp: number;
  /** Live events skipped as repeats of one of the last RECENT ids (a claim re-made after a node died; docs/realtime.md). */
  repeats: number;
  /** Catch-up reads of the feed that failed (a connection reset, say) and were tried again, as a client does. */
  catchUpRetries: number;
}

/** A world.updated envelope as bench/webhook-delivery.ts's feeder makes them (~0.6 KB), for game world `world`. */
export function worldUpdatedEnvelope(id: string, at: string, world = 1, createdAt = at): string {
  return JSON.stringify({
    id,
    event: 'world.updated',
    timestamp: at,
    data: {
      id: world,
      worldId: `bench-world-${world}`,
      world: { id: world, worldId: `bench-world-${world}`, name: `Bench world ${world}`, description: 'A world of the webhook benchmark', visible: true, displayOrder: 3, region: 'kr', tags: ['bench', 'shard-1'], customPayload: null, maintenance: false, maintenanceStartsAt: null, maintenanceEndsAt: null, maintenanceMessage: null, createdAt, updatedAt: at },
    },
  });
}

/** The median of `xs` (the mean of the middle two for an even count). */
export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
