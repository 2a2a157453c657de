import { createHash } from 'node:crypto';
import { PreconditionFailedError } from './errors.ts';

/** Strong ETag of a resource's public representation. */
export function etagOf(resource: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(resource)).digest('base64url').slice(0, 27)}"`;
}

/** Throws 412 unless an If-Match header value (a list, or `*`) matches the resource's current ETag. */
export function checkIfMatch(ifMatch: string | undefined, current: unknown): void {
  if (ifMatch === undefined) return;
  const wanted = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (wanted.includes('*')) return;
  if (!wanted.includes(etagOf(current))) throw new PreconditionFailedError();
}
