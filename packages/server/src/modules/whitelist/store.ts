import { sql, type Kysely } from 'kysely';
import { toBool, toInt } from '../../db/columns.ts';
import { likePattern } from '../../db/dialect.ts';
import { countRows, onePage, recordsById, type NewRow, type RowOf, type RowPatch } from '../../db/records.ts';
import type { Database } from '../../db/schema.ts';
import type { ListWhitelistFilter, PublicWhitelistEntry, WhitelistType } from './schemas.ts';

const COLUMNS = ['id', 'type', 'value', 'memo', 'enabled', 'starts_at', 'ends_at', 'created_at', 'updated_at'] as const;

export type NewWhitelistRow = NewRow<'whitelist_entries'>;
export type WhitelistPatchRow = RowPatch<'whitelist_entries'>;

export function toPublicEntry(r: RowOf<'whitelist_entries', typeof COLUMNS>): PublicWhitelistEntry {
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
  const records = recordsById(db, 'whitelist_entries', COLUMNS, toPublicEntry);

  return {
    findById: records.findById,

    async list(f: ListWhitelistFilter): Promise<PublicWhitelistEntry[]> {
      const rows = await onePage(filtered(f).select(COLUMNS).orderBy('id'), f).execute();
      return rows.map(toPublicEntry);
    },

    async count(f: Pick<ListWhitelistFilter, 'type' | 'enabled' | 'q'>): Promise<number> {
      return countRows(filtered(f));
    },

    /** Every enabled entry, whatever its window (the matcher applies the windows). */
    async enabled(): Promise<PublicWhitelistEntry[]> {
      const rows = await filtered({ enabled: true }).select(COLUMNS).orderBy('id').execute();
      return rows.map(toPublicEntry);
    },

    /**
     * The table's revision, moved by the database on every write to it (migration 0015): the same revision means the
     * same entries. Read it before the entries it vouches for, so a write in between makes it older, never newer.
     */
    async revision(): Promise<string> {
      const row = await db.selectFrom('table_revisions').select('revision').where('name', '=', 'whitelist_entries').executeTakeFirst();
      return String(row?.revision ?? '');
    },

    /** Every entry, oldest first. */
    async all(): Promise<PublicWhitelistEntry[]> {
      return (await db.selectFrom('whitelist_entries').select(COLUMNS).orderBy('id').execute()).map(toPublicEntry);
    },

    /** Up to `n` entries with an id above `id`, oldest first. */
    async after(id: number, n: number): Promise<PublicWhitelistEntry[]> {
      return (await db.selectFrom('whitelist_entries').select(COLUMNS).where('id', '>', id).orderBy('id').limit(n).execute()).map(toPublicEntry);
    },

    insert: (row: NewWhitelistRow): Promise<PublicWhitelistEntry> => records.insert(row),
    update: (id: number, patch: WhitelistPatchRow): Promise<PublicWhitelistEntry | undefined> => records.update(id, patch),
    delete: records.delete,
  };
}

export type WhitelistStore = ReturnType<typeof whitelistStore>;
