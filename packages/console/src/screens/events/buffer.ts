/**
 * The live event tail's state: a bounded buffer (newest first), a pause that holds new events back while the
 * operator reads, filters, and where each event's entity lives in the console. Pure: test/events-buffer.test.ts.
 */
import type { LiveEvent } from '../../lib/live.ts';

/** At most this many events are kept (shown and held back together); older ones drop off. */
export const MAX_EVENTS = 1000;

export interface TailEvent extends LiveEvent {
  /** Arrival order, unique within the page's life. */
  seq: number;
  receivedAt: number;
}

export interface Tail {
  /** Shown, newest first. */
  shown: TailEvent[];
  /** Arrived while paused, newest first; shown on resume. */
  held: TailEvent[];
  paused: boolean;
}

export const emptyTail: Tail = { shown: [], held: [], paused: false };

export function add(tail: Tail, event: TailEvent): Tail {
  if (tail.paused) {
    const held = [event, ...tail.held].slice(0, MAX_EVENTS);
    return { ...tail, held, shown: tail.shown.slice(0, MAX_EVENTS - held.length) };
  }
  return { ...tail, shown: [event, ...tail.shown].slice(0, MAX_EVENTS) };
}

export function pause(tail: Tail): Tail {
  return tail.paused ? tail : { ...tail, paused: true };
}

export function resume(tail: Tail): Tail {
  return { shown: [...tail.held, ...tail.shown].slice(0, MAX_EVENTS), held: [], paused: false };
}

export interface EventFilter {
  /** An event name, or a prefix ending in `_*` (`world_*`). */
  type?: string;
  /** A world's worldId or numeric id. */
  world?: string;
  /** A user's id or username. */
  user?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** The world an event is about: its numeric id and worldId. */
export function worldOf(e: LiveEvent): { id?: string; worldId?: string } | undefined {
  if (!e.name.startsWith('world_')) return undefined;
  const world = obj(e.data.world);
  return { id: str(e.data.id) ?? str(world?.id), worldId: str(e.data.worldId) ?? str(world?.worldId) };
}

/** The user an event is about: id and username. */
export function userOf(e: LiveEvent): { id?: string; username?: string } | undefined {
  if (!e.name.startsWith('user_')) return undefined;
  const user = obj(e.data.user);
  return { id: str(e.data.userId) ?? str(user?.id), username: str(e.data.username) ?? str(user?.username) };
}

export function matches(e: LiveEvent, f: EventFilter): boolean {
  if (f.type) {
    if (f.type.endsWith('*') ? !e.name.startsWith(f.type.slice(0, -1)) : e.name !== f.type) return false;
  }
  if (f.world) {
    const w = worldOf(e);
    if (!w || (w.id !== f.world && w.worldId?.toLowerCase() !== f.world.toLowerCase())) return false;
  }
  if (f.user) {
    const u = userOf(e);
    if (!u || (u.id !== f.user && u.username?.toLowerCase() !== f.user.toLowerCase())) return false;
  }
  return true;
}

export type EntityLink =
  | { to: '/users/$id' | '/worlds/$id' | '/webhooks/$id'; id: string }
  | { to: '/maintenance' | '/client-versions' | '/whitelist' | '/notices'; id?: undefined };

/** Where the console shows the entity an event is about, if anywhere. */
export function entityOf(e: LiveEvent): EntityLink | undefined {
  const user = userOf(e);
  if (user?.id && e.name !== 'user_deleted') return { to: '/users/$id', id: user.id };
  const world = worldOf(e);
  if (world?.id && e.name !== 'world_deleted') return { to: '/worlds/$id', id: world.id };
  if (e.name.startsWith('webhook_') && str(e.data.webhookId)) return { to: '/webhooks/$id', id: str(e.data.webhookId)! };
  if (e.name.startsWith('maintenance_')) return { to: '/maintenance' };
  if (e.name.startsWith('client_version_')) return { to: '/client-versions' };
  if (e.name.startsWith('whitelist_')) return { to: '/whitelist' };
  if (e.name.startsWith('notice_')) return { to: '/notices' };
  return undefined;
}

/** A short, human line for the row: the name or id of what the event is about. */
export function subjectOf(e: LiveEvent): string {
  const user = userOf(e);
  if (user) return user.username ? `${user.username} (#${user.id ?? '?'})` : `#${user.id ?? '?'}`;
  const world = worldOf(e);
  if (world) return world.worldId ?? `#${world.id ?? '?'}`;
  const entry = obj(e.data.entry);
  if (entry) return [str(e.data.change), str(entry.type), str(entry.value)].filter(Boolean).join(' · ');
  const cv = obj(e.data.clientVersion);
  if (cv) return [str(cv.channel), str(cv.version)].filter(Boolean).join(' ');
  if (str(e.data.webhookId)) return `#${str(e.data.webhookId)} ${str(e.data.url) ?? ''}`.trim();
  if (str(e.data.message)) return str(e.data.message)!;
  return '';
}

/** Whether the tail has this event (by its `eventId`) already. */
export function has(tail: Tail, eventId: string | undefined): boolean {
  return eventId !== undefined && (tail.shown.some((e) => e.data.eventId === eventId) || tail.held.some((e) => e.data.eventId === eventId));
}

/**
 * Adds events that happened earlier (history from the event feed, oldest first) where they belong by time among
 * those shown, leaving the order of those already there alone; events the tail has already are skipped.
 */
export function insertEarlier(tail: Tail, events: TailEvent[]): Tail {
  const shown = [...tail.shown];
  const ids = new Set([...tail.shown, ...tail.held].map((e) => e.data.eventId));
  // Newest first, so events of the same millisecond keep their order (each goes below the ones before it).
  for (const e of [...events].reverse()) {
    if (ids.has(e.data.eventId)) continue;
    ids.add(e.data.eventId);
    const at = e.data.timestamp ?? '';
    const i = shown.findIndex((s) => (s.data.timestamp ?? '') < at);
    shown.splice(i === -1 ? shown.length : i, 0, e);
  }
  return { ...tail, shown: shown.slice(0, MAX_EVENTS - tail.held.length) };
}
