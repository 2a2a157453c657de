import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Logger } from 'pino';
import { closeRedis, connectRedis, type RedisClient } from '../../cluster/redis.ts';
import { Server, type Socket } from 'socket.io';
import { EVENT_CATALOG, type ClientToServerEvents, type EventName, type ServerToClientEvents, type SubscribeResult } from '../../events/catalog.ts';
import type { DispatchConsumer } from '../../events/dispatcher.ts';
import type { Session } from '../auth/service.ts';
import { principalLabel, type Principal } from '../../core/permissions.ts';
import { keyRoom, mayHear, roomsOf, SOCKET_EVENTS, targetsOf, userRoom } from './audience.ts';
import { BoundedRecoveryAdapter, boundedRecoveryAdapter, type RecoveryStats } from './recovery-buffer.ts';

export interface RealtimeOptions {
  /** Authenticates a handshake token (access JWT or API key), with its login session and expiry. */
  authenticate(token: string): Promise<Session | undefined>;
  log: Logger;
  redisUrl?: string;
  /** Prefix of the Redis stream and session keys, so deployments sharing one Redis stay apart. */
  redisPrefix: string;
  /** How long start-up retries an unreachable Redis (GATRIX_STARTUP_WAIT_SECONDS). */
  redisWaitMs?: number;
  maxSocketsPerCredential: number;
  /** Handshakes allowed per client IP per 10 s, whether or not they go on to authenticate. */
  connectionsPerIpPer10s: number;
  /** The client IP rule every route uses (http/client-ip.ts). */
  clientIp(req: IncomingMessage): string;
  /** Connection-state recovery's buffer: packets (0: recovery off) and bytes of JSON kept at most. */
  recovery: { maxEvents: number; maxBytes: number };
}

interface SocketData {
  principal: Principal;
  credential: string;
  sessionId?: string;
  expiresAtMs?: number;
  /** Packets a recovered connection missed, held back until its credential is checked again. */
  missed?: unknown[][];
}

type GatrixSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const MUTED = 'mute:';
const PING_INTERVAL_MS = 20_000;
const PING_TIMEOUT_MS = 20_000;
const MAX_DISCONNECTION_MS = 2 * 60 * 1000;
/** socket.io-parser's PacketType.EVENT. */
const EVENT_PACKET = 2;
/** How long a claim waits for its emits to reach Redis before it commits anyway. */
const EMIT_WAIT_MS = 2_000;
const mutedRoom = (socketEvent: string) => `${MUTED}${socketEvent}`;
const VALID_NAMES = [...SOCKET_EVENTS.keys()];

/** Validates a `subscribe` request: unknown names (or webhook spellings) are refused, never read as "everything". */
function subscription(request: unknown): SubscribeResult {
  const events = (request as { events?: unknown } | null | undefined)?.events;
  if (events !== undefined && (!Array.isArray(events) || events.some((e) => typeof e !== 'string'))) {
    return { error: 'invalid_request', message: '`events` must be a list of event names', unknown: [], valid: VALID_NAMES };
  }
  const names = [...new Set((events ?? []) as string[])];
  const unknown = names.filter((e) => !SOCKET_EVENTS.has(e));
  if (unknown.length > 0) {
    return { error: 'unknown_events', message: `Unknown event names: ${unknown.join(', ')}. Valid names: ${VALID_NAMES.join(', ')}`, unknown, valid: VALID_NAMES };
  }
  return { events: names.length > 0 ? names : VALID_NAMES };
}

/**
 * The one Socket.IO gateway: authenticates handshakes, puts each socket in the rooms its caller may hear, and
 * emits outbox events after they commit. Services never touch the socket server; they write events.
 * With REDIS_URL the Redis Streams adapter carries emits to every node and keeps connection-state recovery
 * working across them (the stream, in Redis, is the recovery buffer: its last `recovery.maxEvents` entries); each
 * event is claimed by one node's dispatcher, so it is emitted once cluster-wide. On one node the recovery buffer is
 * the bounded one of recovery-buffer.ts.
 */
