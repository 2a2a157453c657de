import { iso } from '../../core/clock.ts';
import { inTransaction, type AppContext } from '../../context.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { ChangeFeed } from '../../events/changes.ts';
import { createNew, recordChange } from '../../events/record.ts';
import { lookupCache } from '../../core/lookup-cache.ts';
import { then, type MaybePromise } from '../../core/maybe.ts';
import { type Principal, type Actor } from '../../core/permissions.ts';
import type { CreateApiKeyInput, ListApiKeysFilter, PublicApiKey } from './schemas.ts';
import { apiKeysStore } from './store.ts';
import { page, type Page } from '../../core/paging.ts';
import { randomToken, sha256Hex } from '../../core/tokens.ts';

const CACHE_MS = 5000;
const TOUCH_EVERY_MS = 60_000;

type ApiKeyPrincipal = Extract<Principal, { kind: 'apiKey' }>;

/** A key as the credential check needs it: its principal (undefined when unknown or revoked), until when it is valid. */
interface CachedKey {
  principal: ApiKeyPrincipal | undefined;
  validUntil: number;
}

declare module '../../events/changes.ts' {
  interface ChangeTopics {
    /** A key was revoked: cached keys, its open sockets. */
    'api-keys': { keyId: number };
  }
}

/**
 * API keys: `gtx_<type>_<random>`, stored as SHA-256 (the key has 192 bits of entropy, so a fast hash is
 * safe and lookups stay O(1)). The plaintext is returned once, at creation.
 */
export function createApiKeysService(ctx: AppContext, changes: ChangeFeed) {
  const { db, clock, log } = ctx;
  // By the key as presented, so a cached key costs no hash on the hot path. Memory only, bounded, cleared on any
  // revocation (forgetCached); the database keeps only hashes. Requests that miss together share one read.
  const cache = lookupCache<string, CachedKey>({ ttlMs: CACHE_MS, max: 10_000, load: lookUp });
  const lastTouch = new Map<number, number>();

  function touch(id: number): void {
    const t = Date.now();
    if (t - (lastTouch.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    lastTouch.set(id, t);
    apiKeysStore(db)
      .touch(id, new Date(t).toISOString())
      .catch((err: unknown) => log.warn({ err, keyId: id }, 'could not record API key use'));
  }

  async function lookUp(plaintext: string): Promise<CachedKey> {
    const key = await apiKeysStore(db).findByHash(sha256Hex(plaintext));
    return {
      principal: key && !key.revokedAt ? { kind: 'apiKey', keyId: key.id, name: key.name, keyType: key.type } : undefined,
      validUntil: key?.expiresAt ? Date.parse(key.expiresAt) : Infinity,
    };
  }

  return {
    /** A key was revoked (here or on another node): look every key up afresh. */
    forgetCached(): void {
      cache.forget();
    },

    authenticate(plaintext: string): MaybePromise<Principal | undefined> {
      if (plaintext.length > 200) return undefined;
      return then(cache.get(plaintext), ({ principal, validUntil }) => {
        if (!principal || clock.now().getTime() >= validUntil) return undefined;
        touch(principal.keyId);
        return principal;
      });
    },

    async create(input: CreateApiKeyInput, actor: Actor): Promise<PublicApiKey & { key: string }> {
      const now = iso(clock);
      if (input.expiresAt && new Date(input.expiresAt).toISOString() <= now) {
        throw new ValidationError('expiresAt', 'must be in the future');
      }
      const key = randomToken(`gtx_${input.type}_`, 24);
      const created = await createNew(db, clock, {
        write: (trx) =>
          apiKeysStore(trx).insert({
            name: input.name,
            type: input.type,
            prefix: key.slice(0, key.indexOf('_', 4) + 7),
            key_hash: sha256Hex(key),
            created_by: actor.principal?.kind === 'user' ? actor.principal.userId : null,
            expires_at: input.expiresAt ? new Date(input.expiresAt).toISOString() : null,
            last_used_at: null,
            revoked_at: null,
            created_at: now,
          }),
        record: (created) => ({ at: now, actor, action: 'api_key.create', target: { type: 'api_key', id: created.id }, after: created }),
      });
      return { ...created, key };
    },

    async list(filter: ListApiKeysFilter): Promise<Page<PublicApiKey>> {
      const store = apiKeysStore(db);
      const unusedBefore = filter.unusedForDays ? new Date(clock.now().getTime() - filter.unusedForDays * 86_400_000).toISOString() : undefined;
      const f = { ...filter, unusedBefore };
      const [data, total] = await Promise.all([store.list(f), store.count(f)]);
      return page(data, filter.page, filter.limit, total);
    },

    async get(id: number): Promise<PublicApiKey> {
      const key = await apiKeysStore(db).findById(id);
      if (!key) throw new NotFoundError(`API key ${id}`, 'api_key_not_found');
      return key;
    },

    async revoke(id: number, actor: Actor): Promise<void> {
      const now = iso(clock);
      await inTransaction(db, async (trx) => {
        const store = apiKeysStore(trx);
        const before = await store.findById(id);
        if (!before) throw new NotFoundError(`API key ${id}`, 'api_key_not_found');
        if (before.revokedAt) return;
        const after = await store.revoke(id, now);
        await recordChange(trx, clock, { at: now, actor, action: 'api_key.revoke', target: { type: 'api_key', id }, before, after });
      });
      changes.publish('api-keys', { keyId: id });
    },
  };
}

export type ApiKeysService = ReturnType<typeof createApiKeysService>;
