/**
 * Maintenance windows, shared by game worlds and global maintenance. A row holds what operators asked for
 * (`maintenance_enabled`, message, window) and what is in effect (`maintenance`). A transition moves the
 * second to follow the first; it is claimed with one conditional UPDATE, so however many nodes run the
 * scheduler, each start and each end happens — and fires its event — exactly once.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import { checkWindow, isoOrNull, parseJson, toBool } from '../../db/columns.ts';
import type { Database, MaintenanceColumns } from '../../db/schema.ts';
import { ValidationError } from '../../core/errors.ts';
import type { MaintenanceWindowPayload } from './events.ts';
import type { MaintenanceInput } from './schemas.ts';
import { type MessagesMap } from '../../core/fields.ts';

export type MaintenanceTable = 'game_worlds' | 'global_maintenance';
export type Transition = 'started' | 'ended';

/** Column values for a maintenance request, validated against the current time. */
export function maintenanceColumns(input: MaintenanceInput, current: MaintenanceColumns, now: Date): MaintenanceColumns {
  if (!input.enabled) {
    return { ...current, maintenance_enabled: 0, maintenance_starts_at: null, maintenance_ends_at: null };
  }
  const message = input.message === undefined ? current.maintenance_message : input.message;
  const messages = input.messages ?? parseJson<MessagesMap>(current.maintenance_messages, {});
  if (!message && Object.keys(messages).length === 0) {
    throw new ValidationError('message', 'is required when enabling maintenance (or give messages)');
  }
  const startsAt = isoOrNull(input.startsAt);
  const endsAt = isoOrNull(input.endsAt);
  checkWindow(startsAt, endsAt);
  if (endsAt && endsAt <= now.toISOString()) throw new ValidationError('endsAt', 'must be in the future');
  return {
    maintenance: current.maintenance,
    maintenance_enabled: 1,
    maintenance_message: message,
    maintenance_messages: JSON.stringify(messages),
    maintenance_starts_at: startsAt,
    maintenance_ends_at: endsAt,
  };
}

type Eb = ExpressionBuilder<Database, MaintenanceTable>;

/** SQL: maintenance ought to be in effect at `now`. */
function shouldBeActive(eb: Eb, now: string) {
  return eb.and([
    eb('maintenance_enabled', '=', 1),
    eb.or([eb('maintenance_starts_at', 'is', null), eb('maintenance_starts_at', '<=', now)]),
    eb.or([eb('maintenance_ends_at', 'is', null), eb('maintenance_ends_at', '>', now)]),
  ]);
}

function dueToStart(eb: Eb, now: string) {
  return eb.and([eb('maintenance', '=', 0), shouldBeActive(eb, now)]);
}

function dueToEnd(eb: Eb, now: string) {
  return eb.and([eb('maintenance', '=', 1), eb.not(shouldBeActive(eb, now))]);
}

/** Ids of rows with a transition due at `now`. */
export async function dueIds(db: Kysely<Database>, table: MaintenanceTable, now: Date): Promise<number[]> {
  const t = now.toISOString();
  const rows = await (db as Kysely<Database>)
    .selectFrom(table as 'game_worlds')
    .select('id')
    .where((eb) => eb.or([dueToStart(eb, t), dueToEnd(eb, t)]))
    .execute();
  return rows.map((r) => Number(r.id));
}

/** Applies the transition due for one row, if any; returns which one this caller claimed. */
export async function applyDueTransition(trx: Kysely<Database>, table: MaintenanceTable, id: number, now: Date): Promise<Transition | undefined> {
  const t = now.toISOString();
  const started = await trx
    .updateTable(table as 'game_worlds')
    .set({ maintenance: 1, updated_at: t })
    .where('id', '=', id)
    .where((eb) => dueToStart(eb, t))
    .executeTakeFirst();
  if (Number(started.numUpdatedRows) === 1) return 'started';
  const ended = await trx
    .updateTable(table as 'game_worlds')
    .set((eb) => ({
      maintenance: 0,
      // A window that ran out is over; a window moved to the future stays asked for.
      maintenance_enabled: eb
        .case()
        .when(eb.and([eb('maintenance_ends_at', 'is not', null), eb('maintenance_ends_at', '<=', t)]))
        .then(0)
        .else(eb.ref('maintenance_enabled'))
        .end(),
      updated_at: t,
    }))
    .where('id', '=', id)
    .where((eb) => dueToEnd(eb, t))
    .executeTakeFirst();
  return Number(ended.numUpdatedRows) === 1 ? 'ended' : undefined;
}

export function windowPayload(c: MaintenanceColumns): MaintenanceWindowPayload {
  return {
    message: c.maintenance_message,
    messages: parseJson<MessagesMap>(c.maintenance_messages, {}),
    startsAt: c.maintenance_starts_at,
    endsAt: c.maintenance_ends_at,
  };
}

export const isActive = (c: MaintenanceColumns): boolean => toBool(c.maintenance);
