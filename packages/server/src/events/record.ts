import type { Kysely } from 'kysely';
import { inTransaction } from '../context.ts';
import { iso, type Clock } from '../core/clock.ts';
import { checkIfMatch } from '../core/etag.ts';
import type { Actor } from '../core/permissions.ts';
import type { Database } from '../db/schema.ts';
import { writeAudit, type AuditTargetType } from './audit-log.ts';
import type { EventName, EventPayloads } from './catalog.ts';
import { writeEvents } from './outbox.ts';

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
  await writeEvents(trx, clock, events);
}

/**
 * Writes in one transaction and records the change `work` returns with its result (the audit entry's `at`, when
 * left out, is when this was called); a throw anywhere rolls all of it back. After the commit, runs afterCommit.
 */
async function recorded<After>(
  db: Kysely<Database>,
  clock: Clock,
  work: (trx: Kysely<Database>) => Promise<{ result: After; change: Change }>,
  afterCommit?: (after: After) => void,
): Promise<After> {
  const at = iso(clock);
  const result = await inTransaction(db, async (trx) => {
    const done = await work(trx);
    await recordChange(trx, clock, { at, ...done.change });
    return done.result;
  });
  afterCommit?.(result);
  return result;
}

/** A change that creates its target. */
export interface NewChange<After> {
  /** Writes the target on the transaction and returns it (or what the caller needs). */
  write(trx: Kysely<Database>): Promise<After>;
  /** The change to record, once written; its `at`, when left out, is when createNew was called. */
  record(after: After): Change;
  /** Runs after the commit, with what `write` returned: where the change feed hears of it. */
  afterCommit?(after: After): void;
}

/** Creates a target in one transaction and records the change; after the commit, runs afterCommit and returns what `write` returned. */
export function createNew<After>(db: Kysely<Database>, clock: Clock, change: NewChange<After>): Promise<After> {
  return recorded(
    db,
    clock,
    async (trx) => {
      const result = await change.write(trx);
      return { result, change: change.record(result) };
    },
    change.afterCommit,
  );
}

/** The existing target of an update or delete: how to read it, and the 404 when there is none. */
export interface Existing<Row, Before> {
  /** Reads it on the transaction; undefined when there is none. */
  load(trx: Kysely<Database>): Promise<Row | undefined>;
  notFound(): Error;
  /** Its public representation, which If-Match and `before` are about; the loaded value itself when left out. */
  view?(row: Row): Before;
}

/** What an update or delete does to the target it loaded. */
export interface ChangeOfExisting<Row, Before, After> {
  /** Makes the change on the transaction and returns the result (usually the target after it). */
  write(trx: Kysely<Database>, before: Before, row: Row): Promise<After>;
  /** The change to record, once written; its `at`, when left out, is when changeExisting was called. */
  record(before: Before, after: After): Change;
  /** Runs after the commit, with what `write` returned: where the change feed hears of it. */
  afterCommit?(after: After): void;
}

/**
 * Changes an existing target in one transaction: loads it (notFound when missing), answers 412 unless `ifMatch`
 * matches it, writes, and records the change. After the commit, runs afterCommit and returns what `write` returned.
 */
export function changeExisting<Row, Before = Row, After = void>(
  db: Kysely<Database>,
  clock: Clock,
  target: Existing<Row, Before>,
  ifMatch: string | undefined,
  change: ChangeOfExisting<Row, Before, After>,
): Promise<After> {
  return recorded(
    db,
    clock,
    async (trx) => {
      const row = await target.load(trx);
      if (!row) throw target.notFound();
      const before = target.view ? target.view(row) : (row as unknown as Before);
      checkIfMatch(ifMatch, before);
      const result = await change.write(trx, before, row);
      return { result, change: change.record(before, result) };
    },
    change.afterCommit,
  );
}
