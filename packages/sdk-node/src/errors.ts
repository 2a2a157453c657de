import type { components } from './generated/openapi.js';

/** An RFC 9457 problem as Gatrix sends it (`application/problem+json`). */
export type Problem = components['schemas']['Problem'];

/** One invalid field of a request: `{ path: 'email', message: 'must match format "email"' }`. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * Every failure of an SDK call is a GatrixError. An answer from the server carries its `status`, `code`,
 * `detail`, field `errors` and `requestId`; a call that got no answer is a {@link GatrixConnectionError}
 * (or its {@link GatrixTimeoutError}) with `status` undefined.
 */
export class GatrixError extends Error {
  /** HTTP status of the answer; undefined when there was none. */
  readonly status: number | undefined;
  /** Stable machine-readable code: `not_found`, `username_taken`, `validation_failed`, `rate_limited`… */
  readonly code: string;
  /** Human-readable explanation from the server. */
  readonly detail: string;
  /** The invalid fields, for bad input (400) and unique conflicts (409); empty otherwise. */
  readonly errors: FieldError[];
  /** `X-Request-Id` of the failed request: quote it when reporting a problem. */
  readonly requestId: string | undefined;
  /** The problem document as received, when the server sent one. */
  readonly problem: Problem | undefined;
  /** Response headers of the failed answer. */
  readonly headers: Headers | undefined;
  /** Seconds the server asked to wait (`Retry-After`), when it did. */
  readonly retryAfter: number | undefined;

  constructor(
    message: string,
    init: {
      status?: number;
      code: string;
      detail?: string;
      errors?: FieldError[];
      requestId?: string;
      problem?: Problem;
      headers?: Headers;
      retryAfter?: number;
      cause?: unknown;
    },
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail ?? message;
    this.errors = init.errors ?? [];
    this.requestId = init.requestId;
    this.problem = init.problem;
    this.headers = init.headers;
    this.retryAfter = init.retryAfter;
  }

  /** Builds the error of a non-2xx answer from its problem+json body (or whatever the body was). */
  static fromResponse(response: Response, bodyText: string, retryAfter: number | undefined): GatrixError {
    const status = response.status;
    let problem: Problem | undefined;
    try {
      const parsed: unknown = JSON.parse(bodyText);
      if (parsed && typeof parsed === 'object' && typeof (parsed as Problem).code === 'string') problem = parsed as Problem;
    } catch {
      // Not JSON (a proxy's HTML error page, say): keep the status and the text.
    }
    const requestId = response.headers.get('x-request-id') ?? problem?.requestId;
    const code = problem?.code ?? `http_${status}`;
    const detail = problem?.detail ?? (bodyText.trim().slice(0, 500) || response.statusText || `HTTP ${status}`);
    const message = `${status} ${code}: ${detail}${requestId ? ` (request ${requestId})` : ''}`;
    return new GatrixError(message, { status, code, detail, errors: problem?.errors, requestId, problem, headers: response.headers, retryAfter });
  }
}

/** The request got no answer: connection refused or reset, DNS failure, TLS error… */
export class GatrixConnectionError extends GatrixError {
  constructor(message: string, cause?: unknown, code = 'connection_error') {
    super(message, { code, cause });
  }
}

/** No answer within the client's (or the call's) `timeout`. */
export class GatrixTimeoutError extends GatrixConnectionError {
  /** The timeout that ran out, in milliseconds. */
  readonly timeout: number;

  constructor(timeout: number, cause?: unknown) {
    super(`No answer from Gatrix within ${timeout} ms`, cause, 'timeout');
    this.timeout = timeout;
  }
}

/** A webhook whose signature, timestamp or body does not check out. Answer it with 400 or 401. */
export class WebhookVerificationError extends Error {
  /** `missing_headers`, `invalid_timestamp`, `timestamp_too_old`, `timestamp_too_new`, `invalid_signature`, `invalid_body`. */
  readonly reason: string;

  constructor(reason: string, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.reason = reason;
  }
}
