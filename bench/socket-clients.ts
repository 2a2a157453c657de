/**
 * A sockets-benchmark client worker: holds socket.io-client sockets (websocket transport, one connection each) to
 * the servers it is told to, and tells its parent, bench/sockets.ts, when every one of its sockets has received an
 * event. Started with an IPC channel; not meant to be run by hand.
 *
 * Parent → worker:
 *   { type: 'connect', target, url, tokens, count, concurrency, event }  opens `count` sockets (token i % tokens.length)
 *   { type: 'status', target }                                          how many sockets got each recent event
 *   { type: 'close', target }                                           disconnects that target's sockets
 * Worker → parent:
 *   { type: 'connected', target, count, ms, failures }
 *   { type: 'all', target, key, first, last }          every socket got the event `key` (its eventId); first and last
 *                                                      arrival as epoch ms with sub-ms precision
 *   { type: 'status', target, counts, sockets }
 *   { type: 'lost', target, reason }                   a socket disconnected: the measurement is void
 *   { type: 'closed', target }
 */
import { io, type Socket } from 'socket.io-client';

type FromParent =
  | { type: 'connect'; target: string; url: string; tokens: string[]; count: number; concurrency: number; event: string }
  | { type: 'status'; target: string }
  | { type: 'close'; target: string };

interface Arrival {
  n: number;
  first: number;
  last: number;
}

interface Target {
  sockets: Socket[];
  arrivals: Map<string, Arrival>;
  closing: boolean;
}

const targets = new Map<string, Target>();
const send = (msg: Record<string, unknown>) => process.send!(msg);
/** Wall-clock ms with sub-ms precision, comparable with the parent's (same clock, same formula). */
const now = () => performance.timeOrigin + performance.now();

function connectOne(t: Target, target: string, url: string, token: string, event: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = io(url, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false, timeout: 60_000 });
    socket.on(event, (data: { eventId?: string }) => {
      const at = now();
      const key = String(data?.eventId);
      let a = t.arrivals.get(key);
      if (!a) {
        a = { n: 0, first: at, last: at };
        t.arrivals.set(key, a);
        // Keep the last few events for `status`; older ones are done with.
        if (t.arrivals.size > 8) t.arrivals.delete(t.arrivals.keys().next().value!);
      }
      a.n++;
      a.last = at;
      if (a.n === t.sockets.length) send({ type: 'all', target, key, first: a.first, last: a.last });
    });
    socket.once('connect', () => {
      t.sockets.push(socket);
      socket.on('disconnect', (reason) => {
        if (!t.closing) send({ type: 'lost', target, reason: String(reason) });
      });
      resolve(undefined);
    });
    socket.once('connect_error', (err) => {
      socket.close();
      resolve(err.message);
    });
  });
}

async function connect(msg: Extract<FromParent, { type: 'connect' }>): Promise<void> {
  const t: Target = { sockets: [], arrivals: new Map(), closing: false };
  targets.set(msg.target, t);
  const started = performance.now();
  const failures: Record<string, number> = {};
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < msg.count; i = next++) {
      const err = await connectOne(t, msg.target, msg.url, msg.tokens[i % msg.tokens.length], msg.event);
      if (err !== undefined) failures[err] = (failures[err] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(msg.concurrency, msg.count) }, lane));
  send({ type: 'connected', target: msg.target, count: t.sockets.length, ms: performance.now() - started, failures });
}

process.on('message', (msg: FromParent) => {
  switch (msg.type) {
    case 'connect':
      void connect(msg);
      break;
    case 'status': {
      const t = targets.get(msg.target);
      send({ type: 'status', target: msg.target, sockets: t?.sockets.length ?? 0, counts: Object.fromEntries([...(t?.arrivals ?? [])].map(([k, a]) => [k, a.n])) });
      break;
    }
    case 'close': {
      const t = targets.get(msg.target);
      if (t) {
        t.closing = true;
        for (const s of t.sockets) s.disconnect();
        targets.delete(msg.target);
      }
      send({ type: 'closed', target: msg.target });
      break;
    }
  }
});
// The parent went away: nothing left to do.
process.on('disconnect', () => process.exit(0));
