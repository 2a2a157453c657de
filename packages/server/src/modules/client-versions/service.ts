import { iso } from '../../core/clock.ts';
import type { AppContext } from '../../context.ts';
import type { Db } from '../../db/index.ts';
import { rethrowConflict } from '../../db/dialect.ts';
import { patchFrom, toInt, customPayloadColumn } from '../../db/columns.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { ChangeFeed } from '../../events/changes.ts';
import { changeExisting, createNew } from '../../events/record.ts';
import type {
  CreateClientVersionInput,
  ListClientVersionsFilter,
  PublicClientVersion,
  UpdateClientVersionInput,
} from './schemas.ts';
import { clientVersionsStore, type ClientVersionPatchRow, type NewClientVersionRow } from './store.ts';
import { compareVersionKeys } from './version.ts';
import { type Actor } from '../../core/permissions.ts';
import { page, type Page } from '../../core/paging.ts';

/** The columns of the fields a request sent; create and update share it, so they never convert a field differently. */
function columnsOf(input: UpdateClientVersionInput): ClientVersionPatchRow {
  return patchFrom(input, {
    channel: 'channel',
    subChannel: 'sub_channel',
    version: 'version',
    status: 'status',
    gameServerAddress: 'game_server_address',
    gameServerAddressForWhitelist: 'game_server_address_for_whitelist',
    patchAddress: 'patch_address',
    patchAddressForWhitelist: 'patch_address_for_whitelist',
    minPatchVersion: 'min_patch_version',
    guestModeAllowed: ['guest_mode_allowed', (v) => toInt(Boolean(v))],
    externalClickLink: 'external_click_link',
    customPayload: ['custom_payload', customPayloadColumn],
    maintenanceMessage: 'maintenance_message',
    maintenanceMessages: ['maintenance_messages', (v) => JSON.stringify(v)],
    memo: 'memo',
  });
}

/** What a create leaves out. */
const DEFAULTS = {
  game_server_address_for_whitelist: null,
  patch_address_for_whitelist: null,
  min_patch_version: null,
  guest_mode_allowed: 0,
  external_click_link: null,
  custom_payload: null,
  maintenance_message: null,
  maintenance_messages: '{}',
  memo: null,
} satisfies Partial<NewClientVersionRow>;

const notFound = (id: number) => new NotFoundError(`Client version ${id}`, 'client_version_not_found');
/** A version as its updates and deletes find it. */
const existing = (id: number) => ({ load: (trx: Db) => clientVersionsStore(trx).findById(id), notFound: () => notFound(id) });

declare module '../../events/changes.ts' {
  interface ChangeTopics {
    /** A client version changed (undefined: deleted); the game-client API drops its cache. */
    'client-versions': { id: number; clientVersion: PublicClientVersion | undefined };
  }
}

export function createClientVersionsService(ctx: AppContext, changes: ChangeFeed) {
  const { db, clock } = ctx;
  const changed = (id: number, clientVersion: PublicClientVersion | undefined) => changes.publish('client-versions', { id, clientVersion });

  return {
    /**
     * Ordered by channel, subChannel, then version numerically per dot segment (`1.10` after `1.9`), then id.
     * SQL cannot order that way on both databases, so the filter's (id, channel, subChannel, version) keys are
     * sorted here and only the page's rows are read: versions are release builds, hundreds at most.
     */
    async list(filter: ListClientVersionsFilter): Promise<Page<PublicClientVersion>> {
      const store = clientVersionsStore(db);
      const keys = (await store.keys(filter)).sort(compareVersionKeys);
      const ids = keys.slice((filter.page - 1) * filter.limit, filter.page * filter.limit).map((k) => k.id);
      const rows = new Map((await store.findByIds(ids)).map((v) => [v.id, v]));
      // A version deleted between the two reads is left out of the page rather than failing it.
      const data = ids.flatMap((id) => rows.get(id) ?? []);
      return page(data, filter.page, filter.limit, keys.length);
    },

    /** Every version, in list order (the game-client API caches this). */
    async all(): Promise<PublicClientVersion[]> {
      return (await clientVersionsStore(db).all()).sort(compareVersionKeys);
    },

    async get(id: number): Promise<PublicClientVersion> {
      const clientVersion = await clientVersionsStore(db).findById(id);
      if (!clientVersion) throw notFound(id);
      return clientVersion;
    },

    async create(input: CreateClientVersionInput, actor: Actor): Promise<PublicClientVersion> {
      const now = iso(clock);
      // columnsOf sets every required column, because the create body requires their fields.
      const row = { ...DEFAULTS, ...columnsOf(input), created_at: now, updated_at: now } as NewClientVersionRow;
      return createNew(db, clock, {
        write: (trx) => clientVersionsStore(trx).insert(row).catch(rethrowConflict),
        record: (created) => ({ at: now, actor, action: 'client_version.create', target: { type: 'client_version', id: created.id }, after: created,
          event: { name: 'client_version.created', data: { id: created.id, clientVersion: created } } }),
        afterCommit: (created) => changed(created.id, created),
      });
    },

    async update(id: number, input: UpdateClientVersionInput, actor: Actor, ifMatch?: string): Promise<PublicClientVersion> {
      const now = iso(clock);
      const patch: ClientVersionPatchRow = { ...columnsOf(input), updated_at: now };
      return changeExisting(db, clock, existing(id), ifMatch, {
        write: async (trx) => (await clientVersionsStore(trx).update(id, patch).catch(rethrowConflict))!,
        record: (before, after) => ({ at: now, actor, action: 'client_version.update', target: { type: 'client_version', id }, before, after,
          event: { name: 'client_version.updated', data: { id, clientVersion: after } } }),
        afterCommit: (after) => changed(id, after),
      });
    },

    async delete(id: number, actor: Actor, ifMatch?: string): Promise<void> {
      await changeExisting(db, clock, existing(id), ifMatch, {
        write: (trx) => clientVersionsStore(trx).delete(id),
        record: (before) => ({ actor, action: 'client_version.delete', target: { type: 'client_version', id }, before,
          event: { name: 'client_version.deleted', data: { id, clientVersion: before } } }),
        afterCommit: () => changed(id, undefined),
      });
    },
  };
}

export type ClientVersionsService = ReturnType<typeof createClientVersionsService>;
