/**
 * Pure rules of the maintenance screens (worlds and global): which message a game client gets for a language, which
 * languages a set of messages lacks, where a window stands, who still gets in, and the picker's wall-clock values.
 */
import type { TimeZoneMode } from '../../lib/preferences.ts';

export type Messages = Record<string, string>;

/** A BCP-47-like tag the server accepts as a message language (ko, en, zh-Hant, pt-BR…). */
export const LANG_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/;

/**
 * The key of `messages` that serves `lang`, as the game-client API picks it (server maintenance/window.ts): the exact
 * tag, else its base language (`ko` for `ko-KR`), else another tag of the same base language.
 */
export function pickLanguage(messages: Messages, lang: string | undefined): string | undefined {
  if (!lang) return undefined;
  const lower = lang.toLowerCase();
  const keys = Object.keys(messages);
  const base = lower.split('-')[0];
  return (
    keys.find((k) => k.toLowerCase() === lower) ??
    keys.find((k) => k.toLowerCase() === base) ??
    keys.find((k) => k.toLowerCase().split('-')[0] === base)
  );
}

/** What a game client asking in `lang` is shown, and why: its language, the default message, or any message. */
export function resolveMessage(message: string | null, messages: Messages, lang: string | undefined): { text: string | null; source: 'language' | 'default' | 'any' | 'none'; key?: string } {
  const key = pickLanguage(messages, lang);
  if (key !== undefined) return { text: messages[key], source: 'language', key };
  if (message) return { text: message, source: 'default' };
  const [first] = Object.entries(messages);
  return first ? { text: first[1], source: 'any', key: first[0] } : { text: null, source: 'none' };
}

/** The languages of `known` that `messages` serves with no message of their own (they get the fallback). */
export function missingLanguages(messages: Messages, known: string[]): string[] {
  return known.filter((lang) => pickLanguage(messages, lang) === undefined);
}

/** Every language used by any of `lists` plus `base`, `base` first in its order, the others sorted. */
export function languagesInUse(lists: Messages[], base: string[] = ['ko', 'en']): string[] {
  const seen = new Map<string, string>(base.map((l) => [l.toLowerCase(), l]));
  const extra: string[] = [];
  for (const messages of lists) {
    for (const key of Object.keys(messages)) {
      if (seen.has(key.toLowerCase())) continue;
      seen.set(key.toLowerCase(), key);
      extra.push(key);
    }
  }
  return [...base, ...extra.sort((a, b) => a.localeCompare(b))];
}

export interface WindowState {
  /** Maintenance was asked for (global only; a world's is inferred from its window). */
  enabled?: boolean;
  /** In effect now. */
  active: boolean;
  startsAt: string | null;
  endsAt: string | null;
}

/**
 * Where a maintenance window stands at `now`: in effect (`active`), waiting for its start (`scheduled`), or none
 * (`off`: never asked for, ended, or ended by itself).
 */
export function windowPhase(w: WindowState, now: number = Date.now()): 'active' | 'scheduled' | 'off' {
  if (w.active) return 'active';
  if (w.enabled === false) return 'off';
  if (w.startsAt && Date.parse(w.startsAt) > now && (!w.endsAt || Date.parse(w.endsAt) > now)) return 'scheduled';
  return 'off';
}

export interface WhitelistLike {
  enabled: boolean;
  startsAt: string | null;
  endsAt: string | null;
}

/** The whitelist entries that let their holder through maintenance at `at` (enabled and within their own window). */
export function passingEntries<T extends WhitelistLike>(entries: T[], at: number): T[] {
  return entries.filter((e) => e.enabled && (!e.startsAt || Date.parse(e.startsAt) <= at) && (!e.endsAt || Date.parse(e.endsAt) > at));
}

/** Moves `id` by `delta` places (clamped); the same array when it cannot move. */
export function moveBy<T>(ids: T[], id: T, delta: number): T[] {
  const from = ids.indexOf(id);
  const to = Math.max(0, Math.min(ids.length - 1, from + delta));
  return from < 0 || from === to ? ids : moveTo(ids, from, to);
}

/** Moves the item at `from` to `to` (drag and drop). */
export function moveTo<T>(ids: T[], from: number, to: number): T[] {
  const next = ids.slice();
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item);
  return next;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO instant as the date-time picker's wall-clock value (`YYYY-MM-DD HH:mm:ss`) in the zone of `mode`. */
export function toPickerValue(iso: string | null | undefined, mode: TimeZoneMode): string | null {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  const utc = mode === 'utc';
  const parts = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  const [y, mo, day, h, mi, s] = parts;
  return `${y}-${pad(mo)}-${pad(day)} ${pad(h)}:${pad(mi)}:${pad(s)}`;
}

/** The picker's wall-clock value read in the zone of `mode`, as an ISO instant. */
export function fromPickerValue(value: string | null | undefined, mode: TimeZoneMode): string | null {
  if (!value) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number);
  const date = mode === 'utc' ? new Date(Date.UTC(y, mo - 1, d, h, mi, s)) : new Date(y, mo - 1, d, h, mi, s);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
