import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { WebhookConfig } from '../../config.ts';
import type { Clock } from '../../core/clock.ts';
import type { Claimed } from './delivery-store.ts';
import type { Prepared } from './endpoint-cache.ts';
import { createPoster, type PosterOptions, type SendRequest, type SendResponse } from './poster.ts';
import type { SsrfOptions } from './ssrf.ts';

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

/** An attempt that made no HTTP call: why (`error`), and with `skipped` when the endpoint is disabled or deleted. */
export function unsent(delivery: Claimed, error: string, skipped?: true): AttemptResult {
  return { delivery, requestHeaders: {}, status: null, headers: null, body: null, durationMs: 0, error, ...(skipped && { skipped }) };
}

/** Run from the bundle (dist/main.js), not from the sources through `tsx`. */
const COMPILED = !import.meta.url.endsWith('.ts');
const COMPILED_THREAD = new URL('./webhook-send-thread.js', import.meta.url);

/**
 * Starts the sender thread. Compiled, its script is built beside the bundle (scripts/server-build.mjs). From source
 * (tests, `tsx`), a worker thread does not inherit tsx's loader: the thread registers it before importing its script.
 * Its young generation is capped at 16 MiB: what it allocates per attempt dies young. The default let the thread add
 * ~60 MiB to a node under load; 8 MiB saved no more than 16 but spent a fifth of the thread's time in scavenges
 * (docs/performance.md, "A sender thread").
 */
function startThread(workerData: unknown): Worker {
  const options = { workerData, resourceLimits: { maxYoungGenerationSizeMb: 16 } };
  if (COMPILED) return new Worker(COMPILED_THREAD, options);
  const script = new URL('./send-thread.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); });`, { ...options, eval: true });
}

/** A sender thread with nothing to send for this long is stopped (its memory and kept-alive connections released). */
const THREAD_IDLE_MS = 30_000;

/**
 * Runs the poster in a worker thread, started at the first request: requests are handed over in batches (one
 * message per turn of the event loop) and answered in batches. A thread that stops while it holds requests (it
 * crashed) fails them, and they are retried like any failed attempt; the next request starts a new thread.
 */
function threadPoster(options: PosterOptions, allowPrivateNetworks: boolean, log: Logger, idleMs: number) {
  let thread: Worker | undefined;
  const waiting = new Map<number, (r: SendResponse) => void>();
  let seq = 0;
  let outbox: [number, SendRequest][] = [];
  let scheduled = false;
  let idle: NodeJS.Timeout | undefined;

  function start(): Worker {
    const w = startThread({ options, allowPrivateNetworks });
    w.unref();
    w.on('message', (batch: [number, SendResponse][]) => {
      for (const [s, r] of batch) {
        waiting.get(s)?.(r);
        waiting.delete(s);
      }
      if (waiting.size === 0 && outbox.length === 0) {
        clearTimeout(idle);
        idle = setTimeout(stop, idleMs).unref();
      }
    });
    w.on('error', (err) => log.error({ err }, 'webhook sender thread failed'));
    w.on('exit', () => {
      if (thread === w) thread = undefined;
      for (const settle of waiting.values()) settle({ status: null, headers: null, body: null, error: 'the webhook sender thread stopped', signedShown: {} });
      waiting.clear();
    });
    return w;
  }

  function flush(): void {
    scheduled = false;
    thread ??= start();
    thread.postMessage(outbox);
    outbox = [];
  }

  /** Asks the thread to close its connections and end (the requests it holds, if any, then fail). */
  function stop(): void {
    clearTimeout(idle);
    thread?.postMessage('close');
    thread = undefined;
  }

  return {
    send(r: SendRequest): Promise<SendResponse> {
      clearTimeout(idle);
      return new Promise((resolve) => {
        const s = ++seq;
        waiting.set(s, resolve);
        outbox.push([s, r]);
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    close: stop,
    /** The running thread, if any (tests). */
    get thread(): Worker | undefined {
      return thread;
    },
  };
}

/**
 * Makes attempts: signs a delivery and POSTs it (poster.ts). Unless a test gives its own DNS resolver (which cannot
 * cross to a thread), the signing and the HTTP client run in a worker thread, so a node's deliveries use a second
 * core. Never rejects: a failure is an attempt with an error.
 */
export function createSender(deps: { config: WebhookConfig; ssrf: SsrfOptions; clock: Clock; log: Logger; threadIdleMs?: number }) {
  const options: PosterOptions = { timeoutMs: deps.config.timeoutMs, connectTimeoutMs: deps.config.connectTimeoutMs, concurrencyPerEndpoint: deps.config.concurrencyPerEndpoint };
  // A bundle copied without its thread script would fail every attempt: refuse to start instead.
  if (COMPILED && !existsSync(COMPILED_THREAD)) throw new Error(`the webhook sender thread's script is missing: ${fileURLToPath(COMPILED_THREAD)} (built with the server)`);
  const threaded = deps.ssrf.resolve ? undefined : threadPoster(options, deps.ssrf.allowPrivateNetworks, deps.log, deps.threadIdleMs ?? THREAD_IDLE_MS);
  const poster = threaded ?? createPoster(options, deps.ssrf);

  return {
    /**
     * Signs `d` (with the previous secret too while its rotation lasts) and sends it to `url`, the endpoint's
     * checked URL; the attempt keeps the request headers as logs show them, signatures left out. `started` is when
     * the attempt began (its duration counts from there).
     */
    async send(d: Claimed, w: Prepared, url: URL, started: number): Promise<AttemptResult> {
      const now = deps.clock.now();
      const secrets = w.previous && w.previous.until > now.toISOString() ? [w.secret, w.previous.secret] : [w.secret];
      const r = await poster.send({
        url: url.href,
        headers: w.headers,
        secrets,
        eventId: d.eventId,
        eventType: d.eventType,
        deliveryId: d.id,
        body: d.payload,
        now: now.getTime(),
      });
      // Key by key rather than with spreads, as in poster.ts: this runs on the event loop for every attempt.
      const requestHeaders: Record<string, string> = {};
      for (const name in w.shownHeaders) requestHeaders[name] = w.shownHeaders[name];
      for (const name in r.signedShown) requestHeaders[name] = r.signedShown[name];
      const result: AttemptResult = { delivery: d, requestHeaders, status: r.status, headers: r.headers, body: r.body, durationMs: Date.now() - started, error: r.error };
      if (r.retryAfterMs !== undefined) result.retryAfterMs = r.retryAfterMs;
      return result;
    },
    /** Closes every kept-alive connection (and ends the sender thread). */
    close(): void {
      poster.close();
    },
    /** The sender thread while one runs (tests). */
    get thread(): Worker | undefined {
      return threaded?.thread;
    },
  };
}

export type Sender = ReturnType<typeof createSender>;
