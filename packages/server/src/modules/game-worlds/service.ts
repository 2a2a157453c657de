import type { Kysely } from 'kysely';
import { iso } from '../../core/clock.ts';
import { inTransaction, type AppContext } from '../../context.ts';
import { rethrowConflict } from '../../db/dialect.ts';
import { patchFrom, toInt, customPayloadColumn } from '../../db/columns.ts';
import type { Database, MaintenanceColumns } from '../../db/schema.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { ChangeFeed } from '../../events/changes.ts';
import { changeExisting, recordChange } from '../../events/record.ts';
import { type MaintenanceInput } from '../maintenance/schemas.ts';
import { applyDueTransition, dueIds, maintenanceColumns, windowPayload, type Transition } from '../maintenance/window.ts';
import type { CreateWorldInput, ListWorldsFilter, PublicGameWorld, UpdateWorldInput } from './schemas.ts';
import { toPublicWorld, worldsStore, type WorldRow } from './store.ts';
import { SYSTEM_ACTOR, type Actor } from '../../core/permissions.ts';
import { page, type Page } from '../../core/paging.ts';


function maintenanceOf(row: WorldRow): MaintenanceColumns {
  return {
    maintenance_enabled: row.maintenance_enabled,
    maintenance: row.maintenance,
    maintenance_message: row.maintenance_message,
    maintenance_messages: row.maintenance_messages,
    maintenance_starts_at: row.maintenance_starts_at,
    maintenance_ends_at: row.maintenance_ends_at,
  };
}

const notFound = (id: number) => new NotFoundError(`Game world ${id}`, 'world_not_found');
/** A world as its updates and deletes find it: the row, and its public representation. */
const existing = (id: number) => ({
  load: (trx: Kysely<Database>) => worldsStore(trx).findRow(id),
  notFound: () => notFound(id),
  view: toPublicWorld,
});

declare module '../../events/changes.ts' {
  interface ChangeTopics {
    /** Game worlds changed (the game-client API's snapshot). */
    'game-worlds': Record<string, never>;
  }
}

