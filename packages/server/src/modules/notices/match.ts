/**
 * Which notices a game client gets, as pure functions of the notice list, the client's query and the time: the
 * game-client API (modules/client/service.ts) serves them, and anything that answers the same question
 * elsewhere can call them too. docs/notices.md has the rules.
 */
import { compareVersions } from '../client-versions/version.ts';
import { pickLanguage } from '../maintenance/window.ts';
import type { PublicNotice } from './schemas.ts';

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
  category: PublicNotice['category'];
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
export function noticeShownAt(n: PublicNotice, now: number): boolean {
  return n.enabled && time(n.startsAt, -Infinity) <= now && now < time(n.endsAt, Infinity);
}

const targets = (list: readonly string[], value: string | undefined) => list.length === 0 || (value !== undefined && list.includes(value));

/** The notice is aimed at this client (not looking at its window). */
export function noticeTargets(n: PublicNotice, q: NoticeQuery): boolean {
  if (!targets(n.channels, q.channel) || !targets(n.subChannels, q.subChannel) || !targets(n.worldIds, q.worldId)) return false;
  if (n.minVersion === null && n.maxVersion === null) return true;
  if (q.version === undefined) return false;
  return (n.minVersion === null || compareVersions(q.version, n.minVersion) >= 0) && (n.maxVersion === null || compareVersions(q.version, n.maxVersion) <= 0);
}

/** Higher priority first, then the later start (no start counts as the earliest), then the newer id. */
export function compareNotices(a: PublicNotice, b: PublicNotice): number {
  return b.priority - a.priority || time(b.startsAt, -Infinity) - time(a.startsAt, -Infinity) || b.id - a.id;
}

/** The notices this client gets at `now`, in the order it shows them. */
export function matchNotices(notices: readonly PublicNotice[], q: NoticeQuery, now: number): PublicNotice[] {
  return notices.filter((n) => noticeShownAt(n, now) && noticeTargets(n, q)).sort(compareNotices);
}

/** When (ms since epoch) the set of notices shown next changes: the earliest start or end after `now`; Infinity if never. */
export function noticesValidUntil(notices: readonly PublicNotice[], now: number): number {
  let until = Infinity;
  for (const n of notices) {
    if (!n.enabled) continue;
    for (const t of [time(n.startsAt, -Infinity), time(n.endsAt, Infinity)]) if (t > now && t < until) until = t;
  }
  return until;
}

/** The notice in the language `lang` selects (the same rule as maintenance messages), else its default text. */
export function localizeNotice(n: PublicNotice, lang: string | undefined): ClientNotice {
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
