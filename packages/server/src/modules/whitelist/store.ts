import { sql, type Kysely } from 'kysely';
import { toBool, toInt } from '../../db/columns.ts';
import { likePattern } from '../../db/dialect.ts';
import type { Database, WhitelistEntriesTable } from '../../db/schema.ts';
import type { ListWhitelistFilter, PublicWhitelistEntry, WhitelistType } from './schemas.ts';

const COLUMNS = ['id', 'type', 'value', 'memo', 'enabled', 'starts_at', 'ends_at', 'created_at', 'updated_at'] as const;

type Row = Omit<WhitelistEntriesTable, 'id'> & { id: number };
export type NewWhitelistRow = Omit<WhitelistEntriesTable, 'id'>;
export type WhitelistPatchRow = Partial<Omit<WhitelistEntriesTable, 'id' | 'created_at'>>;

export function toPublicEntry(r: Row): PublicWhitelistEntry {
  return {
    id: Number(r.id),
    type: r.type as WhitelistType,
    value: r.value,
    memo: r.memo,
    enabled: toBool(r.enabled),
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Kysely queries for whitelist entries; returns undefined for "not found" and leaves the decision to the service. */
export function whitelistStore(db: Kysely<Database>) {
  function filtered(f: Pick<ListWhitelistFilter, 'type' | 'enabled' | 'q'>) {
    let q = db.selectFrom('whitelist_entries');
    if (f.type) q = q.where('type', '=', f.type);
    if (f.enabled !== undefined) q = q.where('enabled', '=', toInt(f.enabled));
    if (f.q) {
      const like = likePattern(f.q.toLowerCase(), { prefix: '%', suffix: '%' });
      q = q.where((eb) => eb.or([eb(sql`lower(value)`, 'like', like), eb(sql`lower(memo)`, 'like', like)]));
    }
    return q;
  }

  return {
    async findById(id: number): Promise<PublicWhitelistEntry | undefined> {
      const r = await db.selectFrom('whitelist_entries').select(COLUMNS).where('id', '=', id).executeTakeFirst();
      return r && toPublicEntry(r);
    },

    async list(f: ListWhitelistFilter): Promise<PublicWhitelistEntry[]> {
      const rows = await filtered(f)
        .select(COLUMNS)
        .orderBy('id')
        .limit(f.limit)
        .offset((f.page - 1) * f.limit)
        .execute();
      return rows.map(toPublicEntry);
    },

    async count(f: Pick<ListWhitelistFilter, 'type' | 'enabled' | 'q'>): Promise<number> {
      const r = await filtered(f)
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    /** Every enabled entry, whatever its window (the matcher applies the windows). */
    async enabled(): Promise<PublicWhitelistEntry[]> {
      const rows = await filtered({ enabled: true }).select(COLUMNS).orderBy('id').execute();
      return rows.map(toPublicEntry);
    },

    async insert(row: NewWhitelistRow): Promise<PublicWhitelistEntry> {
      const r = await db.insertInto('whitelist_entries').values(row).returning(COLUMNS).executeTakeFirstOrThrow();
      return toPublicEntry(r);
    },

    async update(id: number, patch: WhitelistPatchRow): Promise<PublicWhitelistEntry | undefined> {
      const r = await db.updateTable('whitelist_entries').set(patch).where('id', '=', id).returning(COLUMNS).executeTakeFirst();
      return r && toPublicEntry(r);
    },

    async delete(id: number): Promise<boolean> {
      const r = await db.deleteFrom('whitelist_entries').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

export type WhitelistStore = ReturnType<typeof whitelistStore>;
