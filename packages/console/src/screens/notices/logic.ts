/**
 * What a game client gets of a notice, for the form's preview: the server's rules (packages/sdk-node/src/rules/notices.ts) on
 * the notice being edited, with the console's copies of version order and language choice
 * (test/server-parity.test.ts holds them to the server's).
 */
import { compareVersions } from '../client-versions/version.ts';
import { pickLanguage } from '../maintenance/logic.ts';

export interface NoticeLike {
  title: string;
  body: string;
  translations: Record<string, { title: string; body: string }>;
  enabled: boolean;
  startsAt: string | null;
  endsAt: string | null;
  channels: string[];
  subChannels: string[];
  worldIds: string[];
  minVersion: string | null;
  maxVersion: string | null;
}

export interface ClientQuery {
  channel?: string;
  subChannel?: string;
  worldId?: string;
  version?: string;
}

/** Why a client does not get the notice, or null when it does (at `now`). */
export type Miss = 'disabled' | 'notStarted' | 'ended' | 'channel' | 'subChannel' | 'world' | 'version' | null;

const aims = (list: string[], value: string | undefined) => list.length === 0 || (value !== undefined && list.includes(value));

export function missFor(n: NoticeLike, q: ClientQuery, now: number = Date.now()): Miss {
  if (!n.enabled) return 'disabled';
  if (n.startsAt && Date.parse(n.startsAt) > now) return 'notStarted';
  if (n.endsAt && Date.parse(n.endsAt) <= now) return 'ended';
  if (!aims(n.channels, q.channel)) return 'channel';
  if (!aims(n.subChannels, q.subChannel)) return 'subChannel';
  if (!aims(n.worldIds, q.worldId)) return 'world';
  if (n.minVersion === null && n.maxVersion === null) return null;
  if (!q.version) return 'version';
  if (n.minVersion !== null && compareVersions(q.version, n.minVersion) < 0) return 'version';
  if (n.maxVersion !== null && compareVersions(q.version, n.maxVersion) > 0) return 'version';
  return null;
}

/** The title and body a client asking in `lang` is shown, and the translation served (null: the default text). */
export function localize(n: Pick<NoticeLike, 'title' | 'body' | 'translations'>, lang: string | undefined): { lang: string | null; title: string; body: string } {
  const key = pickLanguage(Object.fromEntries(Object.keys(n.translations).map((k) => [k, k])), lang);
  const text = key === undefined ? n : n.translations[key];
  return { lang: key ?? null, title: text.title, body: text.body };
}

/** Where a notice's window stands now. */
export function noticeState(n: Pick<NoticeLike, 'enabled' | 'startsAt' | 'endsAt'>, now: number = Date.now()): 'live' | 'disabled' | 'scheduled' | 'ended' {
  if (n.endsAt && Date.parse(n.endsAt) <= now) return 'ended';
  if (!n.enabled) return 'disabled';
  if (n.startsAt && Date.parse(n.startsAt) > now) return 'scheduled';
  return 'live';
}
