import http from 'node:http';
import https from 'node:https';
import type { WebhookConfig } from '../../config.ts';
import type { Clock } from '../../core/clock.ts';
import type { Claimed } from './delivery-store.ts';
import type { Prepared } from './endpoint-cache.ts';
import { parseRetryAfter } from './retry-policy.ts';
import { signDelivery } from './signer.ts';
import { guardedLookup, type SsrfOptions } from './ssrf.ts';

/** How much of a response body an attempt keeps. */
const MAX_BODY = 20 * 1024;
/** Header values that must not be kept with an attempt. */
const SIGNATURE_HEADERS = new Set(['x-gatrix-signature', 'webhook-signature']);

/** One finished attempt (or one that could not be made), as the recorder writes it. */
export interface AttemptResult {
  delivery: Claimed;
  requestHeaders: Record<string, string>;
  status: number | null;
  headers: Record<string, string> | null;
  body: string | null;
  durationMs: number;
  error: string | null;
  retryAfterMs?: number;
  /** The endpoint is gone or disabled: no HTTP call was made. */
  skipped?: boolean;
}

type Response = Omit<AttemptResult, 'delivery' | 'requestHeaders' | 'durationMs'>;

/** An attempt that made no HTTP call: why (`error`), and with `skipped` when the endpoint is disabled or deleted. */
export function unsent(delivery: Claimed, error: string, skipped?: true): AttemptResult {
  return { delivery, requestHeaders: {}, status: null, headers: null, body: null, durationMs: 0, error, ...(skipped && { skipped }) };
}

/** Header values as one string each (repeated headers joined). */
function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
  return flat;
}

/**
 * Makes attempts: signs a delivery and POSTs it, with one keep-alive agent per origin (at most
 * `concurrencyPerEndpoint` sockets) whose lookup refuses private addresses at connect time, a connect timeout and
 * a timeout for the whole exchange. Never rejects: a failure is an attempt with an error.
 */
export function createSender(deps: { config: WebhookConfig; ssrf: SsrfOptions; clock: Clock }) {
  const { config } = deps;
  const lookup = guardedLookup(deps.ssrf);
  const agents = new Map<string, http.Agent>();

  function agentFor(url: URL): http.Agent {
    let agent = agents.get(url.origin);
    if (!agent) {
      const opts = { keepAlive: true, maxSockets: config.concurrencyPerEndpoint, lookup };
      agent = url.protocol === 'https:' ? new https.Agent(opts) : new http.Agent(opts);
      agents.set(url.origin, agent);
    }
    return agent;
  }

  function post(url: URL, headers: Record<string, string>, body: string): Promise<Response> {
    return new Promise((resolve) => {
      const client = url.protocol === 'https:' ? https : http;
      let settled = false;
      const done = (r: Response) => {
        if (settled) return;
        settled = true;
        clearTimeout(total);
        resolve(r);
      };
      const req = client.request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: agentFor(url) }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_BODY) chunks.push(c.subarray(0, MAX_BODY - size));
          size += c.length;
        });
        res.on('end', () => {
          const flat = flatHeaders(res.headers);
          done({ status: res.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks).toString('utf8'), error: null, retryAfterMs: parseRetryAfter(flat['retry-after'], Date.now()) });
        });
        res.on('error', (err) => done({ status: res.statusCode ?? null, headers: null, body: null, error: err.message }));
      });
      const total = setTimeout(() => req.destroy(new Error(`timed out after ${config.timeoutMs} ms`)), config.timeoutMs);
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        const t = setTimeout(() => req.destroy(new Error(`could not connect within ${config.connectTimeoutMs} ms`)), config.connectTimeoutMs);
        socket.once('connect', () => clearTimeout(t));
        socket.once('close', () => clearTimeout(t));
      });
      req.on('error', (err) => done({ status: null, headers: null, body: null, error: err.message }));
      req.end(body);
    });
  }

  return {
    /**
     * Signs `d` (with the previous secret too while its rotation lasts) and sends it to `url`, the endpoint's
     * checked URL; the attempt keeps the request headers as logs show them, signatures left out. `started` is when
     * the attempt began (its duration counts from there).
     */
    async send(d: Claimed, w: Prepared, url: URL, started: number): Promise<AttemptResult> {
      const now = deps.clock.now();
      const secrets = w.previous && w.previous.until > now.toISOString() ? [w.secret, w.previous.secret] : [w.secret];
      const signed = signDelivery({ secrets, eventId: d.eventId, eventType: d.eventType, deliveryId: d.id, body: d.payload, now });
      const r = await post(url, { ...w.headers, ...signed }, d.payload);
      const shown: Record<string, string> = { ...w.shownHeaders };
      for (const [k, v] of Object.entries(signed)) if (!SIGNATURE_HEADERS.has(k)) shown[k] = v;
      return { delivery: d, requestHeaders: shown, durationMs: Date.now() - started, ...r };
    },
    /** Closes every kept-alive connection. */
    close(): void {
      for (const a of agents.values()) a.destroy();
      agents.clear();
    },
  };
}

export type Sender = ReturnType<typeof createSender>;
