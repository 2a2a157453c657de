/** The game-client answer, as pure functions of a snapshot; docs/client-api.md has the table. */
import type { ClientVersionStatus, PublicClientVersion } from '../client-versions/schemas.ts';
import { compareVersions } from '../client-versions/version.ts';
import type { PublicGlobalMaintenance } from '../maintenance/schemas.ts';
import { localized, pickLanguage } from '../maintenance/window.ts';

/** Statuses a whitelisted account or IP passes through; update statuses still apply to it. */
const WHITELIST_BYPASSES: ReadonlySet<ClientVersionStatus> = new Set(['MAINTENANCE', 'OFFLINE', 'UNDER_REVIEW', 'BLOCKED_PATCH_ALLOWED']);
/** Statuses that let the client in, so an old patch turns them into FORCED_UPDATE. */
const PLAYABLE: ReadonlySet<ClientVersionStatus> = new Set(['ONLINE', 'RECOMMENDED_UPDATE']);

export interface ClientVersionAnswer {
  channel: string;
  subChannel: string;
  version: string;
  status: ClientVersionStatus;
  message: string | null;
  gameServerAddress: string;
  patchAddress: string;
  minPatchVersion: string | null;
  guestModeAllowed: boolean;
  externalClickLink: string | null;
  customPayload: Record<string, unknown> | null;
  maintenanceStartsAt: string | null;
  maintenanceEndsAt: string | null;
}

export interface ClientRequest {
  patchVersion?: string;
  lang?: string;
  whitelisted: boolean;
}

/** The caller's patch is recent enough (a version without minPatchVersion accepts any, or none). */
export function patchSatisfied(v: PublicClientVersion, patchVersion: string | undefined): boolean {
  return !v.minPatchVersion || (patchVersion !== undefined && compareVersions(patchVersion, v.minPatchVersion) >= 0);
}

export function resolveClientVersion(v: PublicClientVersion, global: PublicGlobalMaintenance, req: ClientRequest): ClientVersionAnswer {
  let status: ClientVersionStatus = v.status;
  let message: string | null = null;
  let window: { startsAt: string | null; endsAt: string | null } = { startsAt: null, endsAt: null };
  if (global.active) {
    status = 'MAINTENANCE';
    message = localized(global.message, global.messages, req.lang);
    window = { startsAt: global.startsAt, endsAt: global.endsAt };
  } else if (status === 'MAINTENANCE') {
    message = localized(v.maintenanceMessage, v.maintenanceMessages, req.lang);
  }
  if (PLAYABLE.has(status) && !patchSatisfied(v, req.patchVersion)) {
    status = 'FORCED_UPDATE';
  }
  if (req.whitelisted && WHITELIST_BYPASSES.has(status)) {
    status = 'ONLINE';
    message = null;
    window = { startsAt: null, endsAt: null };
  }
  return {
    channel: v.channel,
    subChannel: v.subChannel,
    version: v.version,
    status,
    message,
    gameServerAddress: (req.whitelisted && v.gameServerAddressForWhitelist) || v.gameServerAddress,
    patchAddress: (req.whitelisted && v.patchAddressForWhitelist) || v.patchAddress,
    minPatchVersion: v.minPatchVersion,
    guestModeAllowed: v.guestModeAllowed,
    externalClickLink: v.externalClickLink,
    customPayload: v.customPayload,
    maintenanceStartsAt: window.startsAt,
    maintenanceEndsAt: window.endsAt,
  };
}

/**
 * Which configured languages a request's `lang` selects, as a cache key. Cache keys use this rather than
 * the raw parameter, so callers cannot grow the cache with made-up languages.
 */
export function languageKey(lang: string | undefined, ...maps: Readonly<Record<string, unknown>>[]): string {
  return maps.map((m) => pickLanguage(m, lang) ?? '').join('|');
}
