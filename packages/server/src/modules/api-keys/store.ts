import type { Kysely } from 'kysely';
import type { ApiKeysTable, Database } from '../../db/schema.ts';
import type { ApiKeyType } from '../../core/permissions.ts';
import type { ListApiKeysFilter, PublicApiKey } from './schemas.ts';

const COLUMNS = ['id', 'name', 'type', 'prefix', 'created_by', 'expires_at', 'last_used_at', 'revoked_at', 'created_at'] as const;
type Row = Pick<ApiKeysTable, Exclude<(typeof COLUMNS)[number], 'id'>> & { id: number };

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

export function apiKeysStore(db: Kysely<Database>) {
  function filtered(f: Pick<ListApiKeysFilter, 'type' | 'includeRevoked'>) {
    let q = db.selectFrom('api_keys');
    if (f.type) q = q.where('type', '=', f.type);
    if (!f.includeRevoked) q = q.where('revoked_at', 'is', null);
    return q;
  }
  return {
    async insert(row: Omit<ApiKeysTable, 'id'>): Promise<PublicApiKey> {
      return toPublic(await db.insertInto('api_keys').values(row).returning(COLUMNS).executeTakeFirstOrThrow());
    },
    async findById(id: number): Promise<PublicApiKey | undefined> {
      const r = await db.selectFrom('api_keys').select(COLUMNS).where('id', '=', id).executeTakeFirst();
      return r && toPublic(r);
    },
    async findByHash(keyHash: string): Promise<PublicApiKey | undefined> {
      const r = await db.selectFrom('api_keys').select(COLUMNS).where('key_hash', '=', keyHash).executeTakeFirst();
      return r && toPublic(r);
    },
    async list(f: ListApiKeysFilter): Promise<PublicApiKey[]> {
      const rows = await filtered(f).select(COLUMNS).orderBy('id').limit(f.limit).offset((f.page - 1) * f.limit).execute();
      return rows.map(toPublic);
    },
    async count(f: ListApiKeysFilter): Promise<number> {
      const r = await filtered(f).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
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
