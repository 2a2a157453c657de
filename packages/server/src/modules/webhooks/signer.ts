import { createHmac, randomBytes } from 'node:crypto';

/** A new signing secret: `whsec_` + base64 of 24 random bytes (Standard Webhooks style). */
export function generateSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** The Standard Webhooks key: the base64 part of a `whsec_` secret, else the secret's UTF-8 bytes. */
export function standardKey(secret: string): Buffer {
  if (secret.startsWith('whsec_')) {
    const b = Buffer.from(secret.slice(6), 'base64');
    if (b.length > 0) return b;
  }
  return Buffer.from(secret, 'utf8');
}

/** `x-gatrix-signature`: hex HMAC-SHA256 of the raw body, keyed with the secret string (what the integration guide's Express receiver recomputes; docs/integration-guide.md). */
export function gatrixSignature(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** One `v1,<base64>` Standard Webhooks signature over `${id}.${timestamp}.${body}`. */
export function standardSignature(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', standardKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export interface SignedHeaders {
  'x-gatrix-event': string;
  'x-gatrix-delivery': string;
  'x-gatrix-signature': string;
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The signature headers of one delivery attempt. `secrets` lists the current secret first, then (during a
 * rotation) the previous one; every secret signs the Standard Webhooks header. `x-gatrix-signature` carries one
 * signature only, so it stays with the previous secret until the rotation's grace period ends: a receiver that
 * checks it against its one configured secret keeps working until then, and switches to the new secret at the end.
 */
export function signDelivery(opts: { secrets: string[]; eventId: string; eventType: string; deliveryId: number; body: string; now: Date }): SignedHeaders {
  const ts = Math.floor(opts.now.getTime() / 1000);
  return {
    'x-gatrix-event': opts.eventType,
    'x-gatrix-delivery': String(opts.deliveryId),
    'x-gatrix-signature': gatrixSignature(opts.secrets[opts.secrets.length - 1], opts.body),
    'webhook-id': opts.eventId,
    'webhook-timestamp': String(ts),
    'webhook-signature': opts.secrets.map((s) => standardSignature(s, opts.eventId, ts, opts.body)).join(' '),
  };
}
