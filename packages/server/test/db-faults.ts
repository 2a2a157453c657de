/**
 * Fault injection for "nothing half-written" tests: a trigger makes the outbox insert of one event type fail,
 * so a change fails after its row and its audit entry were written in the same transaction.
 */
import { sql } from 'kysely';
import type { Harness } from './helpers.ts';

/** Makes every outbox insert of `eventType` fail until the returned function is called. */
export async function failOutboxInserts(h: Harness, eventType: string): Promise<() => Promise<void>> {
  if (!/^[a-z_.]+$/.test(eventType)) throw new Error(`unexpected event type ${eventType}`);
  const db = h.db.db;
  if (h.kind === 'sqlite') {
    await sql
      .raw(
        `create trigger fail_outbox before insert on outbox_events when new.type = '${eventType}' ` +
          `begin select raise(abort, 'injected outbox failure'); end`,
      )
      .execute(db);
    return async () => {
      await sql.raw('drop trigger fail_outbox').execute(db);
    };
  }
  await sql
    .raw(
      `create function fail_outbox() returns trigger language plpgsql as $$ begin ` +
        `if new.type = '${eventType}' then raise exception 'injected outbox failure'; end if; return new; end $$`,
    )
    .execute(db);
  await sql.raw('create trigger fail_outbox before insert on outbox_events for each row execute function fail_outbox()').execute(db);
  return async () => {
    await sql.raw('drop trigger fail_outbox on outbox_events').execute(db);
    await sql.raw('drop function fail_outbox()').execute(db);
  };
}
