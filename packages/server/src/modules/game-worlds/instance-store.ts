import type { Kysely } from 'kysely';
import { parseJson, toBool } from '../../db/columns.ts';
import type { Database, WorldInstancesTable } from '../../db/schema.ts';
import type { InstanceStatus, PublicWorldInstance, WorldLiveFigures } from './instance-schemas.ts';

/** The columns a heartbeat writes (every one of them on each write: the server's whole report). */
export type ReportColumns = Pick<WorldInstancesTable, 'address' | 'region' | 'capacity' | 'players' | 'status' | 'version' | 'tags'>;

export interface InstanceKey {
  /** game_worlds.id */
  world: number;
  instanceId: string;
}

export function toPublicInstance(worldId: string, r: WorldInstancesTable): PublicWorldInstance {
  return {
    worldId,
    instanceId: r.instance_id,
    address: r.address,
    region: r.region,
    capacity: Number(r.capacity),
    players: Number(r.players),
    status: r.status as InstanceStatus,
    version: r.version,
    tags: parseJson<string[]>(r.tags, []),
    up: toBool(r.up),
    registeredAt: r.registered_at,
    lastSeenAt: r.last_seen_at,
    downAt: r.down_at,
  };
}

export function instancesStore(db: Kysely<Database>) {
  const row = (k: InstanceKey) => db.selectFrom('world_instances').selectAll().where('world_id', '=', k.world).where('instance_id', '=', k.instanceId);
  return {
    find: (k: InstanceKey) => row(k).executeTakeFirst(),

    /** The world's instances: up ones first, then by instanceId. */
    list: (world: number) => db.selectFrom('world_instances').selectAll().where('world_id', '=', world).orderBy('up', 'desc').orderBy('instance_id').execute(),

    /** The heartbeat of an instance that is up: one UPDATE; false when it is not registered or not up. */
    async beat(k: InstanceKey, report: ReportColumns, at: string): Promise<boolean> {
      const r = await db
        .updateTable('world_instances')
        .set({ ...report, last_seen_at: at })
        .where('world_id', '=', k.world)
        .where('instance_id', '=', k.instanceId)
        .where('up', '=', 1)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    insert: (k: InstanceKey, report: ReportColumns, at: string) =>
      db
        .insertInto('world_instances')
        .values({ world_id: k.world, instance_id: k.instanceId, ...report, up: 1, registered_at: at, last_seen_at: at, down_at: null })
        .execute(),

    /** Brings a down instance back up; false when it was not down (another node got there first). */
    async revive(k: InstanceKey, report: ReportColumns, at: string): Promise<boolean> {
      const r = await db
        .updateTable('world_instances')
        .set({ ...report, up: 1, last_seen_at: at, down_at: null })
        .where('world_id', '=', k.world)
        .where('instance_id', '=', k.instanceId)
        .where('up', '=', 0)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    async delete(k: InstanceKey): Promise<boolean> {
      const r = await db.deleteFrom('world_instances').where('world_id', '=', k.world).where('instance_id', '=', k.instanceId).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },

    /** Up instances last seen before `cutoff`: candidates to mark down. */
    overdue: (cutoff: string, limit: number) =>
      db.selectFrom('world_instances').select(['world_id', 'instance_id']).where('up', '=', 1).where('last_seen_at', '<', cutoff).limit(limit).execute(),

    /** Marks one instance down if it is still up and still unseen since `cutoff`: only one node can win this. */
    async markDown(k: InstanceKey, cutoff: string, at: string): Promise<boolean> {
      const r = await db
        .updateTable('world_instances')
        .set({ up: 0, down_at: at })
        .where('world_id', '=', k.world)
        .where('instance_id', '=', k.instanceId)
        .where('up', '=', 1)
        .where('last_seen_at', '<', cutoff)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    /** Deletes instances down since before `cutoff`; answers how many. */
    async prune(cutoff: string): Promise<number> {
      const r = await db.deleteFrom('world_instances').where('up', '=', 0).where('down_at', '<', cutoff).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    /** The live figures of every world that has instances, by game_worlds.id. */
    async live(worlds?: number[]): Promise<Map<number, WorldLiveFigures>> {
      if (worlds?.length === 0) return new Map();
      let q = db
        .selectFrom('world_instances')
        .select((eb) => [
          'world_id',
          eb.fn.sum<number>(eb.case().when('up', '=', 1).then(eb.ref('players')).else(0).end()).as('players'),
          eb.fn.sum<number>(eb.case().when('up', '=', 1).then(eb.ref('capacity')).else(0).end()).as('capacity'),
          eb.fn.sum<number>('up').as('up'),
          eb.fn.countAll<number>().as('total'),
        ])
        .groupBy('world_id');
      if (worlds) q = q.where('world_id', 'in', worlds);
      const rows = await q.execute();
      return new Map(
        rows.map((r) => {
          const up = Number(r.up);
          return [Number(r.world_id), { players: Number(r.players), capacity: Number(r.capacity), instancesUp: up, instancesDown: Number(r.total) - up }];
        }),
      );
    },
  };
}
