/**
 * The event catalog (DESIGN.md §5): webhook name, Socket.IO name and payload type of every event.
 * Later capabilities (webhooks, realtime) consume the outbox using these names.
 */
import type { PublicUser } from '../modules/users/schemas.ts';

export interface EventPayloads {
  'user.created': { userId: number; user: PublicUser };
  'user.updated': { userId: number; user: PublicUser; changes: Record<string, { from: unknown; to: unknown }> };
  'user.deleted': { userId: number; user: PublicUser };
  'user.login': { userId: number; username: string; ip: string | null; at: string };
}

export type EventName = keyof EventPayloads;

export interface EventDefinition {
  socketEvent: string;
  description: string;
}

export const EVENT_CATALOG: Record<EventName, EventDefinition> = {
  'user.created': { socketEvent: 'user_registered', description: 'A user account was created.' },
  'user.updated': { socketEvent: 'user_updated', description: 'A user account changed; `changes` lists each field from → to.' },
  'user.deleted': { socketEvent: 'user_deleted', description: 'A user account was deleted.' },
  'user.login': { socketEvent: 'user_login', description: 'A user signed in.' },
};

/** The webhook body, exactly (DESIGN.md §5). */
export interface EventEnvelope<E extends EventName = EventName> {
  id: string;
  event: E;
  timestamp: string;
  data: EventPayloads[E];
}
