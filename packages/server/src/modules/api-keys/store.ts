import type { Kysely } from 'kysely';
import { countRows, onePage, recordsById, type NewRow, type RowOf } from '../../db/records.ts';
import type { Database } from '../../db/schema.ts';
import type { ApiKeyType } from '../../core/permissions.ts';
import type { ListApiKeysFilter, PublicApiKey } from './schemas.ts';

const COLUMNS = ['id', 'name', 'type', 'prefix', 'created_by', 'expires_at', 'last_used_at', 'revoked_at', 'created_at'] as const;
type Row = RowOf<'api_keys', typeof COLUMNS>;

function toPublic(r: Row): PublicApiKey {
  return {
    id: Number(r.id),
    name: r.name,
    type: r.type as ApiKeyType,
    prefix: r.prefix,
    createdBy: r.created_by === null ? null : Number(r.created_by),
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
    createdAt: r.created_at,
  };
}

/** The list's filters, with "unused for N days" as the cut-off time (ISO) computed by the service. */
export type ApiKeysListFilter = ListApiKeysFilter & { unusedBefore?: string };

export function apiKeysStore(db: Kysely<Database>) {
  function filtered(f: Pick<ApiKeysListFilter, 'type' | 'includeRevoked' | 'unusedBefore'>) {
    let q = db.selectFrom('api_keys');
    if (f.type) q = q.where('type', '=', f.type);
    if (!f.includeRevoked) q = q.where('revoked_at', 'is', null);
    const cutoff = f.unusedBefore;
    if (cutoff) {
      q = q.where((eb) => eb.or([eb('last_used_at', '<', cutoff), eb.and([eb('last_used_at', 'is', null), eb('created_at', '<', cutoff)])]));
    }
    return q;
  }
  const records = recordsById(db, 'api_keys', COLUMNS, toPublic);
  return {
    insert: (row: NewRow<'api_keys'>): Promise<PublicApiKey> => records.insert(row),
    findById: records.findById,
    async findByHash(keyHash: string): Promise<PublicApiKey | undefined> {
      const r = await db.selectFrom('api_keys').select(COLUMNS).where('key_hash', '=', keyHash).executeTakeFirst();
      return r && toPublic(r);
    },
    async list(f: ApiKeysListFilter): Promise<PublicApiKey[]> {
      const rows = await onePage(filtered(f).select(COLUMNS).orderBy('id'), f).execute();
      return rows.map(toPublic);
    },
    async count(f: ApiKeysListFilter): Promise<number> {
      return countRows(filtered(f));
    },
    async revoke(id: number, at: string): Promise<PublicApiKey | undefined> {
      const r = await db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).returning(COLUMNS).executeTakeFirst();
      return r && toPublic(r);
    },
    async touch(id: number, at: string): Promise<void> {
      await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
    },
  };
}
