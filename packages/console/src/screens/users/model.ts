/** Pure helpers of the users screens: URL search → API filter, the edit diff, badge colours. */
import type { ListUsersParams } from '../../api/generated/model/listUsersParams.ts';
import type { ListUsersSort } from '../../api/generated/model/listUsersSort.ts';
import type { UserFilter } from '../../api/generated/model/userFilter.ts';
import type { TimeZoneMode } from '../../lib/preferences.ts';
import type { Search } from './search.ts';

export const ROLES = ['admin', 'operator', 'viewer', 'player'] as const;
export const STATUSES = ['active', 'pending', 'suspended'] as const;
export const SORTS = ['id', 'username', 'createdAt', 'lastLoginAt'] as const;
export const PAGE_SIZES = [50, 100] as const;
export const DEFAULT_LIMIT = 50;

/** The instant a calendar day (`2026-03-01`) starts in the zone of `mode`, as ISO 8601. */
export function dayStart(day: string, mode: TimeZoneMode): string {
  const [y, m, d] = day.split('-').map(Number);
  return (mode === 'utc' ? new Date(Date.UTC(y, m - 1, d)) : new Date(y, m - 1, d)).toISOString();
}

/** The instant after a calendar day ends (the API's `…To` bounds are exclusive, the picker's days inclusive). */
export function dayEnd(day: string, mode: TimeZoneMode): string {
  const [y, m, d] = day.split('-').map(Number);
  return (mode === 'utc' ? new Date(Date.UTC(y, m - 1, d + 1)) : new Date(y, m - 1, d + 1)).toISOString();
}

/** The list filters of the URL search, as the API takes them (also the bulk `filter` and the CSV export's query). */
export function filterOf(s: Search, mode: TimeZoneMode): UserFilter {
  const f: UserFilter = {};
  if (s.q) f.q = s.q;
  if (s.role) f.role = s.role;
  if (s.status) f.status = s.status;
  if (s.createdFrom) f.createdFrom = dayStart(s.createdFrom, mode);
  if (s.createdTo) f.createdTo = dayEnd(s.createdTo, mode);
  if (s.lastLoginFrom) f.lastLoginFrom = dayStart(s.lastLoginFrom, mode);
  if (s.lastLoginTo) f.lastLoginTo = dayEnd(s.lastLoginTo, mode);
  return f;
}

/** A sort the API knows, or undefined (its default, `id`). */
export function sortOf(sort: string | undefined): ListUsersSort | undefined {
  const field = sort?.replace(/^-/, '');
  return field && (SORTS as readonly string[]).includes(field) ? (sort as ListUsersSort) : undefined;
}

/** The list call of the URL search: keyset paging by `cursor` (the first page has none). */
export function listParamsOf(s: Search, mode: TimeZoneMode): ListUsersParams {
  const params: ListUsersParams = { ...filterOf(s, mode), limit: s.limit ?? DEFAULT_LIMIT };
  const sort = sortOf(s.sort);
  if (sort) params.sort = sort;
  if (s.cursor) params.cursor = s.cursor;
  return params;
}

/** `?q=…&role=…` of a filter (and sort) for the CSV export. */
export function exportQuery(filter: UserFilter, sort: ListUsersSort | undefined): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  if (sort) q.set('sort', sort);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** Normalises a form value for comparison: empty text and null are the same "not set". */
function norm(v: unknown): unknown {
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  return v ?? null;
}

/** The fields of `next` whose value differs from `before` (old → new), in `fields` order; empty text counts as null. */
export function diffFields<T extends object>(before: T, next: Partial<T>, fields: readonly (keyof T & string)[]): FieldChange[] {
  const out: FieldChange[] = [];
  for (const field of fields) {
    if (!(field in next)) continue;
    const from = norm(before[field]);
    const to = norm(next[field]);
    if (from !== to) out.push({ field, from, to });
  }
  return out;
}

/** The PATCH body of a diff: only the changed fields, with "not set" as null. */
export function patchOf(changes: FieldChange[]): Record<string, unknown> {
  return Object.fromEntries(changes.map((c) => [c.field, c.to]));
}

export const ROLE_COLOR: Record<string, string> = { admin: 'grape', operator: 'blue', viewer: 'teal', player: 'gray' };
export const STATUS_COLOR: Record<string, string> = { active: 'green', pending: 'yellow', suspended: 'red' };

/** Alert title in the body text colour: the tinted title colours of orange/yellow/green alerts fall below AA contrast. */
export const READABLE_ALERT = { title: { color: 'var(--mantine-color-text)' } } as const;
