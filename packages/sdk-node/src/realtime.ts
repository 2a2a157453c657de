import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { Transport } from './core.js';
import type { ClientToServerEvents, ServerToClientEvents } from './generated/events.js';

/** A Socket.IO client whose event names and payloads are the server's (src/generated/events.ts). */
export type GatrixSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A Socket.IO event name Gatrix emits: `user_registered`, `world_maintenance_started`, … */
export type SocketEventName = Exclude<keyof ServerToClientEvents, 'server_shutdown'>;

export interface RealtimeConnectOptions extends Partial<ManagerOptions & SocketOptions> {
  /** Hear only these events (sent as `subscribe` on every (re)connection); default: all the credential may see. */
  events?: SocketEventName[];
}

/** Live events over Socket.IO on the API's own host and port. */
export class Realtime {
  constructor(private readonly transport: Transport) {}

  /**
   * Opens a socket authenticated with the client's credential (`auth: { token }`, read again on every
   * reconnection, so a token function can refresh it), over WebSocket, reconnecting by itself. Each call opens
   * its own connection. A bad credential fails with `connect_error` "unauthorized".
   */
  connect(options: RealtimeConnectOptions = {}): GatrixSocket {
    const { events, ...socketOptions } = options;
    const base = new URL(this.transport.baseURL);
    const socket: GatrixSocket = io(base.origin, {
      path: `${base.pathname.replace(/\/+$/, '')}/socket.io`,
      transports: ['websocket'],
      reconnection: true,
      forceNew: true,
      auth: (cb) => {
        this.transport.token().then(
          (token) => cb({ token }),
          () => cb({ token: undefined }),
        );
      },
      ...socketOptions,
    });
    if (events) socket.on('connect', () => socket.emit('subscribe', { events }));
    return socket;
  }
}
