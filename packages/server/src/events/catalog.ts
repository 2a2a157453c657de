/**
 * The event catalog (docs/webhooks.md, docs/realtime.md): webhook name, Socket.IO name, payload type and example
 * of every event. The catalog names no feature: each feature declares its own events in
 * `modules/<feature>/events.ts` — their payload types and Socket.IO names by declaration merging into
 * `EventPayloads` and `EventSocketNames` below, their description, payload schema and example by a
 * `registerEvents(...)` call when the file loads. The composition root (src/app/events.ts) loads every feature's
 * events file before anything reads the catalog. Later capabilities (webhooks, realtime) consume the outbox
 * using these names.
 */
import type { TSchema } from '@sinclair/typebox';

/**
 * The payload (`data`) of each event, by webhook name. Empty here: each feature adds its events with
 * `declare module '../../events/catalog.ts' { interface EventPayloads { 'user.created': …; } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EventPayloads {}

/** The Socket.IO name of each event (null for events that only webhooks receive), merged the same way. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EventSocketNames {}

export type EventName = keyof EventPayloads;

/** What a feature registers for one event. */
export interface EventRegistration<E extends EventName = EventName> {
  /** The Socket.IO event name; null for events that only webhooks receive. */
  socketEvent: EventSocketNames[E & keyof EventSocketNames];
  description: string;
  /** JSON Schema of the payload; its static type must fit the declared payload type. */
  payload: TSchema & { static: EventPayloads[E] };
  /** One example payload, shown by GET /api/v1/event-types. */
  example: EventPayloads[E];
}

export interface EventDefinition {
  /** The Socket.IO event name; null for events that only webhooks receive. */
  socketEvent: string | null;
  description: string;
}

type CatalogEntry<E extends EventName> = { readonly socketEvent: EventSocketNames[E & keyof EventSocketNames]; readonly description: string };

/** The time every example payload shows (createdAt, updatedAt, a maintenance window's start, …). */
export const EXAMPLE_TIME = '2026-01-01T00:00:00.000Z';

/** Every registered event's Socket.IO name and description, in registration order. */
export const EVENT_CATALOG = {} as { readonly [E in EventName]: CatalogEntry<E> };

/** Every registered event's example payload. */
export const EVENT_EXAMPLES = {} as { readonly [E in EventName]: EventPayloads[E] };

/** Every registered event's payload schema. */
export const EVENT_SCHEMAS = {} as { readonly [E in EventName]: TSchema };

/** The registered event names, in registration order. */
export const EVENT_NAMES: EventName[] = [];

/** Socket.IO name → catalog name, for the events the live stream carries. */
export const SOCKET_EVENTS: ReadonlyMap<string, EventName> = new Map<string, EventName>();

/**
 * Adds a feature's events to the catalog. Each name is registered once: registering a name (or a Socket.IO
 * name) again throws, so two features cannot claim the same event.
 */
export function registerEvents(events: { [E in EventName]?: EventRegistration<E> }): void {
  const entries = Object.entries(events) as [EventName, EventRegistration][];
  for (const [name, e] of entries) {
    if (Object.hasOwn(EVENT_CATALOG, name)) throw new Error(`event ${name} is registered twice`);
    if (e.socketEvent !== null && SOCKET_EVENTS.has(e.socketEvent)) {
      throw new Error(`Socket.IO event ${e.socketEvent} (${name}) is registered twice`);
    }
  }
  for (const [name, e] of entries) {
    (EVENT_CATALOG as Record<string, EventDefinition>)[name] = { socketEvent: e.socketEvent, description: e.description };
    (EVENT_EXAMPLES as Record<string, unknown>)[name] = e.example;
    (EVENT_SCHEMAS as Record<string, TSchema>)[name] = e.payload;
    EVENT_NAMES.push(name);
    if (e.socketEvent !== null) (SOCKET_EVENTS as Map<string, EventName>).set(e.socketEvent, name);
  }
}

type SocketNameOf<E extends EventName> = EventSocketNames[E & keyof EventSocketNames];

/** What a Socket.IO handler receives: the event's data plus its id and time. */
export type SocketPayload<E extends EventName> = EventPayloads[E] & { eventId: string; timestamp: string };

/** The typed Socket.IO event map, shared by the server gateway and the Node SDK. */
export type ServerToClientEvents = {
  [E in EventName as NonNullable<SocketNameOf<E>> & string]: (data: SocketPayload<E>) => void;
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

/** The webhook body, exactly as docs/webhooks.md shows it. */
export interface EventEnvelope<E extends EventName = EventName> {
  id: string;
  event: E;
  timestamp: string;
  data: EventPayloads[E];
}
