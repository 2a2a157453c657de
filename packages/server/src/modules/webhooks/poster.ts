import http from 'node:http';
import https from 'node:https';
import { parseRetryAfter } from './retry-policy.ts';
import { signDelivery, type SignedHeaders } from './signer.ts';
import { guardedLookup, type SsrfOptions } from './ssrf.ts';

/** How much of a response body an attempt keeps. */
const MAX_BODY = 20 * 1024;
/** Header values that must not be kept with an attempt. */
const SIGNATURE_HEADERS = new Set(['x-gatrix-signature', 'webhook-signature']);

/** What the HTTP side of an attempt needs: plain data, so that it can be handed to the sender thread. */
export interface SendRequest {
  url: string;
  /** The endpoint's own headers. */
  headers: Record<string, string>;
  /** The current secret first, then the previous one while its rotation lasts. */
  secrets: string[];
  eventId: string;
  eventType: string;
  deliveryId: number;
  body: string;
  /** When the attempt is signed (ms since the epoch). */
  now: number;
}

/** What came back (or why nothing did), and the request's headers that an attempt keeps (signatures left out). */
export interface SendResponse {
  status: number | null;
  headers: Record<string, string> | null;
  body: string | null;
  error: string | null;
  retryAfterMs?: number;
  signedShown: Record<string, string>;
}

export interface PosterOptions {
  timeoutMs: number;
  connectTimeoutMs: number;
  concurrencyPerEndpoint: number;
}

/** Header values as one string each (repeated headers joined). */
function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
  return flat;
}

type Posted = Omit<SendResponse, 'signedShown'>;

/**
 * Signs and POSTs deliveries, with one keep-alive agent per origin (at most `concurrencyPerEndpoint` sockets) whose
 * lookup refuses private addresses at connect time, a connect timeout and a timeout for the whole exchange. Never
 * rejects: a failure is a response with an error.
 */
export function createPoster(config: PosterOptions, ssrf: SsrfOptions) {
  const lookup = guardedLookup(ssrf);
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

  /** POSTs `body` with `headers` (to which it adds content-length). */
  function post(url: URL, headers: Record<string, string>, body: string): Promise<Posted> {
    headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise((resolve) => {
      const client = url.protocol === 'https:' ? https : http;
      let settled = false;
      const done = (r: Posted) => {
        if (settled) return;
        settled = true;
        clearTimeout(total);
        resolve(r);
      };
      const req = client.request(url, { method: 'POST', headers, agent: agentFor(url) }, (res) => {
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
    async send(r: SendRequest): Promise<SendResponse> {
      const signed = signDelivery({ secrets: r.secrets, eventId: r.eventId, eventType: r.eventType, deliveryId: r.deliveryId, body: r.body, now: new Date(r.now) });
      // Built key by key, not with spreads: copying these objects with `...` cost ~20 µs an attempt (docs/performance.md).
      const headers: Record<string, string> = {};
      for (const name in r.headers) headers[name] = r.headers[name];
      for (const name in signed) headers[name] = signed[name as keyof SignedHeaders];
      const posted = (await post(new URL(r.url), headers, r.body)) as SendResponse;
      posted.signedShown = {};
      for (const name in signed) if (!SIGNATURE_HEADERS.has(name)) posted.signedShown[name] = signed[name as keyof SignedHeaders];
      return posted;
    },
    /** Closes every kept-alive connection. */
    close(): void {
      for (const a of agents.values()) a.destroy();
      agents.clear();
    },
  };
}
