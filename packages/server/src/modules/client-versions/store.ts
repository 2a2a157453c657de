import type { Kysely } from 'kysely';
import { parseJson, toBool } from '../../db/columns.ts';
import { recordsById, type NewRow, type RowOf, type RowPatch } from '../../db/records.ts';
import type { Database } from '../../db/schema.ts';
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

export type NewClientVersionRow = NewRow<'client_versions'>;
export type ClientVersionPatchRow = RowPatch<'client_versions'>;

export function toPublicClientVersion(r: RowOf<'client_versions', typeof COLUMNS>): PublicClientVersion {
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
  const records = recordsById(db, 'client_versions', COLUMNS, toPublicClientVersion);

  return {
    findById: records.findById,

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

    insert: (row: NewClientVersionRow): Promise<PublicClientVersion> => records.insert(row),
    update: (id: number, patch: ClientVersionPatchRow): Promise<PublicClientVersion | undefined> => records.update(id, patch),
    delete: records.delete,
  };
}

export type ClientVersionsStore = ReturnType<typeof clientVersionsStore>;
