import { sql, type Kysely } from 'kysely';
import { parseJson, toBool, toInt } from '../../db/columns.ts';
import { likePattern } from '../../db/dialect.ts';
import { countRows, onePage, recordsById, type NewRow, type RowOf, type RowPatch } from '../../db/records.ts';
import type { Database } from '../../db/schema.ts';
import type { ListNoticesFilter, NoticeCategory, PublicNotice, TranslationsMap } from './schemas.ts';

const COLUMNS = [
  'id',
  'category',
  'priority',
  'title',
  'body',
  'translations',
  'enabled',
  'starts_at',
  'ends_at',
  'channels',
  'sub_channels',
  'world_ids',
  'min_version',
  'max_version',
  'created_at',
  'updated_at',
] as const;

export type NewNoticeRow = NewRow<'notices'>;
export type NoticePatchRow = RowPatch<'notices'>;

export function toPublicNotice(r: RowOf<'notices', typeof COLUMNS>): PublicNotice {
  return {
    id: Number(r.id),
    category: r.category as NoticeCategory,
    priority: Number(r.priority),
    title: r.title,
    body: r.body,
    translations: parseJson<TranslationsMap>(r.translations, {}),
    enabled: toBool(r.enabled),
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    channels: parseJson<string[]>(r.channels, []),
    subChannels: parseJson<string[]>(r.sub_channels, []),
    worldIds: parseJson<string[]>(r.world_ids, []),
    minVersion: r.min_version,
    maxVersion: r.max_version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Kysely queries for notices; returns undefined for "not found" and leaves the decision to the service. */
export function noticesStore(db: Kysely<Database>) {
  function filtered(f: Omit<ListNoticesFilter, 'page' | 'limit'>, now: string) {
    let q = db.selectFrom('notices');
    if (f.category) q = q.where('category', '=', f.category);
    if (f.enabled !== undefined) q = q.where('enabled', '=', toInt(f.enabled));
    if (f.state === 'scheduled') q = q.where('starts_at', '>', now);
    if (f.state === 'ended') q = q.where('ends_at', '<=', now);
    if (f.state === 'current') {
      q = q.where((eb) => eb.and([eb.or([eb('starts_at', 'is', null), eb('starts_at', '<=', now)]), eb.or([eb('ends_at', 'is', null), eb('ends_at', '>', now)])]));
    }
    if (f.q) {
      const like = likePattern(f.q.toLowerCase(), { prefix: '%', suffix: '%' });
      q = q.where((eb) => eb.or([eb(sql`lower(title)`, 'like', like), eb(sql`lower(body)`, 'like', like)]));
    }
    return q;
  }
  const records = recordsById(db, 'notices', COLUMNS, toPublicNotice);

  return {
    findById: records.findById,

    /** A page in the order game clients see them: priority, then the later start, then the newer id. */
    async list(f: ListNoticesFilter, now: string): Promise<PublicNotice[]> {
      const rows = await onePage(
        filtered(f, now)
          .select(COLUMNS)
          .orderBy('priority', 'desc')
          .orderBy(sql`coalesce(starts_at, '')`, 'desc')
          .orderBy('id', 'desc'),
        f,
      ).execute();
      return rows.map(toPublicNotice);
    },

    count: (f: Omit<ListNoticesFilter, 'page' | 'limit'>, now: string): Promise<number> => countRows(filtered(f, now)),

    /** Every enabled notice that has not ended by `now` (what the game-client API serves from). */
    async live(now: string): Promise<PublicNotice[]> {
      const rows = await db
        .selectFrom('notices')
        .select(COLUMNS)
        .where('enabled', '=', 1)
        .where((eb) => eb.or([eb('ends_at', 'is', null), eb('ends_at', '>', now)]))
        .orderBy('id')
        .execute();
      return rows.map(toPublicNotice);
    },

    insert: (row: NewNoticeRow): Promise<PublicNotice> => records.insert(row),
    update: (id: number, patch: NoticePatchRow): Promise<PublicNotice | undefined> => records.update(id, patch),
    delete: records.delete,
  };
}
