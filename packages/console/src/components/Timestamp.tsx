import { formatInstant, useTimeZoneMode } from '../lib/preferences.ts';

/**
 * A point in time, shown in the zone the user chose in Settings (local or UTC) with the zone written out; the native
 * tooltip (`title`, cheap enough for thousands of table cells) shows the other zone. Accepts an ISO string, epoch milliseconds or a Date; null/undefined render a dash.
 */
export function Timestamp({ value, withSeconds = true }: { value: string | number | Date | null | undefined; withSeconds?: boolean }) {
  const mode = useTimeZoneMode();
  if (value === null || value === undefined || value === '') return <span>—</span>;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return <span>{String(value)}</span>;
  return (
    <time dateTime={date.toISOString()} title={formatInstant(date, mode === 'utc' ? 'local' : 'utc', withSeconds)} style={{ whiteSpace: 'nowrap' }}>
      {formatInstant(date, mode, withSeconds)}
    </time>
  );
}
