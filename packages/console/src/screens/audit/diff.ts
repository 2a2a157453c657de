/**
 * A field-level diff of an audit entry's `before` and `after` (the target's public representation). Nested objects
 * are walked and named by dotted paths (`settings.region`); arrays and other values are compared whole, as JSON.
 * Pure: unit-tested in test/audit-diff.test.ts.
 */

export type DiffKind = 'added' | 'removed' | 'changed' | 'unchanged';

export interface DiffEntry {
  /** Dotted path of the field; '' when before/after are not objects (a single value). */
  path: string;
  kind: DiffKind;
  before?: unknown;
  after?: unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}

function walk(before: unknown, after: unknown, path: string, hasBefore: boolean, hasAfter: boolean, out: DiffEntry[]): void {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const k of keys) walk(before[k], after[k], path ? `${path}.${k}` : k, k in before, k in after, out);
    return;
  }
  if (!hasBefore) out.push({ path, kind: 'added', after });
  else if (!hasAfter) out.push({ path, kind: 'removed', before });
  else if (same(before, after)) out.push({ path, kind: 'unchanged', before, after });
  else out.push({ path, kind: 'changed', before, after });
}

/**
 * Every field of `before` and `after` with what happened to it. A null/undefined side (a creation, a deletion)
 * counts as an empty object, so each field of the other side is added or removed.
 */
export function diffFields(before: unknown, after: unknown): DiffEntry[] {
  if ((before === null || before === undefined) && (after === null || after === undefined)) return [];
  const b = before ?? (isPlainObject(after) ? {} : undefined);
  const a = after ?? (isPlainObject(before) ? {} : undefined);
  const out: DiffEntry[] = [];
  walk(b, a, '', b !== undefined, a !== undefined, out);
  return out;
}

/** How many fields changed (added, removed or changed). */
export function changeCount(entries: DiffEntry[]): number {
  return entries.filter((e) => e.kind !== 'unchanged').length;
}

/** A value as one line for the diff table: strings bare, the rest as JSON, undefined as ''. */
export function formatValue(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
