/** Conversions between API values and the portable column types of docs/decisions/0002. */
import { ValidationError } from '../core/errors.ts';
import { CUSTOM_PAYLOAD_MAX_BYTES } from '../core/fields.ts';

export const toInt = (b: boolean): number => (b ? 1 : 0);
export const toBool = (n: number | boolean): boolean => Boolean(n);

export function parseJson<T>(text: string | null, fallback: T): T {
  return text === null ? fallback : (JSON.parse(text) as T);
}

/** JSON text for a free-form object column, refusing values larger than maxBytes serialized. */
export function jsonColumn(path: string, value: unknown, maxBytes: number): string | null {
  if (value === null || value === undefined) return null;
  const text = JSON.stringify(value);
  if (Buffer.byteLength(text) > maxBytes) throw new ValidationError(path, `must be at most ${maxBytes} bytes as JSON`);
  return text;
}

/** ISO-8601 UTC with milliseconds, the one format times are stored in; null stays null. */
export function isoOrNull(v: string | null | undefined): string | null {
  return v === null || v === undefined ? null : new Date(v).toISOString();
}

/**
 * Builds a partial row from a partial input: only fields the caller sent are set, so a partial update never
 * resets what it did not mention. `columns` maps each API field to its column, optionally with a conversion.
 */
export function patchFrom<I extends object>(
  input: I,
  columns: { [K in keyof I]?: string | [string, (v: NonNullable<I[K]> | null) => unknown] },
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const field of Object.keys(columns) as (keyof I)[]) {
    const v = input[field];
    if (v === undefined) continue;
    const spec = columns[field]!;
    if (typeof spec === 'string') patch[spec] = v;
    else patch[spec[0]] = spec[1](v as NonNullable<I[typeof field]> | null);
  }
  return patch;
}

/** A window must end after it starts. */
export function checkWindow(startsAt: string | null | undefined, endsAt: string | null | undefined, endsAtPath = 'endsAt'): void {
  if (startsAt && endsAt && new Date(endsAt).getTime() <= new Date(startsAt).getTime()) {
    throw new ValidationError(endsAtPath, 'must be after startsAt');
  }
}

/** The customPayload column: JSON text, refused past CUSTOM_PAYLOAD_MAX_BYTES. */
export const customPayloadColumn = (v: Record<string, unknown> | null): string | null => jsonColumn('customPayload', v, CUSTOM_PAYLOAD_MAX_BYTES);
