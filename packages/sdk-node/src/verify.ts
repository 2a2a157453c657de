import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { WebhookVerificationError } from './errors.js';
import type { EventEnvelope, EventName } from './generated/events.js';

/** A delivery's body: `{ id, event, timestamp, data }`, narrowed by `event`. */
export type WebhookEvent = { [E in EventName]: EventEnvelope<E> }[EventName];

/** Node's `req.headers`, a fetch `Headers`, or any name → value map (names in any case). */
export type WebhookHeaders = Headers | IncomingHttpHeaders | Record<string, string | string[] | undefined>;

export interface VerifyWebhookOptions {
  /** How far `webhook-timestamp` may be from now, in seconds (replay protection). Default 300. */
  toleranceSeconds?: number;
  /** The time to check against (default: now). */
  now?: Date;
}

/** The Standard Webhooks key: the base64 part of a `whsec_` secret, else the secret's UTF-8 bytes (as Gatrix signs). */
function standardKey(secret: string): Buffer {
  if (secret.startsWith('whsec_')) {
    const key = Buffer.from(secret.slice(6), 'base64');
    if (key.length > 0) return key;
  }
  return Buffer.from(secret, 'utf8');
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const map = headers as Record<string, string | string[] | undefined>;
  let value = map[name];
  if (value === undefined) {
    const key = Object.keys(map).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : map[key];
  }
  return Array.isArray(value) ? value.join(' ') : value;
}

function rawBytes(rawBody: unknown): Buffer {
  if (typeof rawBody === 'string') return Buffer.from(rawBody, 'utf8');
  if (Buffer.isBuffer(rawBody)) return rawBody;
  if (rawBody instanceof Uint8Array) return Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  if (rawBody instanceof ArrayBuffer) return Buffer.from(rawBody);
  throw new TypeError(
    'verifyWebhook needs the raw request body (a string or Buffer) exactly as received; a parsed object cannot be ' +
      'verified, since re-serializing it changes the bytes. Use express.raw({ type: "application/json" }) or webhookMiddleware().',
  );
}

