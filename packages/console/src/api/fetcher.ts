/**
 * The one way the console calls the API. The generated client (src/api/generated, orval) calls `apiFetch` for
 * every operation; hand-written code uses `apiFetch` or `apiFetchRaw` (streams, downloads).
 *
 * - adds `Authorization: Bearer <access token>` (held in memory only, src/auth/session.ts);
 * - sends `X-Audit-Reason` (URL-encoded) when the call passes `{ reason }`;
 * - turns non-2xx answers into a typed `ApiError { status, code, detail, field? }` (problem+json);
 * - on a 401, refreshes the session once and retries; if that fails the session is marked expired (the shell
 *   then asks to sign in again in a modal, without leaving the page). A 401 to a token that another call has
 *   already renewed is retried with the new one, without a second refresh.
 */
import { apiUrl } from './base.ts';
import { ApiError, problemFrom } from './errors.ts';
import { currentAccessToken, refreshSession, sessionExpired } from '../auth/session.ts';

export { ApiError } from './errors.ts';

/** What orval passes for each operation. */
export interface RequestConfig {
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS' | 'get' | 'post' | 'put' | 'patch' | 'delete';
  params?: object;
  data?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  responseType?: string;
}

/** Per-call options: the second argument of every generated function, and `request` of every generated hook. */
export interface CallOptions {
  /** Why (audit trail): sent as `X-Audit-Reason`, URL-encoded UTF-8, at most 500 characters. */
  reason?: string;
  headers?: Record<string, string>;
  /** Calls without the bearer token and without refresh-and-retry (sign-in itself). */
  anonymous?: boolean;
}

export const MAX_REASON_LENGTH = 500;

/** `?a=1&b=x` from an object; undefined and null values are left out, arrays repeat the key. */
export function queryString(params?: object): string {
  if (!params) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const item of v) q.append(k, String(item));
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

function headersFor(init: RequestInit, options: CallOptions, token: string | undefined): Headers {
  const headers = new Headers(init.headers);
  for (const [k, v] of Object.entries(options.headers ?? {})) headers.set(k, v);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  if (options.reason !== undefined && options.reason.trim() !== '') {
    headers.set('X-Audit-Reason', encodeURIComponent(options.reason.trim().slice(0, MAX_REASON_LENGTH)));
  }
  return headers;
}

/**
 * fetch() with the console's credentials and the 401 refresh-and-retry; returns the Response of any status that
 * is not a 401 (after one refresh), throws `ApiError` for network failures and a final 401.
 */
export async function apiFetchRaw(url: string, init: RequestInit = {}, options: CallOptions = {}): Promise<Response> {
  const token = () => (options.anonymous ? undefined : currentAccessToken());
  const send = (bearer: string | undefined) => fetch(apiUrl(url), { credentials: 'same-origin', ...init, headers: headersFor(init, options, bearer) });
  let response: Response;
  try {
    const sentWith = token();
    response = await send(sentWith);
    if (response.status === 401 && !options.anonymous) {
      // Several calls can meet the same expired token; the first refreshes, the later ones use what it got.
      if (token() !== sentWith || (await refreshSession())) response = await send(token());
      else sessionExpired();
    }
  } catch (e) {
    if (e instanceof ApiError) throw e;
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new ApiError({ status: 0, code: 'network_error', detail: (e as Error)?.message || 'Network error' });
  }
  return response;
}

/** The mutator of the generated client: JSON in, JSON out, `ApiError` on any non-2xx answer. */
export async function apiFetch<T>(config: RequestConfig, options: CallOptions = {}): Promise<T> {
  const init: RequestInit = { method: config.method.toUpperCase(), signal: config.signal, headers: { ...config.headers } };
  if (config.data !== undefined) {
    init.body = JSON.stringify(config.data);
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  const response = await apiFetchRaw(config.url + queryString(config.params), init, options);
  if (!response.ok) throw await problemFrom(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** orval: the error type of every generated hook. */
export type ErrorType<_E> = ApiError;
/** orval: the body type of every generated call. */
export type BodyType<B> = B;

export default apiFetch;
