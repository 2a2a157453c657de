/**
 * The event catalog (docs/webhooks.md, docs/realtime.md): webhook name, Socket.IO name and payload type of every event.
 * Later capabilities (webhooks, realtime) consume the outbox using these names.
 */
import type { PublicClientVersion } from '../modules/client-versions/schemas.ts';
import type { PublicUser } from '../modules/users/schemas.ts';
import type { PublicWhitelistEntry } from '../modules/whitelist/schemas.ts';
import type { PublicGameWorld } from '../modules/game-worlds/schemas.ts';
import { type MessagesMap } from '../core/fields.ts';

interface WorldPayload {
  id: number;
  worldId: string;
  world: PublicGameWorld;
}

export interface MaintenanceWindowPayload {
  message: string | null;
  messages: MessagesMap;
  startsAt: string | null;
  endsAt: string | null;
}

export interface EventPayloads {
  'user.created': { userId: number; user: PublicUser };
  'user.updated': { userId: number; user: PublicUser; changes: Record<string, { from: unknown; to: unknown }> };
  'user.deleted': { userId: number; user: PublicUser };
  'user.login': { userId: number; username: string; ip: string | null; at: string };
  'world.created': WorldPayload;
  'world.updated': WorldPayload;
  'world.deleted': WorldPayload;
  'world.maintenance_started': WorldPayload & MaintenanceWindowPayload;
  'world.maintenance_ended': WorldPayload;
  'maintenance.started': MaintenanceWindowPayload;
  'maintenance.ended': MaintenanceWindowPayload;
  'client_version.created': { id: number; clientVersion: PublicClientVersion };
  'client_version.updated': { id: number; clientVersion: PublicClientVersion };
  'client_version.deleted': { id: number; clientVersion: PublicClientVersion };
  'whitelist.updated': { entry: PublicWhitelistEntry; change: 'created' | 'updated' | 'deleted' };
  'webhook.test': { webhookId: number };
  'webhook.disabled': { webhookId: number; url: string; reason: string };
}

export type EventName = keyof EventPayloads;

export interface EventDefinition {
  /** The Socket.IO event name; null for events that only webhooks receive. */
  socketEvent: string | null;
  description: string;
}

export const EVENT_CATALOG = {
  'user.created': { socketEvent: 'user_registered', description: 'A user account was created.' },
  'user.updated': { socketEvent: 'user_updated', description: 'A user account changed; `changes` lists each field from → to.' },
  'user.deleted': { socketEvent: 'user_deleted', description: 'A user account was deleted.' },
  'user.login': { socketEvent: 'user_login', description: 'A user signed in.' },
  'world.created': { socketEvent: 'world_created', description: 'A game world was created.' },
  'world.updated': { socketEvent: 'world_updated', description: 'A game world changed.' },
  'world.deleted': { socketEvent: 'world_deleted', description: 'A game world was deleted.' },
  'world.maintenance_started': { socketEvent: 'world_maintenance_started', description: 'Maintenance of a game world began (now, or at its window start).' },
  'world.maintenance_ended': { socketEvent: 'world_maintenance_ended', description: 'Maintenance of a game world ended.' },
  'maintenance.started': { socketEvent: 'maintenance_started', description: 'Global maintenance began.' },
  'maintenance.ended': { socketEvent: 'maintenance_ended', description: 'Global maintenance ended.' },
  'client_version.created': { socketEvent: 'client_version_created', description: 'A client version was created.' },
  'client_version.updated': { socketEvent: 'client_version_updated', description: 'A client version changed.' },
  'client_version.deleted': { socketEvent: 'client_version_deleted', description: 'A client version was deleted.' },
  'whitelist.updated': { socketEvent: 'whitelist_updated', description: 'A whitelist entry was created, changed or deleted.' },
  'webhook.test': { socketEvent: null, description: 'Sent to one endpoint by POST /webhooks/:id/test.' },
  'webhook.disabled': { socketEvent: 'webhook_disabled', description: 'An endpoint was disabled: it answered 410 Gone, or failed for too long.' },
} as const satisfies Record<EventName, EventDefinition>;

type SocketNameOf<E extends EventName> = (typeof EVENT_CATALOG)[E]['socketEvent'];

/** What a Socket.IO handler receives: the event's data plus its id and time. */
export type SocketPayload<E extends EventName> = EventPayloads[E] & { eventId: string; timestamp: string };

/** The typed Socket.IO event map, shared by the server gateway and the Node SDK. */
export type ServerToClientEvents = {
  [E in EventName as NonNullable<SocketNameOf<E>>]: (data: SocketPayload<E>) => void;
} & {
  /** Sent before a node shuts down: reconnect (the client library does it by itself). */
  server_shutdown: (data: { reconnect: true }) => void;
};

/** What `subscribe` answers: the events now heard, or why the request was refused (nothing changed then). */
export type SubscribeResult = { events: string[] } | { error: 'unknown_events' | 'invalid_request'; message: string; unknown: string[]; valid: string[] };

export interface ClientToServerEvents {
  /** Narrow the stream to these Socket.IO event names (empty or missing: everything the caller may see). */
  subscribe: (request: { events?: string[] }, ack?: (result: SubscribeResult) => void) => void;
}

export const EVENT_NAMES = Object.keys(EVENT_CATALOG) as EventName[];

/** The webhook body, exactly as docs/webhooks.md shows it. */
export interface EventEnvelope<E extends EventName = EventName> {
  id: string;
  event: E;
  timestamp: string;
  data: EventPayloads[E];
}
