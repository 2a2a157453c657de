/**
 * The baseline for the sockets benchmark: a bare Socket.IO server (the same socket.io version as Gatrix, default
 * options, no auth, no rooms, no database, no logging) whose one HTTP route broadcasts a payload to every socket.
 * What Gatrix does on top of this (the REST call's auth, validation and transaction, the outbox dispatcher, rooms
 * by audience, connection-state recovery) is what the gatrix/bare ratio measures.
 *
 * Started by bench/sockets.ts as a child process:
 *   BARE_PAYLOAD_FILE=<JSON payload> BARE_EVENT=world_updated PORT=<port> HOST=127.0.0.1 \
 *     node --import tsx bench/bare-socket-server.ts
 *
 * POST /emit broadcasts BARE_EVENT with the payload, its `eventId` replaced by a fresh id of the same length and
 * its `timestamp` by the current time, so every event is as large as Gatrix's and tells itself apart; it answers
 * 204 once io.emit() has returned. GET /readyz answers 200.
 */
// First, as main.ts: Gatrix's V8 settings, without which a baseline runs slower (bench/README.md, "Reading the figures").
import '../packages/server/src/v8-tuning.ts';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { requiredEnv } from './child-env.ts';

const required = (name: string): string => requiredEnv('bare-socket-server', name);

const payload = JSON.parse(readFileSync(required('BARE_PAYLOAD_FILE'), 'utf8')) as { eventId: string; timestamp: string };
const event = required('BARE_EVENT');
const port = Number(required('PORT'));
const host = process.env.HOST ?? '127.0.0.1';
/** Gatrix's ids: `evt_` + hex; a fresh one of the same length per emit. */
const idLength = payload.eventId.length;
const newId = () => `evt_${randomBytes(Math.ceil((idLength - 4) / 2)).toString('hex')}`.slice(0, idLength);

const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/emit') {
    req.resume();
    req.on('end', () => {
      io.emit(event, { ...payload, eventId: newId(), timestamp: new Date().toISOString() });
      res.writeHead(204).end();
    });
    return;
  }
  if (req.url === '/readyz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    return;
  }
  res.writeHead(404).end(); // /socket.io requests never get here: Socket.IO answers them first
});
server.keepAliveTimeout = 72_000;
const io = new Server(server, { path: '/socket.io' });

const shutdown = () => {
  void io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

server.listen(port, host, () => process.stdout.write(`bare-socket-server listening on http://${host}:${port}, POST /emit broadcasts ${event}\n`));
