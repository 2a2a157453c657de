import { randomBytes } from 'node:crypto';
import { iso } from '../../core/clock.ts';
import { inTransaction, type AppContext } from '../../context.ts';
import { ConflictError, DomainError, RateLimitedError, UnauthorizedError, ValidationError } from '../../core/errors.ts';
import type { ChangeFeed } from '../../events/changes.ts';
import { recordChange } from '../../events/record.ts';
import type { ApiKeysService } from '../api-keys/service.ts';
import { lookupCache } from '../../core/lookup-cache.ts';
import { then, type MaybePromise } from '../../core/maybe.ts';
import { type Principal, type Actor } from '../../core/permissions.ts';
import type { PublicUser } from '../users/schemas.ts';
import type { UsersService } from '../users/service.ts';
import { usersStore, type Credentials } from '../users/store.ts';
import { LoginLimiter, type FailureCounters } from './login-limiter.ts';
import { assertPasswordAllowed } from '../../core/password-policy.ts';
import { hashPassword, verifyPassword } from '../../core/passwords.ts';
import { refreshTokensStore, revokeAllRefreshTokens } from '../users/sessions-store.ts';
import { accessTokens } from './tokens.ts';
import { randomToken, sha256Hex } from '../../core/tokens.ts';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

const INVALID_LOGIN = 'Invalid username or password';
const INVALID_REFRESH = 'The refresh token is invalid, expired or already used';
const USER_CACHE_MS = 1000;

/** A live connection's credential: who, in which login session (none for API keys), until when. */
export interface Session {
  principal: Principal;
  sessionId?: string;
  expiresAtMs?: number;
}

declare module '../../events/changes.ts' {
  interface ChangeTopics {
    /** Sessions of a user ended without its row changing: logout (one session, or all: no sessionId) and password change. */
    sessions: { userId: number; sessionId: string | undefined };
  }
}

/** The key failed logins are counted under: the user and its lockout epoch, or the name tried when no user has it. */
function accountKey(login: string, creds: Credentials | undefined): string {
  return creds ? `user:${creds.id}.${creds.lockoutEpoch}` : `name:${login.toLowerCase()}`;
}

