import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Logger } from 'pino';
import { closeRedis, connectRedis, type RedisClient } from '../../cluster/redis.ts';
import { Server, type Socket } from 'socket.io';
import { EVENT_AUDIENCE, EVENT_CATALOG, type ClientToServerEvents, type EventName, type ServerToClientEvents } from '../../events/catalog.ts';
import type { ClaimedEvent, DispatchConsumer } from '../../events/dispatcher.ts';
import { isStaff, principalLabel, type Principal } from '../permissions.ts';

export interface RealtimeOptions {
  /** Authenticates a handshake token (access JWT or API key). */
  authenticate(token: string): Promise<Principal | undefined>;
  log: Logger;
  redisUrl?: string;
  /** Prefix of the Redis stream and session keys, so deployments sharing one Redis stay apart. */
  redisPrefix: string;
  /** How long start-up retries an unreachable Redis (GATRIX_STARTUP_WAIT_SECONDS). */
  redisWaitMs?: number;
  maxSocketsPerCredential: number;
  /** New connections allowed per IP per 10 s. */
  connectionsPerIpPer10s: number;
  trustProxy: boolean;
}

interface SocketData {
  principal: Principal;
  credential: string;
}

type GatrixSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const ROOM = { staff: 'staff', public: 'public', clients: 'clients' } as const;
const userRoom = (id: number) => `user:${id}`;
const keyRoom = (id: number) => `key:${id}`;
const mutedRoom = (socketEvent: string) => `mute:${socketEvent}`;
const SOCKET_EVENTS = new Set<string>(Object.values(EVENT_CATALOG).flatMap((d) => (d.socketEvent ? [d.socketEvent] : [])));

/** The rooms a caller listens in, by role or key type (DESIGN.md §5). */
function roomsOf(p: Principal): string[] {
  if (isStaff(p) || (p.kind === 'apiKey' && p.keyType === 'server')) return [ROOM.staff, p.kind === 'user' ? userRoom(p.userId) : keyRoom(p.keyId)];
  if (p.kind === 'apiKey') return [ROOM.clients, keyRoom(p.keyId)];
  return [ROOM.public, userRoom(p.userId)];
}

/** The rooms an event goes to: staff always; players and client keys per EVENT_AUDIENCE; a user's own events to it. */
function targetsOf(e: ClaimedEvent): string[] {
  const audience = EVENT_AUDIENCE[e.envelope.event as EventName] ?? [];
  const rooms: string[] = [];
  for (const a of audience) {
    if (a === 'self') {
      const userId = (e.envelope.data as { userId?: number }).userId;
      if (typeof userId === 'number') rooms.push(userRoom(userId));
    } else rooms.push(ROOM[a]);
  }
  return rooms;
}

/**
 * The one Socket.IO gateway: authenticates handshakes, puts each socket in the rooms its caller may hear, and
 * emits outbox events after they commit. Services never touch the socket server; they write events.
 * With REDIS_URL the Redis Streams adapter carries emits to every node and keeps connection-state recovery
 * working across them; each event is claimed by one node's dispatcher, so it is emitted once cluster-wide.
 */
export async function createRealtimeGateway(httpServer: HttpServer, opts: RealtimeOptions) {
  const { log } = opts;
  let redis: RedisClient | undefined;
  let adapter: ReturnType<typeof createAdapter> | undefined;
  if (opts.redisUrl) {
    redis = await connectRedis(opts.redisUrl, log, { waitMs: opts.redisWaitMs ?? 0, purpose: 'socket.io' });
    adapter = createAdapter(redis, { streamName: `${opts.redisPrefix}:socket.io`, sessionKeyPrefix: `${opts.redisPrefix}:sio:session:` });
  }

  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(httpServer, {
    path: '/socket.io',
    transports: ['websocket', 'polling'],
    maxHttpBufferSize: 64 * 1024,
    pingInterval: 20_000,
    pingTimeout: 20_000,
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: false },
    ...(adapter ? { adapter } : {}),
  });

  const socketsPerCredential = new Map<string, number>();
  const connectionsPerIp = new Map<string, { n: number; resetAt: number }>();

  io.use((socket, next) => {
    const ip = (opts.trustProxy ? String(socket.handshake.headers['x-forwarded-for'] ?? '').split(',')[0].trim() : '') || socket.handshake.address;
    const now = Date.now();
    const bucket = connectionsPerIp.get(ip);
    if (!bucket || bucket.resetAt <= now) {
      if (connectionsPerIp.size > 50_000) connectionsPerIp.clear();
      connectionsPerIp.set(ip, { n: 1, resetAt: now + 10_000 });
    } else if (++bucket.n > opts.connectionsPerIpPer10s) {
      return next(new Error('rate_limited'));
    }
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) return next(new Error('unauthorized'));
    opts
      .authenticate(token)
      .then((principal) => {
        if (!principal) return next(new Error('unauthorized'));
        const credential = principalLabel(principal);
        if ((socketsPerCredential.get(credential) ?? 0) >= opts.maxSocketsPerCredential) return next(new Error('too_many_connections'));
        socket.data.principal = principal;
        socket.data.credential = credential;
        next();
      })
      .catch((err: unknown) => {
        log.error({ err }, 'socket authentication failed');
        next(new Error('unauthorized'));
      });
  });

  io.on('connection', (socket: GatrixSocket) => {
    const { credential, principal } = socket.data;
    socketsPerCredential.set(credential, (socketsPerCredential.get(credential) ?? 0) + 1);
    // A recovered socket keeps its rooms; joining again is harmless.
    void socket.join(roomsOf(principal));
    socket.on('subscribe', (request, ack) => {
      const wanted = new Set((Array.isArray(request?.events) ? request.events : []).filter((e): e is string => typeof e === 'string' && SOCKET_EVENTS.has(e)));
      for (const name of SOCKET_EVENTS) {
        if (wanted.size > 0 && !wanted.has(name)) void socket.join(mutedRoom(name));
        else void socket.leave(mutedRoom(name));
      }
      if (typeof ack === 'function') ack({ events: wanted.size > 0 ? [...wanted] : [...SOCKET_EVENTS] });
    });
    socket.on('disconnect', () => {
      const n = (socketsPerCredential.get(credential) ?? 1) - 1;
      if (n <= 0) socketsPerCredential.delete(credential);
      else socketsPerCredential.set(credential, n);
    });
  });

  const stats = { emitted: 0 };

  /** Dispatcher consumer: emits each committed event, in outbox order, to the rooms that may hear it. */
  const consumer: DispatchConsumer = {
    committed(events) {
      for (const e of events) {
        const name = EVENT_CATALOG[e.envelope.event as EventName]?.socketEvent;
        const rooms = targetsOf(e);
        if (!name || rooms.length === 0) continue;
        const payload = { ...(e.envelope.data as object), eventId: e.envelope.id, timestamp: e.envelope.timestamp };
        (io.to(rooms).except(mutedRoom(name)) as { emit(ev: string, data: unknown): boolean }).emit(name, payload);
        stats.emitted++;
      }
    },
  };

  return {
    io,
    consumer,
    stats,
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
