import { iso } from '../../core/clock.ts';
import type { AppContext } from '../../context.ts';
import type { Db } from '../../db/index.ts';
import { rethrowConflict } from '../../db/dialect.ts';
import { checkWindow, isoOrNull, patchFrom, toInt } from '../../db/columns.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { ChangeFeed } from '../../events/changes.ts';
import { changeExisting, createNew } from '../../events/record.ts';
import { normalizeIpValue } from './ip.ts';
import type { CreateWhitelistInput, ListWhitelistFilter, PublicWhitelistEntry, UpdateWhitelistInput, WhitelistType } from './schemas.ts';
import { whitelistStore, type NewWhitelistRow, type WhitelistPatchRow } from './store.ts';
import { type Actor } from '../../core/permissions.ts';
import { page, type Page } from '../../core/paging.ts';

const ACCOUNT_MAX = 128;

/**
 * The stored spelling of a value, or a 400 naming `value`: an account id is trimmed and has no whitespace; an
 * IP is an IPv4/IPv6 address or CIDR, canonicalized (see normalizeIpValue).
 */
export function whitelistValue(type: WhitelistType, raw: string): string {
  const value = raw.trim();
  if (type === 'ip') {
    const ip = normalizeIpValue(value);
    if (!ip) throw new ValidationError('value', 'must be an IPv4 or IPv6 address, or a CIDR such as 10.0.0.0/8 or 2001:db8::/32');
    return ip;
  }
  if (value.length === 0 || value.length > ACCOUNT_MAX || /\s/.test(value)) {
    throw new ValidationError('value', `must be an account id of 1 to ${ACCOUNT_MAX} characters without whitespace`);
  }
  return value;
}

const notFound = (id: number) => new NotFoundError(`Whitelist entry ${id}`, 'whitelist_entry_not_found');
/** An entry as its updates and deletes find it. */
const existing = (id: number) => ({ load: (trx: Db) => whitelistStore(trx).findById(id), notFound: () => notFound(id) });

declare module '../../events/changes.ts' {
  interface ChangeTopics {
    /** A whitelist entry changed (undefined: deleted); the game-client API rebuilds its matcher. */
    whitelist: { id: number; entry: PublicWhitelistEntry | undefined };
  }
}

export function createWhitelistService(ctx: AppContext, changes: ChangeFeed) {
  const { db, clock } = ctx;
  const changed = (id: number, entry: PublicWhitelistEntry | undefined) => changes.publish('whitelist', { id, entry });

  return {
    async list(filter: ListWhitelistFilter): Promise<Page<PublicWhitelistEntry>> {
      const store = whitelistStore(db);
      const [data, total] = await Promise.all([store.list(filter), store.count(filter)]);
      return page(data, filter.page, filter.limit, total);
    },

    /** Every enabled entry, windows not applied: the input of createWhitelistMatcher. */
    enabledEntries: (): Promise<PublicWhitelistEntry[]> => whitelistStore(db).enabled(),

    async get(id: number): Promise<PublicWhitelistEntry> {
      const entry = await whitelistStore(db).findById(id);
      if (!entry) throw notFound(id);
      return entry;
    },

    async create(input: CreateWhitelistInput, actor: Actor): Promise<PublicWhitelistEntry> {
      const value = whitelistValue(input.type, input.value);
      const startsAt = isoOrNull(input.startsAt);
      const endsAt = isoOrNull(input.endsAt);
      checkWindow(startsAt, endsAt);
      const now = iso(clock);
      const row: NewWhitelistRow = {
        type: input.type,
        value,
        memo: input.memo ?? null,
        enabled: toInt(input.enabled ?? true),
        starts_at: startsAt,
        ends_at: endsAt,
        created_at: now,
        updated_at: now,
      };
      return createNew(db, clock, {
        write: (trx) => whitelistStore(trx).insert(row).catch(rethrowConflict),
        record: (created) => ({ at: now, actor, action: 'whitelist.create', target: { type: 'whitelist', id: created.id }, after: created,
          event: { name: 'whitelist.updated', data: { entry: created, change: 'created' } } }),
        afterCommit: (created) => changed(created.id, created),
      });
    },

    async update(id: number, input: UpdateWhitelistInput, actor: Actor, ifMatch?: string): Promise<PublicWhitelistEntry> {
      const now = iso(clock);
      return changeExisting(db, clock, existing(id), ifMatch, {
        write: async (trx, before) => {
          const patch: WhitelistPatchRow = {
            ...patchFrom(input, {
              type: 'type',
              memo: 'memo',
              enabled: ['enabled', (v) => toInt(Boolean(v))],
              startsAt: ['starts_at', isoOrNull],
              endsAt: ['ends_at', isoOrNull],
            }),
            updated_at: now,
          };
          checkWindow(patch.starts_at === undefined ? before.startsAt : patch.starts_at, patch.ends_at === undefined ? before.endsAt : patch.ends_at);
          // A new type re-checks the kept value, and a new value is checked against the kept type.
          if (input.type !== undefined || input.value !== undefined) {
            patch.value = whitelistValue(input.type ?? before.type, input.value ?? before.value);
          }
          return (await whitelistStore(trx).update(id, patch).catch(rethrowConflict))!;
        },
        record: (before, after) => ({ at: now, actor, action: 'whitelist.update', target: { type: 'whitelist', id }, before, after,
          event: { name: 'whitelist.updated', data: { entry: after, change: 'updated' } } }),
        afterCommit: (after) => changed(id, after),
      });
    },

    async delete(id: number, actor: Actor, ifMatch?: string): Promise<void> {
      await changeExisting(db, clock, existing(id), ifMatch, {
        write: (trx) => whitelistStore(trx).delete(id),
        record: (before) => ({ actor, action: 'whitelist.delete', target: { type: 'whitelist', id }, before,
          event: { name: 'whitelist.updated', data: { entry: before, change: 'deleted' } } }),
        afterCommit: () => changed(id, undefined),
      });
    },
  };
}

export type WhitelistService = ReturnType<typeof createWhitelistService>;
