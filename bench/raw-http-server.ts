/**
 * The floor of the game-client benchmarks: a raw `node:http` server (no framework) answering the very bytes Gatrix
 * answered, with no auth, no validation and no logging. The game-client fast path answers in the HTTP server's
 * request listener, before Fastify runs, so this, not bare-server.ts, is what it can at best approach.
 *
 * Started by bench/client-version.ts and bench/client-whitelist.ts (through lib.ts startBareServer) like
 * bare-server.ts, with the same variables: BARE_BODY_FILE, BARE_BODIES_FILE (path and query → body), BARE_ROUTE,
 * PORT, HOST. It answers GET of BARE_ROUTE with the body of the request's path and query, or BARE_BODY_FILE's;
 * anything else 404.
 */
// First, as main.ts: Gatrix's V8 settings, without which a baseline runs slower (bench/README.md, "Reading the figures").
import '../packages/server/src/v8-tuning.ts';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { requiredEnv } from './child-env.ts';

const required = (name: string): string => requiredEnv('raw-http-server', name);

const body = readFileSync(required('BARE_BODY_FILE'), 'utf8');
const bodies = new Map(Object.entries(process.env.BARE_BODIES_FILE ? (JSON.parse(readFileSync(process.env.BARE_BODIES_FILE, 'utf8')) as Record<string, string>) : {}));
const route = required('BARE_ROUTE');
const port = Number(required('PORT'));
const host = process.env.HOST ?? '127.0.0.1';

const server = createServer((req, res) => {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (req.method !== 'GET' || (q === -1 ? url : url.slice(0, q)) !== route) {
    res.writeHead(404).end();
    return;
  }
  const answer = bodies.get(url) ?? body;
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(answer) });
  res.end(answer);
});
server.keepAliveTimeout = 72_000; // as Gatrix and Fastify set it

const shutdown = () => server.close(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

server.listen(port, host, () => process.stdout.write(`raw-http-server listening on http://${host}:${port}${route}\n`));
