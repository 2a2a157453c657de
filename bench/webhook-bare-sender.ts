/**
 * The baseline for the webhook-delivery benchmark: a bare loop that POSTs one fixed body with fixed headers
 * (a real Gatrix delivery, captured by the benchmark) to the receiver's endpoints, with Gatrix's concurrency
 * shape (BARE_CONCURRENCY requests in flight in all, spread evenly over the endpoints, at most
 * BARE_PER_ENDPOINT each, one keep-alive agent per origin), and nothing else: no database, no claim, no
 * signing, no recording. What the receiver and the loopback network absorb this way is the ceiling Gatrix's
 * deliveries/s are compared with.
 *
 * Started by bench/webhook-delivery.ts as a child process; runs until SIGTERM:
 *   BARE_TARGETS=<url>,<url>,… BARE_BODY_FILE=<file> BARE_HEADERS_FILE=<json file> BARE_CONCURRENCY=256 \
 *     BARE_PER_ENDPOINT=64 node --import tsx bench/webhook-bare-sender.ts
 */
// First, as main.ts: Gatrix's V8 settings, without which a baseline runs slower (bench/README.md, "Reading the figures").
import '../packages/server/src/v8-tuning.ts';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { requiredEnv } from './child-env.ts';

const required = (name: string): string => requiredEnv('webhook-bare-sender', name);

const targets = required('BARE_TARGETS')
  .split(',')
  .map((u) => new URL(u));
const body = readFileSync(required('BARE_BODY_FILE'));
const headers = { ...(JSON.parse(readFileSync(required('BARE_HEADERS_FILE'), 'utf8')) as Record<string, string>), 'content-length': String(body.length) };
const concurrency = Number(required('BARE_CONCURRENCY'));
const perEndpoint = Number(required('BARE_PER_ENDPOINT'));

const agents = new Map<string, http.Agent>();
function agentFor(url: URL): http.Agent {
  let agent = agents.get(url.origin);
  if (!agent) {
    agent = new http.Agent({ keepAlive: true, maxSockets: perEndpoint });
    agents.set(url.origin, agent);
  }
  return agent;
}

let stopped = false;
let sent = 0;
let failed = 0;

function post(url: URL): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', headers, agent: agentFor(url) }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode >= 300) failed++;
        resolve();
      });
      res.on('error', () => {
        failed++;
        resolve();
      });
    });
    req.on('error', (err) => {
      failed++;
      if (failed <= 5) process.stderr.write(`webhook-bare-sender: ${err.message}\n`);
      resolve();
    });
    req.end(body);
  });
}

async function loop(url: URL): Promise<void> {
  while (!stopped) {
    await post(url);
    sent++;
  }
}

const shutdown = () => {
  stopped = true;
  process.stdout.write(`webhook-bare-sender: ${sent} requests sent, ${failed} failed\n`);
  for (const a of agents.values()) a.destroy();
  process.exit(failed > 0 ? 1 : 0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

// Loop k sends to endpoint k mod n, as Gatrix's claims spread over the endpoints of each event.
const loops = Array.from({ length: concurrency }, (_, k) => loop(targets[k % targets.length]));
process.stdout.write(`webhook-bare-sender: ${concurrency} loops over ${targets.length} endpoints\n`);
void Promise.all(loops);
