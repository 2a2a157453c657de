import type { Kysely } from 'kysely';
import { parseJson, toBool } from '../../db/columns.ts';
import type { ClientVersionsTable, Database } from '../../db/schema.ts';
import type { ClientVersionStatus, ListClientVersionsFilter, PublicClientVersion } from './schemas.ts';
import type { VersionKey } from './version.ts';
import { type MessagesMap } from '../../core/fields.ts';

const COLUMNS = [
  'id',
  'channel',
  'sub_channel',
  'version',
  'status',
  'game_server_address',
  'game_server_address_for_whitelist',
  'patch_address',
  'patch_address_for_whitelist',
  'min_patch_version',
  'guest_mode_allowed',
  'external_click_link',
  'custom_payload',
  'maintenance_message',
  'maintenance_messages',
  'memo',
  'created_at',
  'updated_at',
] as const;

type Row = Omit<ClientVersionsTable, 'id'> & { id: number };
export type NewClientVersionRow = Omit<ClientVersionsTable, 'id'>;
export type ClientVersionPatchRow = Partial<Omit<ClientVersionsTable, 'id' | 'created_at'>>;

export function toPublicClientVersion(r: Row): PublicClientVersion {
  return {
    id: Number(r.id),
    channel: r.channel,
    subChannel: r.sub_channel,
    version: r.version,
    status: r.status as ClientVersionStatus,
    gameServerAddress: r.game_server_address,
    gameServerAddressForWhitelist: r.game_server_address_for_whitelist,
    patchAddress: r.patch_address,
    patchAddressForWhitelist: r.patch_address_for_whitelist,
    minPatchVersion: r.min_patch_version,
    guestModeAllowed: toBool(r.guest_mode_allowed),
    externalClickLink: r.external_click_link,
    customPayload: parseJson<Record<string, unknown> | null>(r.custom_payload, null),
    maintenanceMessage: r.maintenance_message,
    maintenanceMessages: parseJson<MessagesMap>(r.maintenance_messages, {}),
    memo: r.memo,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

type Filter = Pick<ListClientVersionsFilter, 'channel' | 'subChannel' | 'status'>;

/** Kysely queries for client versions; returns undefined for "not found" and leaves the decision to the service. */
export function clientVersionsStore(db: Kysely<Database>) {
  function filtered(f: Filter) {
    let q = db.selectFrom('client_versions');
    if (f.channel) q = q.where('channel', '=', f.channel);
    if (f.subChannel) q = q.where('sub_channel', '=', f.subChannel);
    if (f.status) q = q.where('status', '=', f.status);
    return q;
  }

  return {
    async findById(id: number): Promise<PublicClientVersion | undefined> {
      const r = await db.selectFrom('client_versions').select(COLUMNS).where('id', '=', id).executeTakeFirst();
      return r && toPublicClientVersion(r);
    },

    /** Just what ordering needs, for every version the filter matches (the service sorts versions numerically). */
    async keys(f: Filter): Promise<VersionKey[]> {
      const rows = await filtered(f).select(['id', 'channel', 'sub_channel', 'version']).execute();
      return rows.map((r) => ({ id: Number(r.id), channel: r.channel, subChannel: r.sub_channel, version: r.version }));
    },

    async findByIds(ids: number[]): Promise<PublicClientVersion[]> {
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('client_versions').select(COLUMNS).where('id', 'in', ids).execute();
      return rows.map(toPublicClientVersion);
    },

    async all(): Promise<PublicClientVersion[]> {
      const rows = await db.selectFrom('client_versions').select(COLUMNS).execute();
      return rows.map(toPublicClientVersion);
    },

    async insert(row: NewClientVersionRow): Promise<PublicClientVersion> {
      const r = await db.insertInto('client_versions').values(row).returning(COLUMNS).executeTakeFirstOrThrow();
      return toPublicClientVersion(r);
    },

    async update(id: number, patch: ClientVersionPatchRow): Promise<PublicClientVersion | undefined> {
      const r = await db.updateTable('client_versions').set(patch).where('id', '=', id).returning(COLUMNS).executeTakeFirst();
      return r && toPublicClientVersion(r);
    },

    async delete(id: number): Promise<boolean> {
      const r = await db.deleteFrom('client_versions').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

export type ClientVersionsStore = ReturnType<typeof clientVersionsStore>;