/** The secrets to try; throws when none is given (an unset environment variable, say). */
function secretList(secret: string | readonly string[] | null | undefined, caller: string): string[] {
  const secrets = (secret == null ? [] : typeof secret === 'string' ? [secret] : [...secret]).filter((s) => typeof s === 'string' && s.length > 0);
  if (secrets.length === 0) throw new TypeError(`${caller}: the webhook secret is missing (got ${secret === '' ? 'an empty string' : String(secret)}); pass the endpoint's secret`);
  return secrets;
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks that a webhook came from Gatrix and returns its parsed body.
 *
 * Standard Webhooks first (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>` over
 * `id.timestamp.body`), with the timestamp within `toleranceSeconds` of now; when a delivery has none of those
 * headers, `x-gatrix-signature` (hex HMAC-SHA256 of the body, keyed with the secret string), which carries no
 * timestamp. Compares in constant time. Pass several secrets to accept any of them (while rotating).
 *
 * @throws WebhookVerificationError when the headers, timestamp, signature or body do not check out.
 */
export function verifyWebhook(
  rawBody: string | Buffer | Uint8Array | ArrayBuffer,
  headers: WebhookHeaders,
  secret: string | readonly string[],
  options: VerifyWebhookOptions = {},
): WebhookEvent {
  const body = rawBytes(rawBody);
  const secrets = secretList(secret, 'verifyWebhook');

  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  const gatrixSignature = header(headers, 'x-gatrix-signature');

  if (id !== undefined || timestamp !== undefined || signatures !== undefined) {
    if (!id || !timestamp || !signatures) {
      throw new WebhookVerificationError('missing_headers', 'webhook-id, webhook-timestamp and webhook-signature must all be present');
    }
    if (!/^\d{1,15}$/.test(timestamp)) throw new WebhookVerificationError('invalid_timestamp', 'webhook-timestamp is not Unix seconds');
    const tolerance = options.toleranceSeconds ?? 300;
    const age = Math.floor((options.now ?? new Date()).getTime() / 1000) - Number(timestamp);
    if (age > tolerance) throw new WebhookVerificationError('timestamp_too_old', `The webhook is ${age} s old, more than the ${tolerance} s tolerated`);
    if (-age > tolerance) throw new WebhookVerificationError('timestamp_too_new', `The webhook is dated ${-age} s ahead, more than the ${tolerance} s tolerated`);

    const given = signatures
      .split(' ')
      .map((s) => s.split(','))
      .filter(([version, value]) => version === 'v1' && value)
      .map(([, value]) => Buffer.from(value, 'base64'));
    const ok = secrets.some((s) => {
      const expected = createHmac('sha256', standardKey(s)).update(`${id}.${timestamp}.`).update(body).digest();
      return given.some((g) => equal(g, expected));
    });
    if (!ok) throw new WebhookVerificationError('invalid_signature', 'No webhook-signature matches the body and secret');
  } else if (gatrixSignature !== undefined) {
    const given = /^[0-9a-f]{64}$/i.test(gatrixSignature.trim()) ? Buffer.from(gatrixSignature.trim(), 'hex') : Buffer.alloc(0);
    const ok = secrets.some((s) => equal(given, createHmac('sha256', s).update(body).digest()));
    if (!ok) throw new WebhookVerificationError('invalid_signature', 'x-gatrix-signature does not match the body and secret');
  } else {
    throw new WebhookVerificationError('missing_headers', 'The request has no webhook signature headers');
  }

  try {
    return JSON.parse(body.toString('utf8')) as WebhookEvent;
  } catch {
    throw new WebhookVerificationError('invalid_body', 'The signed body is not JSON');
  }
}

export interface WebhookMiddlewareOptions extends VerifyWebhookOptions {
  /** Largest body read from the request when no body parser ran, in bytes. Default 1 MiB. */
  limit?: number;
}

/** A Node/Express request after {@link webhookMiddleware}: `body` and `webhook` hold the verified event. */
export type WebhookRequest = IncomingMessage & { body?: unknown; webhook?: WebhookEvent };

/**
 * Express (or plain Node http / Connect) middleware that verifies a Gatrix webhook on its raw body and puts the
 * parsed event on `req.body` and `req.webhook`; a bad one gets `401 { error: 'Invalid signature', reason }`.
 *
 * It reads the body itself, or takes the Buffer that `express.raw({ type: 'application/json' })` left; mount it
 * before (or instead of) `express.json()` on the webhook route, since a parsed body cannot be verified.
 */
export function webhookMiddleware(secret: string | readonly string[], options: WebhookMiddlewareOptions = {}) {
  const secrets = secretList(secret, 'webhookMiddleware');
  const limit = options.limit ?? 1024 * 1024;
  return function gatrixWebhook(req: WebhookRequest, res: ServerResponse, next: (err?: unknown) => void): void {
    const reject = (status: number, body: Record<string, string>) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    };
    const verify = (raw: Buffer | string) => {
      let event: WebhookEvent;
      try {
        event = verifyWebhook(raw, req.headers, secrets, options);
      } catch (err) {
        if (err instanceof WebhookVerificationError) return reject(401, { error: 'Invalid signature', reason: err.reason });
        return next(err);
      }
      req.body = event;
      req.webhook = event;
      next();
    };

    if (Buffer.isBuffer(req.body) || typeof req.body === 'string') return verify(req.body);
    if (req.body !== undefined || req.readableEnded) {
      return next(
        new TypeError('webhookMiddleware needs the raw body, but a body parser already consumed it: mount it before express.json(), or use express.raw({ type: "application/json" }) on this route'),
      );
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('error', (err) => next(err));
    req.on('end', () => {
      if (size > limit) return reject(413, { error: 'Payload too large' });
      verify(Buffer.concat(chunks));
    });
  };
}
