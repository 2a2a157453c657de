/**
 * The baseline for the users-list benchmark: a bare Fastify server with one route that answers the very JSON
 * body Gatrix answered, with no auth, no validation, no database and no logging. What Gatrix does on top of
 * this (JWT check, query validation, two SQLite queries, response serialization, request ids) is what the
 * gatrix/bare ratio measures.
 *
 * Started by bench/users-list.ts (and the other benchmarks) as a child process:
 *   BARE_BODY_FILE=<file with the body> BARE_ROUTE=/api/v1/users PORT=<port> HOST=127.0.0.1 \
 *     node --import tsx bench/bare-server.ts
 * With BARE_BODIES_FILE (a JSON object: path and query → body), each of those URLs answers its own body, and
 * any other URL of the route the one of BARE_BODY_FILE (bench/client-notices.ts asks many varied queries).
 */
// First, as main.ts: Gatrix's V8 settings, without which a baseline runs slower (bench/README.md, "Reading the figures").
import '../packages/server/src/v8-tuning.ts';
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { requiredEnv } from './child-env.ts';

const required = (name: string): string => requiredEnv('bare-server', name);

const body = readFileSync(required('BARE_BODY_FILE'), 'utf8');
const bodies = new Map(Object.entries(process.env.BARE_BODIES_FILE ? (JSON.parse(readFileSync(process.env.BARE_BODIES_FILE, 'utf8')) as Record<string, string>) : {}));
const route = process.env.BARE_ROUTE ?? '/api/v1/users';
const port = Number(required('PORT'));
const host = process.env.HOST ?? '127.0.0.1';

const app = Fastify({ logger: false });

// The body is already JSON text: sending the string skips serialization, so this is the floor of the HTTP stack.
// BARE_METHOD (GET) lets a benchmark of a write route (bench/instance-heartbeats.ts: PUT, JSON body parsed) use it.
app.route({
  method: (process.env.BARE_METHOD ?? 'GET') as 'GET',
  url: route,
  handler: (request, reply) => {
    void reply.type('application/json; charset=utf-8').send(bodies.get(request.url) ?? body);
  },
});

const shutdown = () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

app.listen({ port, host }).then(
  (address) => process.stdout.write(`bare-server listening on ${address}${route}\n`),
  (err: unknown) => {
    process.stderr.write(`bare-server: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
