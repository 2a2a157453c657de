import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import { markEventsWritten } from '../context.ts';
import type { Database } from '../db/schema.ts';
import type { EventEnvelope, EventName, EventPayloads } from './catalog.ts';

/** Time-ordered, unguessable event id: `evt_` + 12 hex chars of milliseconds + 16 random hex chars. */
export function newEventId(at: Date): string {
  return `evt_${at.getTime().toString(16).padStart(12, '0')}${randomBytes(8).toString('hex')}`;
}

/**
 * Writes an event into the outbox on the caller's transaction handle, so the event exists exactly when the
 * change it describes commits (docs/decisions/0003-outbox.md).
 */
export async function writeEvent<E extends EventName>(
  trx: Kysely<Database>,
  clock: Clock,
  event: E,
  data: EventPayloads[E],
): Promise<EventEnvelope<E>> {
  const [envelope] = await writeEvents(trx, clock, [{ name: event, data }]);
  return envelope as EventEnvelope<E>;
}

/** Rows per INSERT: a change announcing a thousand events (a reorder of a thousand worlds) stays a few statements. */
const EVENTS_PER_INSERT = 500;

/**
 * Writes events into the outbox in this order, as few INSERTs of many rows (on PostgreSQL each statement is a
 * round trip: a reorder of 100 worlds wrote its events in 100 of them).
 */
export async function writeEvents(
  trx: Kysely<Database>,
  clock: Clock,
  events: readonly { name: EventName; data: EventPayloads[EventName] }[],
): Promise<EventEnvelope[]> {
  const envelopes = events.map(({ name, data }): EventEnvelope => {
    const at = clock.now();
    return { id: newEventId(at), event: name, timestamp: at.toISOString(), data } as EventEnvelope;
  });
  if (envelopes.length === 0) return envelopes;
  markEventsWritten(trx);
  for (let i = 0; i < envelopes.length; i += EVENTS_PER_INSERT) {
    await trx
      .insertInto('outbox_events')
      .values(envelopes.slice(i, i + EVENTS_PER_INSERT).map((e) => ({ id: e.id, type: e.event, payload: JSON.stringify(e), created_at: e.timestamp, dispatched_at: null })))
      .execute();
  }
  return envelopes;
}

export async function readEventsAfter(db: Kysely<Database>, afterSeq: number, limit = 500) {
  const rows = await db
    .selectFrom('outbox_events')
    .select(['seq', 'payload'])
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ seq: Number(r.seq), envelope: JSON.parse(r.payload) as EventEnvelope }));
}
