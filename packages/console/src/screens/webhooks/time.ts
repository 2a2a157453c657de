/**
 * `<input type="datetime-local">` values ↔ ISO instants, in the zone the user chose in Settings (local or UTC), so
 * a time typed in a filter means what the table's timestamps show.
 */
import type { TimeZoneMode } from '../../lib/preferences.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO instant as `YYYY-MM-DDTHH:mm` in `mode`'s zone; '' for none. */
export function toInputValue(iso: string | undefined, mode: TimeZoneMode): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return mode === 'utc'
    ? `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
    : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** `YYYY-MM-DDTHH:mm[:ss]` read in `mode`'s zone as an ISO instant; undefined when empty or not a time. */
export function fromInputValue(value: string, mode: TimeZoneMode): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  const date = mode === 'utc' ? new Date(Date.UTC(y, mo - 1, d, h, mi, s)) : new Date(y, mo - 1, d, h, mi, s);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
