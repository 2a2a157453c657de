/**
 * Diagnostic, not a benchmark: the HTTP side of a webhook attempt alone — `createPoster` (modules/webhooks/poster.ts,
 * what the sender thread runs: signing, the request through a keep-alive agent, the response read and flattened) —
 * against the bare loop's request (the same body and header names, fixed values, the response discarded), each in its
 * own process, 256 in flight over 10 endpoints (64 per endpoint), to a receiver in a third process. Rounds alternate
 * the two; each prints attempts/s and the sender's CPU per attempt, and the median of the per-round ratios
 * (poster / bare) is printed at the end. The webhook benchmark (bench/webhook-delivery.ts) measures the whole
 * delivery; this shows what the sender thread's share of it costs.
 *
 *   node --import tsx bench/webhook-poster-cost.ts        (POSTER_COST_ROUNDS (4) rounds of POSTER_COST_DURATION (6) s each)
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { envInt, fmt, median, worldUpdatedEnvelope } from './lib.ts';

const ROUNDS = envInt('POSTER_COST_ROUNDS', 4, 1);
const DURATION = envInt('POSTER_COST_DURATION', 6, 1);
const WARMUP_MS = 2000;
const ENDPOINTS = 10;
const IN_FLIGHT = 256;
const PER_ENDPOINT = 64;
const SECRET = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;

/** The endpoint's headers as endpoint-cache.ts prepares them: one of its own, then content-type and user-agent. */
const ENDPOINT_HEADERS = { authorization: 'Bearer partner-token-0123456789', 'content-type': 'application/json', 'user-agent': 'Gatrix-Webhooks/1.0 (+https://github.com/motifgames/gatrix)' };

type Result = { perSecond: number; cpuUsPerAttempt: number };

/** The receiver: one node:http server per endpoint answering `200 {}`; sends its URLs to the parent. */
async function receiver(): Promise<void> {
  const urls: string[] = [];
  for (let i = 0; i < ENDPOINTS; i++) {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    urls.push(`http://127.0.0.1:${(server.address() as { port: number }).port}/hook`);
  }
  process.send!(urls);
}

/** One sender: `poster` or `bare`, over the receiver's `urls`, for a warm-up and DURATION s; sends its Result. */
async function sender(kind: 'poster' | 'bare', urls: string[]): Promise<void> {
  // As main.ts: Gatrix's V8 settings, for both sides (bench/README.md, "Reading the figures").
  await import('../packages/server/src/v8-tuning.ts');
  const { createPoster } = await import('../packages/server/src/modules/webhooks/poster.ts');
  const poster = createPoster({ timeoutMs: 15_000, connectTimeoutMs: 10_000, concurrencyPerEndpoint: PER_ENDPOINT }, { allowPrivateNetworks: true });
  const agents = urls.map(() => new http.Agent({ keepAlive: true, maxSockets: PER_ENDPOINT }));
  const body = worldUpdatedEnvelope('evt_0', new Date().toISOString());
  const bareHeaders = {
    ...ENDPOINT_HEADERS,
    'x-gatrix-event': 'world.updated',
    'x-gatrix-delivery': '1',
    'x-gatrix-signature': 'a'.repeat(64),
    'webhook-id': 'evt_0',
    'webhook-timestamp': '1764770000',
    'webhook-signature': `v1,${'b'.repeat(44)}`,
    'content-length': String(Buffer.byteLength(body)),
  };
  const bare = (k: number) =>
    new Promise<void>((resolve) => {
      const req = http.request(urls[k], { method: 'POST', headers: bareHeaders, agent: agents[k] }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', resolve);
      req.end(body);
    });
  // Envelopes made beforehand, as the worker reads them ready-made from the delivery rows.
  const at = new Date().toISOString();
  const bodies = Array.from({ length: 1000 }, (_, i) => worldUpdatedEnvelope(`evt_${i}`, at, i % 100));
  let n = 0;
  let stopped = false;
  const loop = async (k: number) => {
    while (!stopped) {
      const id = ++n;
      if (kind === 'bare') await bare(k);
      else await poster.send({ url: urls[k], headers: ENDPOINT_HEADERS, secrets: [SECRET], eventId: `evt_${id}`, eventType: 'world.updated', deliveryId: id, body: bodies[id % bodies.length], now: Date.now() });
    }
  };
  const loops = Array.from({ length: IN_FLIGHT }, (_, i) => loop(i % urls.length));
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  const n0 = n;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, DURATION * 1000));
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - t0) / 1000;
  const attempts = n - n0;
  stopped = true;
  process.send!({ perSecond: attempts / seconds, cpuUsPerAttempt: (cpu.user + cpu.system) / attempts } satisfies Result);
  await Promise.all(loops);
  process.exit(0);
}

function child(role: string, urls?: string[]): ChildProcess {
  return fork(fileURLToPath(import.meta.url), [role, JSON.stringify(urls ?? [])], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

const message = <T>(proc: ChildProcess) =>
  new Promise<T>((resolve, reject) => {
    proc.once('message', (m) => resolve(m as T));
    proc.once('exit', (code) => reject(new Error(`${proc.spawnargs.at(-2)} exited (${code}) before it answered`)));
  });

async function main(): Promise<void> {
  const recv = child('receiver');
  try {
    const urls = await message<string[]>(recv);
    console.log(`webhook-poster-cost: ${ROUNDS} rounds of ${DURATION} s, ${IN_FLIGHT} attempts in flight over ${ENDPOINTS} endpoints (${PER_ENDPOINT} each)`);
    console.log('round  poster attempts/s  µs CPU each  bare attempts/s  µs CPU each  poster / bare (CPU per attempt)');
    const ratios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const results: Record<string, Result> = {};
      // The order alternates, so that neither side always runs on a machine the other has just warmed or loaded.
      for (const kind of round % 2 === 1 ? (['poster', 'bare'] as const) : (['bare', 'poster'] as const)) results[kind] = await message<Result>(child(kind, urls));
      const ratio = results.poster.cpuUsPerAttempt / results.bare.cpuUsPerAttempt;
      ratios.push(ratio);
      console.log(
        `${String(round).padStart(5)}  ${fmt(results.poster.perSecond).padStart(17)}  ${results.poster.cpuUsPerAttempt.toFixed(1).padStart(11)}  ${fmt(results.bare.perSecond).padStart(15)}  ${results.bare.cpuUsPerAttempt.toFixed(1).padStart(11)}  ${ratio.toFixed(2)}×`,
      );
    }
    console.log(`median: the poster spends ${median(ratios).toFixed(2)}× the bare loop's CPU per attempt`);
  } finally {
    recv.kill();
  }
}

const [role, urls] = process.argv.slice(2);
if (role === 'receiver') await receiver();
else if (role === 'poster' || role === 'bare') await sender(role, JSON.parse(urls) as string[]);
else await main();
