/** An ISO instant as the value of an `<input type="datetime-local">` (the browser's zone), and back. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Whether an entry is in effect now: enabled and inside its optional window. */
export function windowState(entry: { enabled: boolean; startsAt: string | null; endsAt: string | null }, now = Date.now()): 'active' | 'disabled' | 'scheduled' | 'ended' {
  if (!entry.enabled) return 'disabled';
  if (entry.startsAt && Date.parse(entry.startsAt) > now) return 'scheduled';
  if (entry.endsAt && Date.parse(entry.endsAt) <= now) return 'ended';
  return 'active';
}
