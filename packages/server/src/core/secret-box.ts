import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-256-GCM for secrets at rest (webhook signing secrets): `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
export function secretBox(key: Buffer) {
  if (key.length !== 32) throw new Error('the encryption key must be 32 bytes');
  function open(sealed: string): string {
    const [v, iv, tag, ct] = sealed.split('.');
    if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
  return {
    seal(plaintext: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), ct].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    open,
    /** The plaintext, or undefined when `sealed` was not sealed with this key (or is not a sealed secret). */
    tryOpen(sealed: string): string | undefined {
      try {
        return open(sealed);
      } catch {
        return undefined;
      }
    },
  };
}

export type SecretBox = ReturnType<typeof secretBox>;
