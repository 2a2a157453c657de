import { createHash, randomBytes } from 'node:crypto';

/** Random credentials (API keys, refresh tokens, webhook secrets) and the hashes they are stored as. */

export function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

export function randomToken(prefix: string, bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}
