import { createHash } from 'node:crypto';
import { PreconditionFailedError } from './errors.ts';

/** Strong ETag of a resource's public representation. */
export function etagOf(resource: unknown): string {
  return `"${contentHash(JSON.stringify(resource))}"`;
}

/** A short hash of a text (SHA-256, base64url, 27 characters): what an ETag quotes. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 27);
}

/** Throws 412 unless an If-Match header value (a list, or `*`) matches the resource's current ETag. */
export function checkIfMatch(ifMatch: string | undefined, current: unknown): void {
  if (ifMatch === undefined) return;
  const wanted = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (wanted.includes('*')) return;
  if (!wanted.includes(etagOf(current))) throw new PreconditionFailedError();
}
