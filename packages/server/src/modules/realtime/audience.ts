/**
 * Who hears which event on the live stream. An event goes to the callers whose REST permission reads the same
 * data (a server key, which may not read users, hears no user events), plus two audiences REST has no
 * permission for: `self`, a user hearing events about its own account, and `players`, signed-in players
 * hearing world and maintenance changes (what the game-client API tells game clients anyway).
 */
import { SOCKET_EVENTS, type EventName } from '../../events/catalog.ts';
import { allows, type Permission, type Principal } from '../../core/permissions.ts';

export type Listener = Permission | 'self' | 'players';

const WORLD: readonly Listener[] = ['ops.read', 'client.read', 'players'];
const USER: readonly Listener[] = ['users.read', 'self'];
/** Client versions and notices: what game clients read through the game-client API, but not players before it is served. */
const CLIENT_VERSION: readonly Listener[] = ['ops.read', 'client.read'];

export const EVENT_AUDIENCE: Record<EventName, readonly Listener[]> = {
  'user.created': USER,
  'user.updated': USER,
  'user.deleted': USER,
  'user.login': USER,
  'world.created': WORLD,
  'world.updated': WORLD,
  'world.deleted': WORLD,
  'world.maintenance_started': WORLD,
  'world.maintenance_ended': WORLD,
  // Instance addresses are for operators and game servers, not for game clients.
  'world.instance_up': ['ops.read'],
  'world.instance_down': ['ops.read'],
  'maintenance.started': WORLD,
  'maintenance.ended': WORLD,
  'maintenance.updated': WORLD,
  'client_version.created': CLIENT_VERSION,
  'client_version.updated': CLIENT_VERSION,
  'client_version.deleted': CLIENT_VERSION,
  'whitelist.updated': ['ops.read'],
  'notice.created': CLIENT_VERSION,
  'notice.updated': CLIENT_VERSION,
  'notice.deleted': CLIENT_VERSION,
  'webhook.test': [],
  'webhook.disabled': ['webhooks.read'],
};

/** Socket.IO name → catalog name, for the events the live stream carries (kept by the catalog as features register). */
export { SOCKET_EVENTS };

const LIVE_PERMISSIONS = [...new Set(Object.values(EVENT_AUDIENCE).flat())].filter((l): l is Permission => l !== 'self' && l !== 'players');

const permissionRoom = (p: Permission) => `can:${p}`;
export const userRoom = (id: number) => `user:${id}`;
export const keyRoom = (id: number) => `key:${id}`;
const PLAYERS = 'players';

/** The rooms a caller listens in, from what it may do now. */
export function roomsOf(p: Principal): string[] {
  const rooms = LIVE_PERMISSIONS.filter((perm) => allows(perm, p)).map(permissionRoom);
  if (p.kind === 'apiKey') return [...rooms, keyRoom(p.keyId)];
  return [...rooms, ...(p.role === 'player' ? [PLAYERS] : []), userRoom(p.userId)];
}

const userIdIn = (data: unknown) => (data as { userId?: unknown } | null)?.userId;

/** The rooms an event goes to. */
export function targetsOf(event: EventName, data: unknown): string[] {
  return EVENT_AUDIENCE[event].flatMap((l) => {
    if (l === 'players') return [PLAYERS];
    if (l !== 'self') return [permissionRoom(l)];
    const id = userIdIn(data);
    return typeof id === 'number' ? [userRoom(id)] : [];
  });
}

/**
 * The same rule as rooms, for one event: whether `p` may hear it (recovered packets and the HTTP event feed are
 * checked with it).
 */
export function mayHear(p: Principal, event: EventName, data: unknown): boolean {
  return EVENT_AUDIENCE[event].some((l) => {
    if (l === 'players') return p.kind === 'user' && p.role === 'player';
    if (l === 'self') return p.kind === 'user' && userIdIn(data) === p.userId;
    return allows(l, p);
  });
}

/** Whether `p` may hear some events of this type: every one, or (`self`) those about its own account. */
export function mayHearSome(p: Principal, event: EventName): boolean {
  return mayHear(p, event, p.kind === 'user' ? { userId: p.userId } : null);
}
