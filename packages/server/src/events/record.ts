import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { Actor } from '../core/permissions.ts';
import type { Database } from '../db/schema.ts';
import { writeAudit, type AuditTargetType } from './audit-log.ts';
import type { EventName, EventPayloads } from './catalog.ts';
import { writeEvent } from './outbox.ts';

/** One outbox event: its name and the payload the catalog gives that name. */
export type OutboxEvent = { [E in EventName]: { name: E; data: EventPayloads[E] } }[EventName];

export interface Change {
  /** The audit entry's time; the clock's now when left out. Each event takes its own time from the clock. */
  at?: string;
  actor: Actor;
  /** The audit action, e.g. `user.update`. */
  action: string;
  target: { type: AuditTargetType; id?: string | number | null };
  /** The target's public representation before and after (see AuditEntry). */
  before?: unknown;
  after?: unknown;
  /** What the change announces: none, one, or several events, written after the audit entry in this order. */
  event?: OutboxEvent | readonly OutboxEvent[];
}

/**
 * Records a change on the caller's transaction handle: its audit entry, then its outbox events, so they exist
 * exactly when the change commits (docs/decisions/0003-outbox.md). Caches hear of the change after the commit,
 * through the change feed (changes.ts).
 */
export async function recordChange(trx: Kysely<Database>, clock: Clock, change: Change): Promise<void> {
  const { actor, action, target, before, after } = change;
  await writeAudit(trx, change.at ?? clock.now().toISOString(), actor, { action, targetType: target.type, targetId: target.id, before, after });
  const events: readonly OutboxEvent[] = change.event === undefined ? [] : Array.isArray(change.event) ? change.event : [change.event as OutboxEvent];
  for (const e of events) await writeEvent(trx, clock, e.name, e.data);
}