export function createWorldsService(ctx: AppContext, changes: ChangeFeed) {
  const { db, clock } = ctx;
  const changed = () => changes.publish('game-worlds', {});

  async function load(store: ReturnType<typeof worldsStore>, id: number): Promise<WorldRow> {
    const row = await store.findRow(id);
    if (!row) throw notFound(id);
    return row;
  }

  /** Moves maintenance to follow what was asked for, and writes the event of the transition it claimed. */
  async function transition(trx: Kysely<Database>, id: number, now: Date, actor: Actor): Promise<Transition | undefined> {
    const t = await applyDueTransition(trx, 'game_worlds', id, now);
    if (!t) return undefined;
    const row = (await worldsStore(trx).findRow(id))!;
    const world = toPublicWorld(row);
    const at = now.toISOString();
    await recordChange(trx, clock, {
      at,
      actor,
      action: `world.maintenance_${t}`,
      target: { type: 'world', id },
      after: world,
      event:
        t === 'started'
          ? { name: 'world.maintenance_started', data: { id, worldId: world.worldId, world, ...windowPayload(row) } }
          : { name: 'world.maintenance_ended', data: { id, worldId: world.worldId, world } },
    });
    return t;
  }

  /** Shared by PUT /maintenance and the `maintenance` flag of create/update. */
  async function setMaintenance(trx: Kysely<Database>, row: WorldRow, input: MaintenanceInput, now: Date, actor: Actor) {
    await worldsStore(trx).update(row.id, { ...maintenanceColumns(input, maintenanceOf(row), now), updated_at: now.toISOString() });
    return transition(trx, row.id, now, actor);
  }

  return {
    async list(filter: ListWorldsFilter): Promise<Page<PublicGameWorld>> {
      const store = worldsStore(db);
      const [data, total] = await Promise.all([store.list(filter), store.count(filter)]);
      return page(data, filter.page, filter.limit, total);
    },

    all: () => worldsStore(db).all(),

    async get(id: number): Promise<PublicGameWorld> {
      return toPublicWorld(await load(worldsStore(db), id));
    },

    async create(input: CreateWorldInput, actor: Actor): Promise<PublicGameWorld> {
      const now = clock.now();
      const at = now.toISOString();
      const world = await inTransaction(db, async (trx) => {
        const store = worldsStore(trx);
        const id = await store
          .insert({
            world_id: input.worldId,
            name: input.name,
            description: input.description ?? null,
            visible: toInt(input.visible ?? true),
            display_order: input.displayOrder ?? (await store.nextDisplayOrder()),
            region: input.region ?? null,
            tags: JSON.stringify(input.tags ?? []),
            custom_payload: customPayloadColumn(input.customPayload ?? null),
            maintenance_enabled: 0,
            maintenance: 0,
            maintenance_message: input.maintenanceMessage ?? null,
            maintenance_messages: JSON.stringify(input.maintenanceMessages ?? {}),
            maintenance_starts_at: null,
            maintenance_ends_at: null,
            created_at: at,
            updated_at: at,
          })
          .catch(rethrowConflict);
        const created = toPublicWorld(await load(store, id));
        await recordChange(trx, clock, {
          at,
          actor,
          action: 'world.create',
          target: { type: 'world', id },
          after: created,
          event: { name: 'world.created', data: { id, worldId: created.worldId, world: created } },
        });
        if (input.maintenance) await setMaintenance(trx, await load(store, id), { enabled: true }, now, actor);
        return toPublicWorld(await load(store, id));
      });
      changed();
      return world;
    },

    async update(id: number, input: UpdateWorldInput, actor: Actor, ifMatch?: string): Promise<PublicGameWorld> {
      const now = clock.now();
      const at = now.toISOString();
      return changeExisting(db, clock, existing(id), ifMatch, {
        async write(trx, before) {
          const store = worldsStore(trx);
          const patch = patchFrom(input, {
            worldId: 'world_id',
            name: 'name',
            description: 'description',
            visible: ['visible', (v) => toInt(Boolean(v))],
            displayOrder: 'display_order',
            region: 'region',
            tags: ['tags', (v) => JSON.stringify(v)],
            customPayload: ['custom_payload', customPayloadColumn],
            maintenanceMessage: 'maintenance_message',
            maintenanceMessages: ['maintenance_messages', (v) => JSON.stringify(v)],
          });
          await store.update(id, { ...patch, updated_at: at }).catch(rethrowConflict);
          if (input.maintenance !== undefined && input.maintenance !== before.maintenance) {
            await setMaintenance(trx, await load(store, id), { enabled: input.maintenance }, now, actor);
          }
          return toPublicWorld(await load(store, id));
        },
        record: (before, after) => ({ at, actor, action: 'world.update', target: { type: 'world', id }, before, after,
          event: { name: 'world.updated', data: { id, worldId: after.worldId, world: after } } }),
        afterCommit: changed,
      });
    },

    async setMaintenance(id: number, input: MaintenanceInput, actor: Actor, ifMatch?: string): Promise<PublicGameWorld> {
      const now = clock.now();
      return changeExisting(db, clock, existing(id), ifMatch, {
        async write(trx, _before, row) {
          await setMaintenance(trx, row, input, now, actor);
          return toPublicWorld(await load(worldsStore(trx), id));
        },
        record: (before, after) => ({ at: now.toISOString(), actor, action: 'world.maintenance', target: { type: 'world', id }, before, after,
          event: { name: 'world.updated', data: { id, worldId: after.worldId, world: after } } }),
        afterCommit: changed,
      });
    },

    /** Sets display order: the listed worlds first, in the given order, then the rest as they were. */
    async reorder(ids: number[], actor: Actor): Promise<PublicGameWorld[]> {
      const at = iso(clock);
      const worlds = await inTransaction(db, async (trx) => {
        const store = worldsStore(trx);
        const existing = await store.orderedIds();
        const known = new Set(existing);
        ids.forEach((id, i) => {
          if (!known.has(id)) throw new ValidationError(`ids.${i}`, `game world ${id} does not exist`);
        });
        const listed = new Set(ids);
        const order = [...ids, ...existing.filter((id) => !listed.has(id))];
        await store.setOrder(order, at);
        const all = await store.all();
        await recordChange(trx, clock, {
          at,
          actor,
          action: 'world.reorder',
          target: { type: 'world' },
          after: { ids: order },
          event: all.map((world) => ({ name: 'world.updated' as const, data: { id: world.id, worldId: world.worldId, world } })),
        });
        return all;
      });
      changed();
      return worlds;
    },

    async delete(id: number, actor: Actor, ifMatch?: string): Promise<void> {
      await changeExisting(db, clock, existing(id), ifMatch, {
        write: (trx) => worldsStore(trx).delete(id),
        record: (before) => ({ actor, action: 'world.delete', target: { type: 'world', id }, before,
          event: { name: 'world.deleted', data: { id, worldId: before.worldId, world: before } } }),
        afterCommit: changed,
      });
    },

    /** Scheduler step: starts and ends every window that is due; returns how many transitions this node made. */
    async runDueTransitions(): Promise<number> {
      const now = clock.now();
      let made = 0;
      for (const id of await dueIds(db, 'game_worlds', now)) {
        if (await inTransaction(db, (trx) => transition(trx, id, now, SYSTEM_ACTOR))) made++;
      }
      if (made > 0) changed();
      return made;
    },
  };
}

export type WorldsService = ReturnType<typeof createWorldsService>;