export function createAuthService(ctx: AppContext, changes: ChangeFeed, users: UsersService, apiKeys: ApiKeysService, failureCounters: FailureCounters) {
  const { db, clock, config } = ctx;
  const tokens = accessTokens(config.jwtSecret, config.accessTokenTtlSeconds);
  const limiter = new LoginLimiter(config.login, failureCounters);

  // Bearer JWTs re-check the user's role and status; a short cache keeps that off the hot path and is
  // cleared for a user the moment this node changes it (forgetPrincipal).
  const principals = lookupCache<number, Principal | undefined>({ ttlMs: USER_CACHE_MS, max: 50_000, load: loadUserPrincipal });
  const endSessions = (userId: number, sessionId?: string) => changes.publish('sessions', { userId, sessionId });

  async function issueTokens(trx: typeof db, userId: number, familyId: string, now: Date): Promise<TokenPair> {
    const refreshToken = randomToken('gtr_');
    await refreshTokensStore(trx).insert({
      userId,
      familyId,
      tokenHash: sha256Hex(refreshToken),
      expiresAt: new Date(now.getTime() + config.refreshTokenTtlSeconds * 1000).toISOString(),
      createdAt: now.toISOString(),
    });
    return { accessToken: await tokens.sign(userId, now, familyId), refreshToken, tokenType: 'Bearer', expiresIn: tokens.ttlSeconds };
  }

  async function loadUserPrincipal(userId: number): Promise<Principal | undefined> {
    const u = await usersStore(db).findCredentialsById(userId);
    return u && u.status === 'active' ? { kind: 'user', userId: u.id, username: u.username, role: u.role } : undefined;
  }

  async function throttle(ip: string, account: string): Promise<void> {
    const wait = await limiter.retryAfter(ip, account);
    if (wait > 0) throw new RateLimitedError(wait, 'Too many failed password attempts; try again later', 'too_many_login_attempts');
  }

  return {
    /** Resolves a bearer credential (access JWT or API key) to who is calling, or undefined when it is not valid. */
    authenticate(credential: string): MaybePromise<Principal | undefined> {
      if (credential.startsWith('gtx_')) return apiKeys.authenticate(credential);
      return then(tokens.verify(credential, clock.now()), (claims) => (claims === undefined ? undefined : principals.get(claims.userId)));
    },

    /**
     * For a socket, which outlives a request: an access token also needs its login session to be live (logout,
     * a password or role change end it), and its expiry is returned so the connection can end with it.
     */
    async authenticateSession(credential: string): Promise<Session | undefined> {
      if (credential.startsWith('gtx_')) {
        const principal = await apiKeys.authenticate(credential);
        return principal && { principal };
      }
      const claims = await tokens.verify(credential, clock.now());
      if (!claims) return undefined;
      if (claims.sessionId !== undefined && !(await refreshTokensStore(db).familyLive(claims.sessionId))) return undefined;
      const principal = await principals.get(claims.userId);
      return principal && { principal, sessionId: claims.sessionId, expiresAtMs: claims.expiresAtMs };
    },

    /** This node changed the user: its role and status are read afresh. */
    forgetPrincipal(userId: number): void {
      principals.forget(userId);
    },

    /** `forConsole`: the operator console signs in, which players may not (refused before any session exists). */
    async login(login: string, password: string, ip: string, requestId: string, forConsole = false): Promise<TokenPair & { user: PublicUser }> {
      const creds = await usersStore(db).findCredentials(login);
      const account = accountKey(login, creds);
      await throttle(ip, account);
      const ok = await verifyPassword(password, creds?.passwordHash ?? null);
      if (!creds || !ok) {
        await limiter.recordFailure(ip, account);
        throw new UnauthorizedError(INVALID_LOGIN, 'invalid_credentials');
      }
      if (creds.status !== 'active') {
        throw new DomainError('forbidden', `account_${creds.status}` as const, `This account is ${creds.status}`);
      }
      await limiter.recordSuccess(ip, account);
      if (forConsole && creds.role === 'player') {
        throw new DomainError('forbidden', 'console_forbidden', 'Players cannot sign in to the console');
      }
      const now = clock.now();
      const at = now.toISOString();
      const actor: Actor = { principal: { kind: 'user', userId: creds.id, username: creds.username, role: creds.role }, ip, requestId };
      const result = await inTransaction(db, async (trx) => {
        const user = (await usersStore(trx).update(creds.id, { last_login_at: at }))!;
        const pair = await issueTokens(trx, creds.id, randomBytes(12).toString('base64url'), now);
        await recordChange(trx, clock, {
          at,
          actor,
          action: 'auth.login',
          target: { type: 'user', id: creds.id },
          event: { name: 'user.login', data: { userId: creds.id, username: creds.username, ip, at } },
        });
        return { ...pair, user };
      });
      // The user's row changed (last_login_at).
      changes.publish('users', { userId: creds.id, user: result.user, before: { ...result.user, lastLoginAt: creds.lastLoginAt } });
      return result;
    },

    async refresh(refreshToken: string): Promise<TokenPair> {
      const now = clock.now();
      const at = now.toISOString();
      const result = await inTransaction(db, async (trx) => {
        const store = refreshTokensStore(trx);
        const row = await store.findByHash(sha256Hex(refreshToken));
        if (!row) return new UnauthorizedError(INVALID_REFRESH, 'invalid_refresh_token');
        if (row.used_at || row.revoked_at || !(await store.spend(Number(row.id), at))) {
          // A spent token presented again means it leaked: end the whole session family.
          await store.revokeFamily(row.family_id, at);
          return new UnauthorizedError(INVALID_REFRESH, 'refresh_token_reused');
        }
        if (row.expires_at <= at) return new UnauthorizedError(INVALID_REFRESH, 'invalid_refresh_token');
        const user = await usersStore(trx).findCredentialsById(Number(row.user_id));
        if (!user || user.status !== 'active') {
          await store.revokeFamily(row.family_id, at);
          return new UnauthorizedError(INVALID_REFRESH, 'invalid_refresh_token');
        }
        return issueTokens(trx, user.id, row.family_id, now);
      });
      // Errors are returned rather than thrown so the revocation above commits.
      if (result instanceof Error) throw result;
      return result;
    },

    /** Ends the session the refresh token belongs to; without a token, every session of the user. */
    async logout(userId: number, refreshToken: string | undefined): Promise<void> {
      const at = iso(clock);
      if (!refreshToken) {
        await revokeAllRefreshTokens(db, userId, at);
        return endSessions(userId);
      }
      const store = refreshTokensStore(db);
      const row = await store.findByHash(sha256Hex(refreshToken));
      if (row && Number(row.user_id) === userId) {
        await store.revokeFamily(row.family_id, at);
        endSessions(userId, row.family_id);
      }
    },

    async changePassword(userId: number, currentPassword: string, newPassword: string, actor: Actor): Promise<void> {
      const creds = await usersStore(db).findCredentialsById(userId);
      // Guessing the current password with a stolen access token is throttled like guessing it at login.
      const ip = actor.ip ?? '';
      const account = accountKey('', creds);
      await throttle(ip, account);
      if (!creds || !(await verifyPassword(currentPassword, creds.passwordHash))) {
        await limiter.recordFailure(ip, account);
        throw new ValidationError('currentPassword', 'is not your current password', 'invalid_current_password');
      }
      if (newPassword === currentPassword) throw new ValidationError('newPassword', 'must differ from the current password', 'password_unchanged');
      assertPasswordAllowed('newPassword', newPassword, creds);
      const hash = await hashPassword(newPassword);
      const at = iso(clock);
      await inTransaction(db, async (trx) => {
        await usersStore(trx).update(userId, { password_hash: hash, updated_at: at });
        await revokeAllRefreshTokens(trx, userId, at);
        await recordChange(trx, clock, { at, actor, action: 'auth.password_change', target: { type: 'user', id: userId } });
      });
      endSessions(userId);
    },

    /** Lifts the user's failed-login lockout on every node (operator CLI). */
    async unlock(userId: number): Promise<void> {
      await usersStore(db).bumpLockoutEpoch(userId);
    },

    /**
     * First start: when no active admin exists, create one from GATRIX_ADMIN_* or with a generated password that
     * is returned (to be printed once start-up has succeeded).
     */
    async ensureAdmin(): Promise<{ username: string; generatedPassword?: string } | undefined> {
      if ((await usersStore(db).countAdmins()) > 0) return undefined;
      const generatedPassword = config.admin.password ? undefined : randomBytes(15).toString('base64url');
      try {
        await users.create(
          { username: config.admin.username, email: config.admin.email, role: 'admin', status: 'active', password: config.admin.password ?? generatedPassword },
          {},
        );
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        // Another node created it a moment ago, or the name belongs to a user who is no longer an active admin:
        // start anyway; the operator CLI is the way back in (docs/operations.md).
        if ((await usersStore(db).countAdmins()) === 0) {
          ctx.log.error(
            { username: config.admin.username, email: config.admin.email },
            'no active admin, and the first admin cannot be created: its username or email is taken; run `npm run gatrix -- admin promote <user>`',
          );
        }
        return undefined;
      }
      return { username: config.admin.username, generatedPassword };
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
