import { createSecretKey, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { MaybePromise } from '../../core/maybe.ts';

const ISSUER = 'gatrix';
const AUDIENCE = 'gatrix-api';

const VERIFIED_CACHE_MAX = 20_000;

/** What a valid access token says: whose it is, its login session (the refresh-token family) and its expiry. */
export interface AccessClaims {
  userId: number;
  /** Absent from tokens signed before sessions were recorded in them. */
  sessionId?: string;
  expiresAtMs: number;
}

/** Short-lived HS256 access tokens (jose). The user's role and status are re-read on each request. */
export function accessTokens(secret: string, ttlSeconds: number) {
  // A KeyObject is imported once; raw bytes would be re-imported on every sign and verify.
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  // A token's signature and claims never change, so a verified token is remembered until it expires.
  const verified = new Map<string, AccessClaims>();
  return {
    ttlSeconds,
    sign(userId: number, now: Date, sessionId?: string): Promise<string> {
      const iat = Math.floor(now.getTime() / 1000);
      return new SignJWT({ typ: 'access', ...(sessionId ? { sid: sessionId } : {}) })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(String(userId))
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .setJti(randomBytes(9).toString('base64url'))
        .sign(key);
    },
    /** The token's claims, or undefined for any token that is not a valid, unexpired access token of ours. */
    verify(token: string, now: Date): MaybePromise<AccessClaims | undefined> {
      const hit = verified.get(token);
      if (hit) return hit.expiresAtMs > now.getTime() ? hit : undefined;
      return verifyAndRemember(token, now);
    },
  };

  async function verifyAndRemember(token: string, now: Date): Promise<AccessClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], currentDate: now });
      const id = Number(payload.sub);
      if (payload.typ !== 'access' || !Number.isSafeInteger(id) || id <= 0 || payload.exp === undefined) return undefined;
      if (verified.size >= VERIFIED_CACHE_MAX) verified.clear();
      const claims: AccessClaims = { userId: id, expiresAtMs: payload.exp * 1000, ...(typeof payload.sid === 'string' ? { sessionId: payload.sid } : {}) };
      verified.set(token, claims);
      return claims;
    } catch {
      return undefined;
    }
  }
}

export type AccessTokens = ReturnType<typeof accessTokens>;
