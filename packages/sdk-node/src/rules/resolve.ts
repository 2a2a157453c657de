/** The game-client answers, as pure functions of the data Gatrix holds (docs/client-api.md has the table). */
import { localized, pickLanguage, type MessagesMap } from './messages.js';
import { compareVersions } from './version.js';

export type ClientVersionStatus = 'ONLINE' | 'OFFLINE' | 'MAINTENANCE' | 'FORCED_UPDATE' | 'RECOMMENDED_UPDATE' | 'UNDER_REVIEW' | 'BLOCKED_PATCH_ALLOWED';

/** What the rules read of a client version. */
export interface ClientVersionLike {
  channel: string;
  subChannel: string;
  version: string;
  status: ClientVersionStatus;
  gameServerAddress: string;
  gameServerAddressForWhitelist: string | null;
  patchAddress: string;
  patchAddressForWhitelist: string | null;
  minPatchVersion: string | null;
  guestModeAllowed: boolean;
  externalClickLink: string | null;
  customPayload: Record<string, unknown> | null;
  maintenanceMessage: string | null;
  maintenanceMessages: MessagesMap;
}

/** What the rules read of global maintenance; `active` is whether it is in effect (see maintenanceInEffect). */
export interface GlobalMaintenanceLike {
  active: boolean;
  message: string | null;
  messages: MessagesMap;
  startsAt: string | null;
  endsAt: string | null;
}

/** What the rules read of a game world; `maintenance` is whether its maintenance is in effect. */
export interface GameWorldLike {
  id: number;
  worldId: string;
  name: string;
  description: string | null;
  visible: boolean;
  maintenance: boolean;
  maintenanceMessage: string | null;
  maintenanceMessages: MessagesMap;
  maintenanceStartsAt: string | null;
  maintenanceEndsAt: string | null;
  displayOrder: number;
  region: string | null;
  tags: string[];
  customPayload: Record<string, unknown> | null;
}

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

/** The `version` a client passes to be answered for the newest registered version of its channel and sub-channel. */
export const LATEST = 'latest';

/** The caller's patch is recent enough (a version without minPatchVersion accepts any, or none). */
export function patchSatisfied(v: ClientVersionLike, patchVersion: string | undefined): boolean {
  return !v.minPatchVersion || (patchVersion !== undefined && compareVersions(patchVersion, v.minPatchVersion) >= 0);
}

export function resolveClientVersion(v: ClientVersionLike, global: GlobalMaintenanceLike, req: ClientRequest): ClientVersionAnswer {
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

/** A maintenance window announced before it starts, with its message in the caller's language. */
export interface UpcomingMaintenance {
  startsAt: string;
  endsAt: string | null;
  message: string | null;
}

/**
 * GET /client/status: global maintenance as a caller sees it (`g.active`: in effect now), and the scheduled window
 * when `upcoming` (see maintenanceAt).
 */
export function clientStatus(g: GlobalMaintenanceLike, upcoming: boolean, whitelisted: boolean, lang: string | undefined) {
  const maintenance = g.active && !whitelisted;
  return {
    maintenance,
    message: maintenance ? localized(g.message, g.messages, lang) : null,
    startsAt: g.startsAt,
    endsAt: g.endsAt,
    upcoming: upcoming ? ({ startsAt: g.startsAt!, endsAt: g.endsAt, message: localized(g.message, g.messages, lang) } as UpcomingMaintenance) : null,
  };
}

/** One world of GET /client/game-worlds: the world as a caller sees it (`w.maintenance`: in effect now; `upcoming`: scheduled). */
export function clientWorld(w: GameWorldLike, upcoming: boolean, whitelisted: boolean, lang: string | undefined) {
  const maintenance = w.maintenance && !whitelisted;
  return {
    id: w.id,
    worldId: w.worldId,
    name: w.name,
    description: w.description,
    displayOrder: w.displayOrder,
    region: w.region,
    tags: w.tags,
    customPayload: w.customPayload,
    maintenance,
    maintenanceMessage: maintenance ? localized(w.maintenanceMessage, w.maintenanceMessages, lang) : null,
    maintenanceEndsAt: maintenance ? w.maintenanceEndsAt : null,
    upcomingMaintenance: upcoming
      ? ({ startsAt: w.maintenanceStartsAt!, endsAt: w.maintenanceEndsAt, message: localized(w.maintenanceMessage, w.maintenanceMessages, lang) } as UpcomingMaintenance)
      : null,
  };
}

export type ClientStatus = ReturnType<typeof clientStatus>;
export type ClientGameWorld = ReturnType<typeof clientWorld>;

/**
 * Which configured languages a request's `lang` selects, as a cache key. Cache keys use this rather than
 * the raw parameter, so callers cannot grow the cache with made-up languages.
 */
export function languageKey(lang: string | undefined, ...maps: Readonly<Record<string, unknown>>[]): string {
  return maps.map((m) => pickLanguage(m, lang) ?? '').join('|');
}

const channelKey = (channel: string, subChannel: string) => `${channel}\u0000${subChannel}`;
const versionKey = (channel: string, subChannel: string, version: string) => `${channelKey(channel, subChannel)}\u0000${version}`;

/** Versions by (channel, subChannel, version), and each channel × sub-channel's versions newest first. */
export function indexVersions<T>(items: readonly T[], versionOf: (item: T) => ClientVersionLike) {
  const byVersion = new Map<string, T>();
  const byChannel = new Map<string, T[]>();
  for (const item of items) {
    const v = versionOf(item);
    byVersion.set(versionKey(v.channel, v.subChannel, v.version), item);
    const key = channelKey(v.channel, v.subChannel);
    const list = byChannel.get(key);
    if (list) list.push(item);
    else byChannel.set(key, [item]);
  }
  for (const list of byChannel.values()) list.sort((a, b) => compareVersions(versionOf(b).version, versionOf(a).version));
  return {
    /** The item of that version, or of the newest version for `latest`; undefined when unknown. */
    find: (channel: string, subChannel: string, version: string): T | undefined =>
      version === LATEST ? byChannel.get(channelKey(channel, subChannel))?.[0] : byVersion.get(versionKey(channel, subChannel, version)),
    /** The versions of a channel and sub-channel, newest first; undefined when there are none. */
    list: (channel: string, subChannel: string): T[] | undefined => byChannel.get(channelKey(channel, subChannel)),
  };
}
