/**
 * The open-loop load of the paced benchmark runs (lib.ts paced()), in a thread of its own: GET requests at a fixed
 * rate, evenly spaced, over at most 20 keep-alive connections, latency counted from the moment each request was due.
 *
 * In a worker thread of its own (its own heap, its own event loop) because the sender's own pauses count as the
 * server's latency: run on a benchmark's main thread, beside its bookkeeping and with a promise and a closure kept
 * per request, its event loop stalled for
 * 30–70 ms at ~21,000 req/s (scavenges every few hundred ms), and both the raw server and Gatrix showed p99s of
 * 50–240 ms that neither server had (neither's event loop stalled for more than 15 ms). Here each request keeps two
 * numbers in preallocated arrays, and the sender measures how late it sent each request: a run in which the sender
 * itself was late is reported as such (lib.ts), not as a figure of the server.
 *
 * Started by lib.ts paced() as a worker thread (its CPU counts as the benchmark process's, like autocannon's), with
 * the run as workerData; posts its result and ends.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface PacedSpec {
  url: string;
  requests: { path: string; headers: Record<string, string> }[];
  rate: number;
  seconds: number;
  warmup: number;
}

export interface PacedRun {
  /** Requests answered, and the run's length in s. */
  total: number;
  wall: number;
  /** Latency from each request's due time, ms. */
  p50: number;
  p99: number;
  /** How late the sender itself sent the requests, ms. */
  lateP99: number;
  lateMax: number;
  non2xx: number;
  errors: number;
}

const spec = workerData as PacedSpec;
const { hostname, port } = new URL(spec.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
let nextRequest = 0;
/** How far behind its schedule, in time or in unanswered requests, the sender gives up (ms). */
const GIVE_UP_MS = 1000;

/** The p-quantile of the first n values (sorted in place). */
function quantile(values: Float64Array, n: number, p: number): number {
  if (n === 0) return NaN;
  const sorted = values.subarray(0, n).sort();
  return sorted[Math.min(n - 1, Math.floor(p * n))];
}

/** One run: `seconds` at the rate; latencies and lateness in ms, one per answered request. */
function run(seconds: number): Promise<PacedRun> {
  let total = Math.max(1, Math.round(spec.rate * seconds));
  const latency = new Float64Array(total);
  const late = new Float64Array(total);
  let answered = 0;
  let ended = 0;
  let sent = 0;
  let non2xx = 0;
  let errors = 0;
  const interval = 1000 / spec.rate;
  const started = performance.now();
  return new Promise((resolve) => {
    const finish = () => {
      if (++ended < total) return;
      const wall = (performance.now() - started) / 1000;
      resolve({
        total: answered,
        wall,
        p50: quantile(latency, answered, 0.5),
        p99: quantile(latency, answered, 0.99),
        lateP99: quantile(late, sent, 0.99),
        lateMax: sent > 0 ? late.subarray(0, sent).reduce((a, b) => Math.max(a, b), 0) : 0,
        non2xx,
        errors,
      });
    };
    const send = (i: number, due: number) => {
      const r = spec.requests[nextRequest++ % spec.requests.length];
      const req = http.get({ hostname, port, path: r.path, headers: r.headers, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) non2xx++;
          latency[answered++] = performance.now() - due;
          finish();
        });
      });
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        finish();
      });
      late[i] = performance.now() - due;
    };
    // Each wake-up sends every request due by now, then sleeps until the next one is due. A run in which the
    // sender is a second behind its schedule, or has a second's worth of requests unanswered, cannot hold the rate
    // (the agent's queue only grows, and Node's agent slows down as it does): it stops sending and ends with what
    // was sent, whose req/s then tells.
    const tick = () => {
      const now = performance.now();
      if (sent < total && (now - (started + sent * interval) > GIVE_UP_MS || sent - ended > spec.rate * (GIVE_UP_MS / 1000))) {
        total = sent;
        if (ended === total) finish(); // nothing in flight: end now (finish counts one more)
        return;
      }
      while (sent < total && started + sent * interval <= now) {
        send(sent, started + sent * interval);
        sent++;
      }
      if (sent < total) {
        const wait = started + sent * interval - performance.now();
        // Under a millisecond (Node's timers wait no less) the loop turns until then. That keeps a core busy, but a
        // thread that slept the rest instead (Atomics.wait) read the answers later: Gatrix's p50 at a quarter of
        // capacity 0.54 ms against 0.08 ms, in back-to-back runs.
        if (wait > 1) setTimeout(tick, wait - 0.5);
        else setImmediate(tick);
      }
    };
    tick();
  });
}

if (spec.warmup > 0) await run(spec.warmup);
const r = await run(spec.seconds);
agent.destroy();
parentPort!.postMessage(r);