export async function createRealtimeGateway(httpServer: HttpServer, opts: RealtimeOptions) {
  const { log } = opts;
  let redis: RedisClient | undefined;
  const recovery = opts.recovery.maxEvents > 0;
  let adapter: ReturnType<typeof createAdapter> | ReturnType<typeof boundedRecoveryAdapter> | undefined;
  if (opts.redisUrl) {
    redis = await connectRedis(opts.redisUrl, log, { waitMs: opts.redisWaitMs ?? 0, purpose: 'socket.io' });
    const { createAdapter } = await import('@socket.io/redis-streams-adapter'); // only nodes with Redis load it
    adapter = createAdapter(redis, {
      streamName: `${opts.redisPrefix}:socket.io`,
      sessionKeyPrefix: `${opts.redisPrefix}:sio:session:`,
      ...(recovery ? { maxLen: opts.recovery.maxEvents } : {}),
    });
  } else if (recovery) {
    adapter = boundedRecoveryAdapter({ ...opts.recovery, maxDisconnectionMs: MAX_DISCONNECTION_MS, detectionMs: PING_INTERVAL_MS + PING_TIMEOUT_MS });
  }

  const socketsPerCredential = new Map<string, number>();
  const connectionsPerIp = new Map<string, { n: number; resetAt: number }>();

  // Every engine handshake counts against its IP, authenticated or not (one that never sends a credential
  // still holds a connection until the connect timeout).
  const allowRequest = (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => {
    const ip = opts.clientIp(req);
    const now = Date.now();
    const bucket = connectionsPerIp.get(ip);
    if (!bucket || bucket.resetAt <= now) {
      if (connectionsPerIp.size > 50_000) connectionsPerIp.clear();
      connectionsPerIp.set(ip, { n: 1, resetAt: now + 10_000 });
    } else if (++bucket.n > opts.connectionsPerIpPer10s) {
      return callback('rate_limited', false);
    }
    callback(null, true);
  };

  // Socket.IO takes the /socket.io/ requests (handshakes, polling, WebSocket upgrades) off the HTTP server
  // ahead of its request listener, so they pass neither the game-client fast path nor Fastify and are not in
  // the request log (app/request-log.ts) or the request metrics. That is on purpose: a socket is one long
  // connection rather than API requests, its polling would flood the request log with lines that say nothing
  // about the API, and the connections are counted by the sockets gauge instead. Their client IP (the handshake
  // limit above) is the same rule as every route's.
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(httpServer, {
    path: '/socket.io',
    transports: ['websocket', 'polling'],
    maxHttpBufferSize: 64 * 1024,
    pingInterval: PING_INTERVAL_MS,
    pingTimeout: PING_TIMEOUT_MS,
    ...(recovery ? { connectionStateRecovery: { maxDisconnectionDuration: MAX_DISCONNECTION_MS, skipMiddlewares: false } } : {}),
    allowRequest,
    ...(adapter ? { adapter } : {}),
  });

  // Connection-state recovery restores a socket's rooms, data and missed packets when it is built, before the
  // middleware below has checked its credential again; a user demoted while disconnected would get its old rooms
  // and the staff events it missed. So a session is restored bare (its subscription only), the missed packets
  // are held in socket.data, and the connection handler joins the rooms of the principal as it is now and
  // replays only the packets that principal may hear.
  const nsp = io.of('/');
  const restoreSession = nsp.adapter.restoreSession.bind(nsp.adapter);
  nsp.adapter.restoreSession = async (pid, offset) => {
    const session = await restoreSession(pid, offset);
    if (!session) return session;
    return { ...session, rooms: session.rooms.filter((r) => String(r).startsWith(MUTED)), data: { missed: session.missedPackets }, missedPackets: [] };
  };

  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) return next(new Error('unauthorized'));
    opts
      .authenticate(token)
      .then((session) => {
        if (!session) return next(new Error('unauthorized'));
        const credential = principalLabel(session.principal);
        if ((socketsPerCredential.get(credential) ?? 0) >= opts.maxSocketsPerCredential) return next(new Error('too_many_connections'));
        Object.assign(socket.data, { principal: session.principal, credential, sessionId: session.sessionId, expiresAtMs: session.expiresAtMs });
        next();
      })
      .catch((err: unknown) => {
        log.error({ err }, 'socket authentication failed');
        next(new Error('unauthorized'));
      });
  });

  io.on('connection', (socket: GatrixSocket) => {
    const { credential, principal, missed, expiresAtMs } = socket.data;
    socket.data.missed = undefined;
    socketsPerCredential.set(credential, (socketsPerCredential.get(credential) ?? 0) + 1);
    // An access token's socket ends when the token does, as REST refuses it from then on. As a transport close:
    // the client library reconnects by itself, with a fresh token if its `auth` gives one (and recovers what it
    // missed meanwhile), or is refused with the expired one.
    const expiry = expiresAtMs === undefined ? undefined : setTimeout(() => socket.conn.close(), Math.max(0, expiresAtMs - Date.now()));
    void socket.join(roomsOf(principal));
    for (const [name, data] of missed ?? []) {
      const event = SOCKET_EVENTS.get(String(name));
      // Re-emitted without the old offset: the adapter gives each packet a new one.
      if (event && mayHear(principal, event, data)) (socket.emit as (ev: string, data: unknown) => boolean)(String(name), data);
    }
    socket.on('subscribe', (request, ack) => {
      const result = subscription(request);
      if ('events' in result) {
        const wanted = new Set(result.events);
        for (const name of VALID_NAMES) {
          if (!wanted.has(name)) void socket.join(mutedRoom(name));
          else void socket.leave(mutedRoom(name));
        }
      }
      if (typeof ack === 'function') ack(result);
    });
    socket.on('disconnect', () => {
      clearTimeout(expiry);
      const n = (socketsPerCredential.get(credential) ?? 1) - 1;
      if (n <= 0) socketsPerCredential.delete(credential);
      else socketsPerCredential.set(credential, n);
    });
  });

  const stats = { emitted: 0 };

  /**
   * Dispatcher consumer: emits each claimed event, in outbox order, to the rooms that may hear it — inside the
   * claim's transaction, as its last step, waiting until the adapter has put the packets in the Redis stream (every
   * node's sockets read them from there). A node killed after the claim commits has so already handed its events to
   * every node; emitting after the commit would lose to every socket what a node killed in between had claimed
   * (bench/soak.ts measured it). The price: a claim that fails to commit after its emits is claimed again and its
   * events are emitted twice (same eventId; docs/realtime.md). The wait is bounded (EMIT_WAIT_MS): with Redis
   * unreachable the claim, and so webhook fan-out, goes on, and sockets on other nodes miss those events as they
   * would anyway.
   */
  const consumer: DispatchConsumer = {
    async claimed(_trx, events) {
      const sent: unknown[] = [];
      for (const e of events) {
        const name = EVENT_CATALOG[e.envelope.event as EventName]?.socketEvent;
        const rooms = name ? targetsOf(e.envelope.event as EventName, e.envelope.data) : [];
        if (!name || rooms.length === 0) continue;
        const payload = { ...(e.envelope.data as object), eventId: e.envelope.id, timestamp: e.envelope.timestamp };
        // What io.to(rooms).except(muted).emit() does, keeping the adapter's promise (settled once published).
        sent.push(nsp.adapter.broadcast({ type: EVENT_PACKET, data: [name, payload] }, { rooms: new Set(rooms), except: new Set([mutedRoom(name)]), flags: {} }));
        stats.emitted++;
      }
      if (sent.length === 0 || !redis) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(sent), new Promise((resolve) => (timer = setTimeout(resolve, EMIT_WAIT_MS)))]);
      clearTimeout(timer);
    },
  };

  return {
    io,
    consumer,
    stats,
    /** This node's recovery buffer (nothing without recovery, or with Redis, where the buffer is the stream). */
    recoveryStats: (): RecoveryStats => (nsp.adapter instanceof BoundedRecoveryAdapter ? nsp.adapter.stats() : { events: 0, bytes: 0, sessions: 0, outOfBuffer: 0 }),
    /** Logout or a password change ended one session of a user (or all of them): its sockets end, on every node. */
    async sessionsEnded(userId: number, sessionId: string | undefined): Promise<void> {
      for (const s of await io.in(userRoom(userId)).fetchSockets()) {
        if (sessionId === undefined || s.data.sessionId === sessionId) s.disconnect(true);
      }
    },
    /** A user changed: its sockets end, on every node, if it was deleted, suspended or given another role. */
    async userChanged(userId: number, user: { status: string; role: string } | undefined): Promise<void> {
      for (const s of await io.in(userRoom(userId)).fetchSockets()) {
        const p = s.data.principal;
        if (!user || user.status !== 'active' || (p.kind === 'user' && p.role !== user.role)) s.disconnect(true);
      }
    },
    /** False while the adapter's connection to Redis is down (always true without Redis). */
    ready: () => redis?.isReady ?? true,
    /** Ends every socket of a revoked API key on every node. */
    disconnectKey(keyId: number): void {
      io.in(keyRoom(keyId)).disconnectSockets(true);
    },
    /**
     * Tells clients to reconnect elsewhere, then drops their connections as a transport close (which the client
     * library answers by reconnecting, unlike a server-side disconnect). The HTTP server is Fastify's to close.
     */
    async close(): Promise<void> {
      // Only this node's sockets: with the Redis adapter io.emit() would tell every node's clients to leave.
      io.local.emit('server_shutdown', { reconnect: true });
      await new Promise((r) => setTimeout(r, 50));
      io.engine.close();
      // Stops the Redis Streams adapter's polling loop (io.close() would also close Fastify's HTTP server).
      for (const nsp of io._nsps.values()) void nsp.adapter.close();
      if (redis) await closeRedis(redis);
    },
  };
}

export type RealtimeGateway = Awaited<ReturnType<typeof createRealtimeGateway>>;
