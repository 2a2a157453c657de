import type { SecretBox } from '../../core/secret-box.ts';
import { parseJson } from '../../db/columns.ts';

/**
 * An endpoint's custom headers often carry the partner's credential (`Authorization`, `X-Api-Key`), so every value
 * is one: sealed at rest, and shown — in responses, attempt logs and the audit log — as this.
 */
export const MASKED_HEADER_VALUE = '[REDACTED]';

/**
 * The stored form: names in clear, each value sealed. A value sent back as the mask keeps the value stored under
 * that name, so a client can send back the headers it read.
 */
export function sealHeaders(box: SecretBox, headers: Record<string, string>, stored = '{}'): string {
  const kept = parseJson<Record<string, string>>(stored, {});
  return JSON.stringify(
    Object.fromEntries(Object.entries(headers).map(([name, v]) => [name, v === MASKED_HEADER_VALUE && kept[name] ? kept[name] : box.seal(v)])),
  );
}

/** The values to send. */
export function openHeaders(box: SecretBox, stored: string): Record<string, string> | undefined {
  const open: Record<string, string> = {};
  for (const [name, sealed] of Object.entries(parseJson<Record<string, string>>(stored, {}))) {
    const value = box.tryOpen(sealed);
    if (value === undefined) return undefined; // sealed with another key
    open[name] = value;
  }
  return open;
}

/** The names, each with the mask for value. */
export function maskedHeaders(stored: string): Record<string, string> {
  return Object.fromEntries(Object.keys(parseJson<Record<string, string>>(stored, {})).map((name) => [name, MASKED_HEADER_VALUE]));
}
