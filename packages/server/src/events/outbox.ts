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
  const at = clock.now();
  const envelope: EventEnvelope<E> = { id: newEventId(at), event, timestamp: at.toISOString(), data };
  markEventsWritten(trx);
  await trx
    .insertInto('outbox_events')
    .values({ id: envelope.id, type: event, payload: JSON.stringify(envelope), created_at: envelope.timestamp, dispatched_at: null })
    .execute();
  return envelope;
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
