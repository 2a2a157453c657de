import type { Kysely } from 'kysely';
import { inTransaction, type AppContext } from '../../context.ts';
import { parseJson, toBool } from '../../db/columns.ts';
import type { Database, GlobalMaintenanceTable } from '../../db/schema.ts';
import { checkIfMatch } from '../../core/etag.ts';
import type { ChangeFeed } from '../../events/changes.ts';
import { recordChange } from '../../events/record.ts';
import type { MaintenanceInput, PublicGlobalMaintenance } from './schemas.ts';
import { applyDueTransition, dueIds, maintenanceColumns, windowPayload, type Transition } from './window.ts';
import { SYSTEM_ACTOR, type Actor } from '../../core/permissions.ts';
import { type MessagesMap } from '../../core/fields.ts';

const ID = 1;

function toPublic(r: GlobalMaintenanceTable): PublicGlobalMaintenance {
  return {
    enabled: toBool(r.maintenance_enabled),
    active: toBool(r.maintenance),
    message: r.maintenance_message,
    messages: parseJson<MessagesMap>(r.maintenance_messages, {}),
    startsAt: r.maintenance_starts_at,
    endsAt: r.maintenance_ends_at,
    updatedAt: r.updated_at,
  };
}

/** Whether anything a listener holds changed: the switch, the window or a message (not just updatedAt). */
function windowChanged(a: PublicGlobalMaintenance, b: PublicGlobalMaintenance): boolean {
  const { updatedAt: _a, ...x } = a;
  const { updatedAt: _b, ...y } = b;
  return JSON.stringify(x) !== JSON.stringify(y);
}

async function load(db: Kysely<Database>): Promise<GlobalMaintenanceTable> {
  return db.selectFrom('global_maintenance').selectAll().where('id', '=', ID).executeTakeFirstOrThrow();
}

declare module '../../events/changes.ts' {
  interface ChangeTopics {
    /** Global maintenance changed (the game-client API's snapshot). */
    maintenance: Record<string, never>;
  }
}

/** Global maintenance: one row, the same window rules as a game world's. */
export function createMaintenanceService(ctx: AppContext, changes: ChangeFeed) {
  const { db, clock } = ctx;
  const changed = () => changes.publish('maintenance', {});

  async function transition(trx: Kysely<Database>, now: Date, actor: Actor): Promise<Transition | undefined> {
    const t = await applyDueTransition(trx, 'global_maintenance', ID, now);
    if (!t) return undefined;
    const row = await load(trx);
    await recordChange(trx, clock, {
      at: now.toISOString(),
      actor,
      action: `maintenance.${t}`,
      target: { type: 'maintenance' },
      after: toPublic(row),
      event: { name: t === 'started' ? 'maintenance.started' : 'maintenance.ended', data: windowPayload(row) },
    });
    return t;
  }

  return {
    async get(): Promise<PublicGlobalMaintenance> {
      return toPublic(await load(db));
    },

    async set(input: MaintenanceInput, actor: Actor, ifMatch?: string): Promise<PublicGlobalMaintenance> {
      const now = clock.now();
      const result = await inTransaction(db, async (trx) => {
        const row = await load(trx);
        const before = toPublic(row);
        checkIfMatch(ifMatch, before);
        await trx
          .updateTable('global_maintenance')
          .set({ ...maintenanceColumns(input, row, now), updated_at: now.toISOString() })
          .where('id', '=', ID)
          .execute();
        const moved = await transition(trx, now, actor);
        const afterRow = await load(trx);
        const after = toPublic(afterRow);
        // A change that neither starts nor ends maintenance (a window scheduled or moved, a message edited) still
        // reaches listeners: caches of game servers hold the next window and its messages.
        const updated = !moved && windowChanged(before, after);
        await recordChange(trx, clock, {
          at: now.toISOString(),
          actor,
          action: 'maintenance.update',
          target: { type: 'maintenance' },
          before,
          after,
          ...(updated ? { event: { name: 'maintenance.updated' as const, data: windowPayload(afterRow) } } : {}),
        });
        return after;
      });
      changed();
      return result;
    },

    async runDueTransitions(): Promise<number> {
      const now = clock.now();
      if ((await dueIds(db, 'global_maintenance', now)).length === 0) return 0;
      const t = await inTransaction(db, (trx) => transition(trx, now, SYSTEM_ACTOR));
      if (t) changed();
      return t ? 1 : 0;
    },
  };
}

export type MaintenanceService = ReturnType<typeof createMaintenanceService>;
