import { randomUUID } from 'node:crypto';
import { GatrixConnectionError, GatrixError, GatrixTimeoutError } from './errors.js';
import { VERSION } from './version.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A credential, or a function that returns one (called before every attempt, so it may refresh a token). */
export type Credential = string | (() => string | Promise<string>);

export interface GatrixClientOptions {
  /** An API key (admin, server or client type). Defaults to `GATRIX_API_KEY` when no accessToken is given. */
  apiKey?: string;
  /** An access JWT from `auth.login()`, or a function returning a current one. */
  accessToken?: Credential;
  /** Where Gatrix runs, e.g. `https://api.gatrix.com`. Defaults to `GATRIX_BASE_URL`, else `http://localhost:3000`. */
  baseURL?: string;
  /** Milliseconds one attempt may take, answer body included. Default 30000. */
  timeout?: number;
  /** Retries after a network error, a timeout, 408, 429, 502, 503 or 504. Default 2. */
  maxRetries?: number;
  /** Replaces the `User-Agent` header (`gatrix-nodejs-sdk/<version> node/<version>`). */
  userAgent?: string;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** The longest `Retry-After` (seconds) the client waits for by itself; a longer one fails the call. Default 60. */
  maxRetryAfter?: number;
  /** A fetch implementation (default: Node's built-in fetch). */
  fetch?: typeof fetch;
}

/** Options of one call; they override the client's. */
export interface RequestOptions {
  timeout?: number;
  maxRetries?: number;
  /** The `Idempotency-Key` of a POST; one is generated when absent. The same key is sent on every retry. */
  idempotencyKey?: string;
  /** `If-Match`: the ETag the resource must still have (PUT, PATCH, DELETE), else 412. */
  ifMatch?: string;
  headers?: Record<string, string>;
  /** Aborts the call (not retried). */
  signal?: AbortSignal;
}

export type QueryValue = string | number | boolean | Date | null | undefined;
export type Query = Record<string, QueryValue | readonly QueryValue[]>;

const RETRYABLE_STATUS = new Set([408, 429, 502, 503, 504]);
const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;

export function normalizeBaseURL(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`baseURL must be an absolute http(s) URL, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`baseURL must be http or https, got ${url.protocol}`);
  // The integration guide's sample (docs/integration-guide.md) passes the host only; accept a base that already ends in the API prefix too.
  const pathname = url.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  return `${url.origin}${pathname}`;
}

/** Seconds from a `Retry-After` header (delta-seconds or HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}

/** Exponential backoff with jitter: half the step fixed, half random. */
export function backoffMs(attempt: number): number {
  const step = Math.min(MAX_DELAY_MS, INITIAL_DELAY_MS * 2 ** attempt);
  return step / 2 + Math.random() * (step / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

function assertPositive(name: string, value: number, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) throw new TypeError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${value}`);
  return value;
}

/** Sends requests: authentication, timeouts, retries with backoff, idempotency keys, problem+json → GatrixError. */
export class Transport {
  readonly baseURL: string;
  readonly credential: Credential | undefined;
  /** Milliseconds one attempt may take unless a call says otherwise. */
  readonly timeout: number;
  private readonly maxRetries: number;
  private readonly maxRetryAfter: number;
  private readonly userAgent: string;
  private readonly headers: Record<string, string>;
  private readonly fetchImpl: typeof fetch;

  constructor(options: GatrixClientOptions) {
    if (options.apiKey !== undefined && options.accessToken !== undefined) {
      throw new TypeError('Give either apiKey or accessToken, not both');
    }
    this.credential = options.apiKey ?? options.accessToken ?? (process.env.GATRIX_API_KEY || undefined);
    this.baseURL = normalizeBaseURL(options.baseURL ?? (process.env.GATRIX_BASE_URL || 'http://localhost:3000'));
    this.timeout = assertPositive('timeout', options.timeout ?? 30_000);
    this.maxRetries = Math.floor(assertPositive('maxRetries', options.maxRetries ?? 2, true));
    this.maxRetryAfter = assertPositive('maxRetryAfter', options.maxRetryAfter ?? 60, true);
    this.userAgent = options.userAgent ?? `gatrix-nodejs-sdk/${VERSION} node/${process.version}`;
    this.headers = { ...options.headers };
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  /** The current credential (an API key or access token), resolving a token function. */
  async token(): Promise<string | undefined> {
    return typeof this.credential === 'function' ? await this.credential() : this.credential;
  }

  url(path: string, query?: Query): string {
    const url = new URL(this.baseURL + path);
    for (const [name, value] of Object.entries(query ?? {})) {
      for (const v of Array.isArray(value) ? (value as readonly QueryValue[]) : [value as QueryValue]) {
        if (v === undefined || v === null) continue;
        url.searchParams.append(name, v instanceof Date ? v.toISOString() : String(v));
      }
    }
    return url.toString();
  }

  async request<T>(method: HttpMethod, path: string, init: { query?: Query; body?: unknown; options?: RequestOptions } = {}): Promise<T> {
    const options = init.options ?? {};
    const timeout = assertPositive('timeout', options.timeout ?? this.timeout);
    const maxRetries = Math.floor(assertPositive('maxRetries', options.maxRetries ?? this.maxRetries, true));
    const url = this.url(path, init.query);
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    // One key for every attempt: a retried create whose first answer was lost is answered, not repeated.
    const idempotencyKey = method === 'POST' ? (options.idempotencyKey ?? randomUUID()) : undefined;

    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.userAgent, ...this.headers };
      const token = await this.token();
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
      if (options.ifMatch) headers['if-match'] = options.ifMatch;
      Object.assign(headers, options.headers);

      const timeoutSignal = AbortSignal.timeout(timeout);
      const signal = options.signal ? AbortSignal.any([options.signal, timeoutSignal]) : timeoutSignal;
      let response: Response;
      let text: string;
      try {
        response = await this.fetchImpl(url, { method, headers, body, signal });
        text = await response.text();
      } catch (err) {
        if (options.signal?.aborted) throw options.signal.reason ?? err;
        const failure = timeoutSignal.aborted
          ? new GatrixTimeoutError(timeout, err)
          : new GatrixConnectionError(`Could not reach Gatrix at ${this.baseURL} (${method} ${path}): ${describeNetworkError(err)}`, err);
        if (attempt >= maxRetries) throw failure;
        await sleep(backoffMs(attempt), options.signal);
        continue;
      }

      if (response.ok) {
        if (text === '' || response.status === 204) return undefined as T;
        try {
          return JSON.parse(text) as T;
        } catch (err) {
          // A proxy's HTML page with a 200, say: not an answer from Gatrix.
          throw new GatrixError(`${response.status} answer to ${method} ${path} is not JSON`, {
            status: response.status,
            code: 'invalid_response',
            requestId: response.headers.get('x-request-id') ?? undefined,
            headers: response.headers,
            cause: err,
          });
        }
      }
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      const error = GatrixError.fromResponse(response, text, retryAfter);
      // 409 idempotency_in_progress: the first attempt of this key is still running on the server.
      const retryable = RETRYABLE_STATUS.has(response.status) || (response.status === 409 && error.code === 'idempotency_in_progress');
      if (!retryable || attempt >= maxRetries || (retryAfter !== undefined && retryAfter > this.maxRetryAfter)) throw error;
      await sleep(retryAfter !== undefined ? retryAfter * 1000 : backoffMs(attempt), options.signal);
    }
  }
}

export function pathId(id: number | string): string {
  return encodeURIComponent(String(id));
}
