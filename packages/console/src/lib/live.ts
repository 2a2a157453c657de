/**
 * Live events (docs/realtime.md): one Socket.IO connection to the same origin, authenticated with the access token
 * (asked again at each reconnection, so a refreshed token is used). Open while signed in, closed on sign-out.
 */
import type { io as ioFunction, Socket } from 'socket.io-client';
import { currentAccessToken, getSession, subscribeSession } from '../auth/session.ts';

export interface LiveEvent {
  /** The Socket.IO event name: user_registered, world_maintenance_started, … (GET /api/v1/event-types). */
  name: string;
  data: Record<string, unknown> & { eventId?: string; timestamp?: string };
}
type Handler = (event: LiveEvent) => void;

/** Which cached API lists an event makes stale: the query keys (the request path) starting with these. */
export const INVALIDATES: { prefix: string; paths: string[] }[] = [
  { prefix: 'user_', paths: ['/api/v1/users'] },
  { prefix: 'world_', paths: ['/api/v1/game-worlds'] },
  { prefix: 'maintenance_', paths: ['/api/v1/maintenance', '/api/v1/game-worlds'] },
  { prefix: 'client_version_', paths: ['/api/v1/client-versions'] },
  { prefix: 'whitelist_', paths: ['/api/v1/whitelist'] },
  { prefix: 'notice_', paths: ['/api/v1/notices'] },
  { prefix: 'webhook_', paths: ['/api/v1/webhooks'] },
];
export function pathsInvalidatedBy(name: string): string[] {
  return INVALIDATES.filter((r) => name.startsWith(r.prefix)).flatMap((r) => r.paths);
}
/** Every path a live event can make stale: all of them are refetched after a reconnection that missed events. */
export const LIVE_PATHS = [...new Set(INVALIDATES.flatMap((r) => r.paths))];

let socket: Socket | undefined;
let connecting = false;
const handlers = new Set<Handler>();
const statusListeners = new Set<(connected: boolean) => void>();
const resyncListeners = new Set<() => void>();

function connect(): void {
  if (socket || connecting) return;
  connecting = true;
  // The Socket.IO client is its own chunk, loaded once signed in.
  void import('socket.io-client')
    .then(({ io }) => {
      connecting = false;
      if (socket || getSession().status !== 'signedIn') return;
      open(io);
    })
    .catch(() => {
      connecting = false;
    });
}

function open(io: typeof ioFunction): void {
  socket = io({
    path: '/socket.io',
    transports: ['websocket', 'polling'],
    auth: (cb) => cb({ token: currentAccessToken() }),
  });
  socket.onAny((name: string, data: LiveEvent['data']) => {
    if (name === 'server_shutdown') return;
    for (const h of handlers) h({ name, data: data ?? {} });
  });
  const status = () => {
    for (const l of statusListeners) l(Boolean(socket?.connected));
  };
  // A reconnection the server could not recover (away too long, or more events missed than it keeps) may have
  // missed events: whatever they would have made stale is refetched.
  let wasConnected = false;
  socket.on('connect', () => {
    if (wasConnected && !socket?.recovered) for (const l of resyncListeners) l();
    wasConnected = true;
    status();
  });
  socket.on('disconnect', (reason) => {
    status();
    // The server ended it (logout, re-role, …): come back once the session is renewed.
    if (reason === 'io server disconnect') {
      socket?.close();
      socket = undefined;
    }
  });
}

function disconnect(): void {
  socket?.close();
  socket = undefined;
  for (const l of statusListeners) l(false);
}

let lastToken: string | undefined;
subscribeSession(() => {
  const s = getSession();
  if (s.status === 'signedIn') {
    const token = currentAccessToken();
    if (!socket && token !== lastToken) connect();
    lastToken = token;
  } else if (s.status === 'signedOut') disconnect();
});

/** Registers a handler for every event the signed-in user may hear; returns the unregister function. */
export function onLiveEvent(handler: Handler): () => void {
  handlers.add(handler);
  if (getSession().status === 'signedIn') connect();
  return () => handlers.delete(handler);
}
/** Registers a listener for reconnections that missed events (not recovered); returns the unregister function. */
export function onLiveResync(listener: () => void): () => void {
  resyncListeners.add(listener);
  return () => resyncListeners.delete(listener);
}
export function onLiveStatus(listener: (connected: boolean) => void): () => void {
  statusListeners.add(listener);
  listener(Boolean(socket?.connected));
  return () => statusListeners.delete(listener);
}
