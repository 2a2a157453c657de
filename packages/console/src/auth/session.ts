/**
 * The signed-in session, in memory only: the access token never touches localStorage or sessionStorage. The refresh
 * token is an HttpOnly cookie the server sets when sign-in sends `X-Gatrix-Client: console`; a page load restores
 * the session with `POST /api/v1/auth/refresh` (the cookie goes along, `credentials: 'same-origin'`).
 *
 * The access token is refreshed ahead of its expiry. When a refresh fails the session becomes `expired`: the shell
 * shows a sign-in modal over the page (nothing is lost; forms keep drafts with useDraft).
 */
import { useSyncExternalStore } from 'react';
import type { User } from '../api/generated/model/index.ts';
import { apiUrl } from '../api/base.ts';
import { ApiError, problemFrom } from '../api/errors.ts';

export type SessionUser = User;
export type SessionStatus = 'unknown' | 'signedOut' | 'signedIn' | 'expired';

export interface SessionState {
  status: SessionStatus;
  user?: SessionUser;
  /** When the access token expires (ms since epoch). */
  accessExpiresAt?: number;
  /** When the session can no longer be refreshed, when the server says (ms since epoch). */
  sessionExpiresAt?: number;
}

export const CLIENT_HEADER = { 'X-Gatrix-Client': 'console' } as const;
/** Refresh this long before the access token expires. */
const REFRESH_AHEAD_MS = 60_000;

interface TokenAnswer {
  accessToken: string;
  expiresIn: number;
  /** Only from a server without the console cookie flow; then kept in memory (never stored). */
  refreshToken?: string;
  /** Seconds until the session (the refresh cookie) ends, when the server says. */
  refreshExpiresIn?: number;
  user?: SessionUser;
}

let state: SessionState = { status: 'unknown' };
let accessToken: string | undefined;
let memoryRefreshToken: string | undefined;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<boolean> | undefined;
const listeners = new Set<() => void>();

function set(next: SessionState): void {
  state = next;
  for (const l of listeners) l();
}

export function getSession(): SessionState {
  return state;
}
export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
export function useSession(): SessionState {
  return useSyncExternalStore(subscribeSession, getSession, getSession);
}
export function currentAccessToken(): string | undefined {
  return accessToken;
}

async function post(url: string, body: unknown, token?: string): Promise<Response> {
  return fetch(apiUrl(url), {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', ...CLIENT_HEADER, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

async function fetchMe(token: string): Promise<SessionUser> {
  const r = await fetch(apiUrl('/api/v1/auth/me'), { headers: { Authorization: `Bearer ${token}` }, credentials: 'same-origin' });
  if (!r.ok) throw await problemFrom(r);
  return (await r.json()) as SessionUser;
}

async function accept(answer: TokenAnswer): Promise<void> {
  accessToken = answer.accessToken;
  if (answer.refreshToken) memoryRefreshToken = answer.refreshToken;
  const user = answer.user ?? state.user ?? (await fetchMe(answer.accessToken));
  const now = Date.now();
  set({
    status: 'signedIn',
    user,
    accessExpiresAt: now + answer.expiresIn * 1000,
    sessionExpiresAt: answer.refreshExpiresIn ? now + answer.refreshExpiresIn * 1000 : state.sessionExpiresAt,
  });
  clearTimeout(refreshTimer);
  const wait = Math.max(5_000, answer.expiresIn * 1000 - REFRESH_AHEAD_MS);
  refreshTimer = setTimeout(() => {
    void refreshSession().then((ok) => {
      if (!ok) sessionExpired();
    });
  }, wait);
  // Outside a browser (tests), a pending refresh must not keep the process alive.
  (refreshTimer as { unref?: () => void }).unref?.();
}

/** Signs in; throws ApiError (403 `console_forbidden` for players, 401 bad credentials, 429 locked). */
export async function login(username: string, password: string): Promise<SessionUser> {
  const r = await post('/api/v1/auth/login', { username, password });
  if (!r.ok) throw await problemFrom(r);
  const answer = (await r.json()) as TokenAnswer;
  if (state.user && answer.user && state.user.id !== answer.user.id) {
    // Another account signed in over an expired session: nothing of the previous user's must stay.
    state = { status: 'unknown' };
  }
  await accept(answer);
  return state.user!;
}

/**
 * Trades the refresh cookie for a new access token; one refresh at a time (concurrent 401s share it).
 * Resolves false when the session cannot be refreshed.
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const r = await post('/api/v1/auth/refresh', memoryRefreshToken ? { refreshToken: memoryRefreshToken } : {});
      if (!r.ok) return false;
      await accept((await r.json()) as TokenAnswer);
      return true;
    } catch {
      return false;
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

/** On app load: restores the session from the refresh cookie, or marks the console signed out. */
export async function restoreSession(): Promise<SessionState> {
  if (state.status === 'unknown') {
    const ok = await refreshSession();
    if (!ok && state.status === 'unknown') set({ status: 'signedOut' });
  }
  return state;
}

/** The session could not be refreshed while signed in: keep the user shown, ask to sign in again. */
export function sessionExpired(): void {
  clearTimeout(refreshTimer);
  accessToken = undefined;
  memoryRefreshToken = undefined;
  if (state.status === 'signedIn') set({ ...state, status: 'expired' });
  else if (state.status === 'unknown') set({ status: 'signedOut' });
}

export async function logout(): Promise<void> {
  const token = accessToken;
  const body = memoryRefreshToken ? { refreshToken: memoryRefreshToken } : {};
  clearTimeout(refreshTimer);
  accessToken = undefined;
  memoryRefreshToken = undefined;
  try {
    if (token) await post('/api/v1/auth/logout', body, token);
  } catch {
    // signed out locally anyway
  }
  set({ status: 'signedOut' });
}

export { ApiError };
