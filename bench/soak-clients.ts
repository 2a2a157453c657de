/**
 * A soak-benchmark client worker (bench/soak.ts forks it with an IPC channel; not meant to be run by hand): holds
 * socket.io-client sockets to two Gatrix nodes, as many game servers and players would, and keeps per socket only
 * a count and two hash sums of the event ids it received, so a 10-minute run costs no memory per event. The
 * parent compares them with what the event feed says each credential may hear: equal count and sums = every event
 * exactly once.
 *
 * Parent → worker:
 *   { type: 'connect', urls, token, kind, count }   opens `count` sockets with `token`, socket i on urls[i % 2]
 *   { type: 'down', url }                            that node is gone: reconnect to the other one
 *   { type: 'report' }                               per-socket figures
 *   { type: 'close' }
 * Worker → parent:
 *   { type: 'connected', count, failures }
 *   { type: 'report', sockets: SocketFigures[] }
 */
import { io, type Socket } from 'socket.io-client';
import { eventIdHashes, type SoakFigures as Figures } from './lib.ts';

/** Event ids a socket remembers to skip a repeat, as docs/realtime.md advises clients. */
const RECENT = 128;

type FromParent =
  | { type: 'connect'; urls: string[]; token: string; kind: string; count: number }
  | { type: 'down'; url: string }
  | { type: 'report' }
  | { type: 'close' };

/** The first two sockets of each kind (one on each node) also keep every id they received (witnesses), so that what they missed can be named. */
const sockets: { socket: Socket; figures: Figures; ids?: Set<string> }[] = [];
const witnesses = new Map<string, number>();
let urls: string[] = [];
const down = new Set<string>();
const send = (msg: Record<string, unknown>) => process.send!(msg);

function open(url: string, token: string, kind: string): Promise<boolean> {
  return new Promise((resolve) => {
    const figures: Figures = { kind, count: 0, sumA: 0, sumB: 0, reconnects: 0, unrecovered: 0, caughtUp: 0, repeats: 0, catchUpRetries: 0 };
    const recent: string[] = [];
    const recentSet = new Set<string>();
    const socket = io(url, { auth: { token }, transports: ['websocket'], forceNew: true, reconnectionDelay: 500, reconnectionDelayMax: 2_000, timeout: 60_000 });
    let last: string | undefined;
    const witness = (witnesses.get(kind) ?? 0) < 2;
    witnesses.set(kind, (witnesses.get(kind) ?? 0) + 1);
    const ids = witness ? new Set<string>() : undefined;
    /** Ids read from the feed while catching up: the surviving node may still emit them live afterwards. */
    const fromFeed = new Set<string>();
    /** While catching up from the feed: the ids that arrived live meanwhile, not to be counted twice. */
    let live: Set<string> | undefined;
    const received = (id: string) => {
      ids?.add(id);
      const [a, b] = eventIdHashes(id);
      figures.count++;
      figures.sumA = (figures.sumA + a) >>> 0;
      figures.sumB = (figures.sumB + b) >>> 0;
    };
    socket.onAny((_event: string, data: { eventId?: unknown } | undefined) => {
      if (typeof data?.eventId !== 'string' || fromFeed.delete(data.eventId)) return;
      if (recentSet.has(data.eventId)) {
        figures.repeats++;
        return;
      }
      recent.push(data.eventId);
      recentSet.add(data.eventId);
      if (recent.length > RECENT) recentSet.delete(recent.shift()!);
      if (live) live.add(data.eventId);
      else last = data.eventId;
      received(data.eventId);
    });
    /** Where the feed read has got to: a read that fails is retried from there, so nothing is counted twice. */
    let feedCursor: string | undefined;
    let catching = false;
    /** What a client does when its socket could not be recovered: reads the feed after the last event it had. */
    const catchUp = async () => {
      live ??= new Set();
      feedCursor ??= last;
      for (let hasMore = true; hasMore && feedCursor; ) {
        const r = await fetch(`${(socket.io as unknown as { uri: string }).uri}/api/v1/events?after=${encodeURIComponent(feedCursor)}&limit=1000`, { headers: { 'x-api-key': token } });
        if (!r.ok) throw new Error(`event feed answered ${r.status}`);
        const page = (await r.json()) as { data: { id: string }[]; nextCursor: string; hasMore: boolean };
        for (const e of page.data) {
          if (live.has(e.id)) continue;
          fromFeed.add(e.id);
          received(e.id);
          figures.caughtUp++;
        }
        feedCursor = page.nextCursor;
        hasMore = page.hasMore;
      }
      last = [...live].pop() ?? feedCursor;
      live = undefined;
      feedCursor = undefined;
    };
    /** As a client following docs/realtime.md does: a catch-up that fails (a connection reset, say) is tried again. */
    const catchUpUntilDone = () => {
      if (catching) return;
      catching = true;
      catchUp().then(
        () => (catching = false),
        (err: unknown) => {
          catching = false;
          figures.catchUpRetries++;
          const cause = (err as { cause?: { code?: string } }).cause?.code;
          process.stderr.write(`soak client: catching up failed (${String(err)}${cause ? `, ${cause}` : ''}); trying again\n`);
          setTimeout(catchUpUntilDone, 500);
        },
      );
    };
    let first = true;
    socket.on('connect', () => {
      if (first) {
        first = false;
        sockets.push({ socket, figures, ids });
        resolve(true);
        return;
      }
      figures.reconnects++;
      if (socket.recovered) return;
      figures.unrecovered++;
      catchUpUntilDone();
    });
    // A load balancer would send the reconnection to a live node: so does this.
    socket.io.on('reconnect_attempt', () => {
      const manager = socket.io as unknown as { uri: string };
      if (down.has(manager.uri)) manager.uri = urls.find((u) => !down.has(u)) ?? manager.uri;
    });
    socket.once('connect_error', () => {
      if (first) {
        first = false;
        socket.disconnect();
        resolve(false);
      }
    });
  });
}

process.on('message', async (msg: FromParent) => {
  switch (msg.type) {
    case 'connect': {
      urls = msg.urls;
      let failures = 0;
      // A few at a time: thousands of handshakes at once are a thundering herd no real fleet produces.
      for (let i = 0; i < msg.count; i += 50) {
        const batch = Array.from({ length: Math.min(50, msg.count - i) }, (_, k) => open(urls[(i + k) % urls.length], msg.token, msg.kind));
        failures += (await Promise.all(batch)).filter((ok) => !ok).length;
      }
      send({ type: 'connected', count: msg.count - failures, failures });
      break;
    }
    case 'down':
      down.add(msg.url);
      break;
    case 'report':
      send({ type: 'report', sockets: sockets.map((s) => ({ ...s.figures, connected: s.socket.connected, ids: s.ids && [...s.ids] })) });
      break;
    case 'close':
      for (const s of sockets) s.socket.disconnect();
      process.exit(0);
  }
});
