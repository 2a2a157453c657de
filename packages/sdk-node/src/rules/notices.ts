/**
 * Which notices a game client gets, as pure functions of the notice list, the client's query and the time: the
 * server's game-client API and the SDK's server cache both answer with them. docs/notices.md has the rules.
 */
import { pickLanguage } from './messages.js';
import { compareVersions } from './version.js';

/** What the rules read of a notice. */
export interface NoticeLike {
  id: number;
  category: string;
  priority: number;
  enabled: boolean;
  title: string;
  body: string;
  translations: Record<string, { title: string; body: string }>;
  channels: readonly string[];
  subChannels: readonly string[];
  worldIds: readonly string[];
  minVersion: string | null;
  maxVersion: string | null;
  startsAt: string | null;
  endsAt: string | null;
  updatedAt: string;
}

/** Who asks: each field left out matches only notices that do not target it. */
export interface NoticeQuery {
  channel?: string;
  subChannel?: string;
  worldId?: string;
  version?: string;
}

/** A notice as a game client gets it, in one language. */
export interface ClientNotice {
  id: number;
  category: string;
  priority: number;
  /** The translation served (its key, e.g. `ko`), or null for the default title and body. */
  lang: string | null;
  title: string;
  body: string;
  startsAt: string | null;
  endsAt: string | null;
  updatedAt: string;
}

const time = (iso: string | null, open: number) => (iso === null ? open : Date.parse(iso));

/** Enabled and inside its window at `now` (startsAt inclusive, endsAt exclusive; a missing bound is open). */
export function noticeShownAt(n: NoticeLike, now: number): boolean {
  return n.enabled && time(n.startsAt, -Infinity) <= now && now < time(n.endsAt, Infinity);
}

const targets = (list: readonly string[], value: string | undefined) => list.length === 0 || (value !== undefined && list.includes(value));

/** The notice is aimed at this client (not looking at its window). */
export function noticeTargets(n: NoticeLike, q: NoticeQuery): boolean {
  if (!targets(n.channels, q.channel) || !targets(n.subChannels, q.subChannel) || !targets(n.worldIds, q.worldId)) return false;
  if (n.minVersion === null && n.maxVersion === null) return true;
  if (q.version === undefined) return false;
  return (n.minVersion === null || compareVersions(q.version, n.minVersion) >= 0) && (n.maxVersion === null || compareVersions(q.version, n.maxVersion) <= 0);
}

/** Higher priority first, then the later start (no start counts as the earliest), then the newer id. */
export function compareNotices(a: NoticeLike, b: NoticeLike): number {
  return b.priority - a.priority || time(b.startsAt, -Infinity) - time(a.startsAt, -Infinity) || b.id - a.id;
}

/** The notices this client gets at `now`, in the order it shows them. */
export function matchNotices<N extends NoticeLike>(notices: readonly N[], q: NoticeQuery, now: number): N[] {
  return notices.filter((n) => noticeShownAt(n, now) && noticeTargets(n, q)).sort(compareNotices);
}

/** When (ms since epoch) the set of notices shown next changes: the earliest start or end after `now`; Infinity if never. */
export function noticesValidUntil(notices: readonly NoticeLike[], now: number): number {
  let until = Infinity;
  for (const n of notices) {
    if (!n.enabled) continue;
    for (const t of [time(n.startsAt, -Infinity), time(n.endsAt, Infinity)]) if (t > now && t < until) until = t;
  }
  return until;
}

/** The notice in the language `lang` selects (the same rule as maintenance messages), else its default text. */
export function localizeNotice(n: NoticeLike, lang: string | undefined): ClientNotice {
  const key = pickLanguage(n.translations, lang);
  const text = key === undefined ? n : n.translations[key];
  return {
    id: n.id,
    category: n.category,
    priority: n.priority,
    lang: key ?? null,
    title: text.title,
    body: text.body,
    startsAt: n.startsAt,
    endsAt: n.endsAt,
    updatedAt: n.updatedAt,
  };
}
