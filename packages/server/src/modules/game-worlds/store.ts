import { sql, type Kysely } from 'kysely';
import { parseJson, toBool } from '../../db/columns.ts';
import { integerCase, likePattern } from '../../db/dialect.ts';
import { countRows, onePage } from '../../db/records.ts';
import type { Database, GameWorldsTable } from '../../db/schema.ts';
import type { ListWorldsFilter, PublicGameWorld } from './schemas.ts';
import { type MessagesMap } from '../../core/fields.ts';

const COLUMNS = [
  'id',
  'world_id',
  'name',
  'description',
  'visible',
  'display_order',
  'region',
  'tags',
  'custom_payload',
  'maintenance_enabled',
  'maintenance',
  'maintenance_message',
  'maintenance_messages',
  'maintenance_starts_at',
  'maintenance_ends_at',
  'created_at',
  'updated_at',
] as const;

export type WorldRow = Omit<GameWorldsTable, 'id'> & { id: number };

export function toPublicWorld(r: WorldRow): PublicGameWorld {
  return {
    id: Number(r.id),
    worldId: r.world_id,
    name: r.name,
    description: r.description,
    visible: toBool(r.visible),
    maintenance: toBool(r.maintenance),
    maintenanceMessage: r.maintenance_message,
    maintenanceMessages: parseJson<MessagesMap>(r.maintenance_messages, {}),
    maintenanceStartsAt: r.maintenance_starts_at,
    maintenanceEndsAt: r.maintenance_ends_at,
    displayOrder: Number(r.display_order),
    region: r.region,
    tags: parseJson<string[]>(r.tags, []),
    customPayload: parseJson<Record<string, unknown> | null>(r.custom_payload, null),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function worldsStore(db: Kysely<Database>) {
  function filtered(f: Partial<ListWorldsFilter>) {
    let q = db.selectFrom('game_worlds');
    if (f.visible !== undefined) q = q.where('visible', '=', f.visible ? 1 : 0);
    if (f.maintenance !== undefined) q = q.where('maintenance', '=', f.maintenance ? 1 : 0);
    if (f.q) {
      const like = likePattern(f.q.toLowerCase(), { prefix: '%', suffix: '%' });
      q = q.where((eb) => eb.or([eb(sql`lower(world_id)`, 'like', like), eb(sql`lower(name)`, 'like', like)]));
    }
    // tags is a JSON array of strings: match the element exactly, quotes included.
    if (f.tag) q = q.where('tags', 'like', likePattern(JSON.stringify(f.tag), { prefix: '%', suffix: '%' }));
    return q;
  }

  return {
    async findRow(id: number): Promise<WorldRow | undefined> {
      const r = await db.selectFrom('game_worlds').select(COLUMNS).where('id', '=', id).executeTakeFirst();
      return r && { ...r, id: Number(r.id) };
    },
    async list(f: ListWorldsFilter): Promise<PublicGameWorld[]> {
      const rows = await onePage(filtered(f).select(COLUMNS).orderBy('display_order').orderBy('id'), f).execute();
      return rows.map((r) => toPublicWorld({ ...r, id: Number(r.id) }));
    },
    async count(f: Partial<ListWorldsFilter>): Promise<number> {
      return countRows(filtered(f));
    },
    /** Every world in display order (the game-client API caches this). */
    async all(): Promise<PublicGameWorld[]> {
      const rows = await db.selectFrom('game_worlds').select(COLUMNS).orderBy('display_order').orderBy('id').execute();
      return rows.map((r) => toPublicWorld({ ...r, id: Number(r.id) }));
    },
    async nextDisplayOrder(): Promise<number> {
      const r = await db.selectFrom('game_worlds').select((eb) => eb.fn.max('display_order').as('m')).executeTakeFirst();
      return r?.m === null || r?.m === undefined ? 0 : Number(r.m) + 1;
    },
    async orderedIds(): Promise<number[]> {
      const rows = await db.selectFrom('game_worlds').select('id').orderBy('display_order').orderBy('id').execute();
      return rows.map((r) => Number(r.id));
    },
    async insert(row: Omit<GameWorldsTable, 'id'>): Promise<number> {
      const r = await db.insertInto('game_worlds').values(row).returning('id').executeTakeFirstOrThrow();
      return Number(r.id);
    },
    async update(id: number, patch: Partial<Omit<GameWorldsTable, 'id'>>): Promise<void> {
      await db.updateTable('game_worlds').set(patch).where('id', '=', id).execute();
    },
    /** Each world's display_order is its index in `order` (every id listed), in one UPDATE per 500 worlds. */
    async setOrder(order: readonly number[], updatedAt: string): Promise<void> {
      for (let i = 0; i < order.length; i += 500) {
        const ids = order.slice(i, i + 500);
        const position = integerCase('id', ids.map((id, k) => [id, i + k]));
        await db.updateTable('game_worlds').set({ display_order: position, updated_at: updatedAt }).where('id', 'in', ids).execute();
      }
    },
    async delete(id: number): Promise<void> {
      await db.deleteFrom('game_worlds').where('id', '=', id).execute();
    },
  };
}
