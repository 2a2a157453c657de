import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

/** Refresh tokens are stored as SHA-256 hashes; a token is spent once, and its family shares one fate. */
export function refreshTokensStore(db: Kysely<Database>) {
  return {
    async insert(row: { userId: number; familyId: string; tokenHash: string; expiresAt: string; createdAt: string }) {
      await db
        .insertInto('refresh_tokens')
        .values({
          user_id: row.userId,
          family_id: row.familyId,
          token_hash: row.tokenHash,
          expires_at: row.expiresAt,
          created_at: row.createdAt,
          used_at: null,
          revoked_at: null,
        })
        .execute();
    },

    findByHash(tokenHash: string) {
      return db
        .selectFrom('refresh_tokens')
        .select(['id', 'user_id', 'family_id', 'expires_at', 'used_at', 'revoked_at'])
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
    },

    /** Marks the token spent; false when another request spent or revoked it first. */
    async spend(id: number, at: string): Promise<boolean> {
      const r = await db
        .updateTable('refresh_tokens')
        .set({ used_at: at })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** A login session lives while one of its refresh tokens is not revoked (logout and revocations end it). */
    async familyLive(familyId: string): Promise<boolean> {
      const row = await db.selectFrom('refresh_tokens').select('id').where('family_id', '=', familyId).where('revoked_at', 'is', null).limit(1).executeTakeFirst();
      return row !== undefined;
    },

    async revokeFamily(familyId: string, at: string): Promise<void> {
      await db.updateTable('refresh_tokens').set({ revoked_at: at }).where('family_id', '=', familyId).where('revoked_at', 'is', null).execute();
    },
  };
}

export async function revokeAllRefreshTokens(db: Kysely<Database>, userId: number, at: string): Promise<void> {
  await db.updateTable('refresh_tokens').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}

/** A login session as staff see it: never a token or its hash. */
export interface SessionRow {
  id: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
}

/**
 * The user's live login sessions (refresh-token families with an unspent, unrevoked, unexpired token), newest
 * first: when each began, when its current refresh token expires, and when a refresh token of it was last used.
 */
export async function liveSessions(db: Kysely<Database>, userId: number, now: string): Promise<SessionRow[]> {
  const rows = await db
    .selectFrom('refresh_tokens')
    .select((eb) => [
      'family_id',
      eb.fn.min('created_at').as('created_at'),
      eb.fn.max('expires_at').as('expires_at'),
      eb.fn.max('used_at').as('used_at'),
    ])
    .where('user_id', '=', userId)
    .groupBy('family_id')
    .having((eb) => eb.fn.sum(eb.case().when(eb.and([eb('revoked_at', 'is', null), eb('used_at', 'is', null), eb('expires_at', '>', now)])).then(1).else(0).end()), '>', 0)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({ id: r.family_id, createdAt: String(r.created_at), expiresAt: String(r.expires_at), lastUsedAt: r.used_at === null ? null : String(r.used_at) }));
}

/** Ends one live session of the user; false when the user has no live session with this id. */
export async function revokeSession(db: Kysely<Database>, userId: number, sessionId: string, at: string): Promise<boolean> {
  const r = await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: at })
    .where('user_id', '=', userId)
    .where('family_id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
