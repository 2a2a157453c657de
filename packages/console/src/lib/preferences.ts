/** Display preferences kept in localStorage: how times show (local or UTC). Theme and language live in Mantine and i18n. */
import { useSyncExternalStore } from 'react';

export type TimeZoneMode = 'local' | 'utc';
const KEY = 'gatrix.timezone';
const listeners = new Set<() => void>();

function read(): TimeZoneMode {
  return typeof localStorage !== 'undefined' && localStorage.getItem(KEY) === 'utc' ? 'utc' : 'local';
}
let mode: TimeZoneMode = read();

export function getTimeZoneMode(): TimeZoneMode {
  return mode;
}
export function setTimeZoneMode(next: TimeZoneMode): void {
  mode = next;
  localStorage.setItem(KEY, next);
  for (const l of listeners) l();
}
export function useTimeZoneMode(): TimeZoneMode {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    getTimeZoneMode,
    getTimeZoneMode,
  );
}
/** The browser's IANA zone, e.g. Asia/Seoul. */
export function localZoneName(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'local';
}

const pad = (n: number) => String(n).padStart(2, '0');
/** `2026-12-01 09:30:05 UTC+09:00` (local) or `2026-12-01 00:30:05 UTC`: the zone is always written out. */
export function formatInstant(date: Date, mode: TimeZoneMode, withSeconds = true): string {
  const utc = mode === 'utc';
  const y = utc ? date.getUTCFullYear() : date.getFullYear();
  const mo = (utc ? date.getUTCMonth() : date.getMonth()) + 1;
  const d = utc ? date.getUTCDate() : date.getDate();
  const h = utc ? date.getUTCHours() : date.getHours();
  const mi = utc ? date.getUTCMinutes() : date.getMinutes();
  const s = utc ? date.getUTCSeconds() : date.getSeconds();
  const time = `${y}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}${withSeconds ? `:${pad(s)}` : ''}`;
  if (utc) return `${time} UTC`;
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${time} UTC${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}
