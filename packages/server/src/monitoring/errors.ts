/**
 * Server errors kept for operators: every 5xx and unhandled error, grouped by fingerprint (error type, the
 * message with its numbers and quoted values blanked, and the top stack frames), with a count, first and
 * last seen, and the last request id, route and caller. Bounded: past `max` groups the one seen longest ago
 * goes (resolved ones first). Kept in memory, per node: an error store must not depend on the database, which
 * is often what failed. A resolved group that happens again is reopened.
 */
import { parseDsn } from '../config.ts';
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';

export interface ErrorContext {
  requestId?: string;
  method?: string;
  route?: string;
  /** Who was calling, e.g. `user:12` or `key:3`; never a credential. */
  actor?: string;
  /** Where it came from when not a request: `unhandledRejection`, `uncaughtException`. */
  source?: string;
}

export interface ErrorGroup {
  id: string;
  name: string;
  message: string;
  stack: string | null;
  count: number;
  firstSeen: string;
  lastSeen: string;
  lastRequestId: string | null;
  route: string | null;
  method: string | null;
  lastActor: string | null;
  source: string;
  resolved: boolean;
  resolvedAt: string | null;
}

/** Forwards an error to an external tracker; must never throw or block. */
export type ErrorForwarder = (err: Error, context: ErrorContext, groupId: string) => void;

function normalize(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/"[^"]*"|'[^']*'/g, '<str>')
    .replace(/\d+/g, '<n>');
}

/** The first frames of a stack, without column numbers (they move with unrelated edits on the same line). */
function topFrames(stack: string | undefined, n = 3): string {
  if (!stack) return '';
  return stack
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .slice(0, n)
    .map((l) => l.trim().replace(/:\d+\)?$/, ''))
    .join('\n');
}

export function fingerprint(err: Error): string {
  return createHash('sha256').update(`${err.name}\n${normalize(err.message)}\n${topFrames(err.stack)}`).digest('hex').slice(0, 16);
}

export function createErrorStore(opts: { max?: number; now?: () => Date; forward?: ErrorForwarder } = {}) {
  const max = opts.max ?? 500;
  const now = opts.now ?? (() => new Date());
  const groups = new Map<string, ErrorGroup>();

  function evict(): void {
    let victim: ErrorGroup | undefined;
    for (const g of groups.values()) {
      if (!victim || (g.resolved && !victim.resolved) || (g.resolved === victim.resolved && g.lastSeen < victim.lastSeen)) victim = g;
    }
    if (victim) groups.delete(victim.id);
  }

  return {
    record(err: Error, context: ErrorContext = {}): ErrorGroup {
      const id = fingerprint(err);
      const at = now().toISOString();
      let g = groups.get(id);
      if (!g) {
        if (groups.size >= max) evict();
        g = {
          id,
          name: err.name,
          message: err.message.slice(0, 2000),
          stack: err.stack?.slice(0, 8000) ?? null,
          count: 0,
          firstSeen: at,
          lastSeen: at,
          lastRequestId: null,
          route: context.route ?? null,
          method: context.method ?? null,
          lastActor: null,
          source: context.source ?? 'request',
          resolved: false,
          resolvedAt: null,
        };
        groups.set(id, g);
      }
      g.count++;
      g.lastSeen = at;
      g.lastRequestId = context.requestId ?? g.lastRequestId;
      g.lastActor = context.actor ?? g.lastActor;
      if (g.resolved) {
        g.resolved = false;
        g.resolvedAt = null;
      }
      opts.forward?.(err, context, id);
      return g;
    },

    /** Most recently seen first. */
    list(filter: { resolved?: boolean } = {}): ErrorGroup[] {
      return [...groups.values()]
        .filter((g) => filter.resolved === undefined || g.resolved === filter.resolved)
        .sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
    },

    get(id: string): ErrorGroup | undefined {
      return groups.get(id);
    },

    resolve(id: string): ErrorGroup | undefined {
      const g = groups.get(id);
      if (g && !g.resolved) {
        g.resolved = true;
        g.resolvedAt = now().toISOString();
      }
      return g;
    },
  };
}

export type ErrorStore = ReturnType<typeof createErrorStore>;

function frames(stack: string | undefined) {
  const out: { function?: string; filename?: string; lineno?: number; colno?: number }[] = [];
  for (const line of (stack ?? '').split('\n')) {
    const m = /^\s+at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    if (m) out.push({ function: m[1], filename: m[2], lineno: Number(m[3]), colno: Number(m[4]) });
  }
  return out.reverse(); // Sentry lists the innermost frame last
}

/**
 * Sends errors to Sentry (or anything that speaks its envelope protocol: GlitchTip, self-hosted Sentry) with
 * one HTTP POST each, no SDK. Fire and forget: a 2 s timeout, failures logged at most once a minute, nothing
 * thrown. At most `perMinute` errors a minute are sent, so an error storm cannot flood the tracker or us.
 */
export function sentryForwarder(dsn: string, log: Logger, opts: { environment?: string; release?: string; perMinute?: number } = {}): ErrorForwarder {
  const parsed = parseDsn(dsn);
  if (!parsed) throw new Error('not a Sentry DSN');
  const auth = `Sentry sentry_version=7, sentry_key=${parsed.publicKey}, sentry_client=gatrix/1.0`;
  const perMinute = opts.perMinute ?? 60;
  let windowStart = 0;
  let sent = 0;
  let lastComplaint = 0;
  return (err, context, groupId) => {
    const t = Date.now();
    if (t - windowStart >= 60_000) {
      windowStart = t;
      sent = 0;
    }
    if (++sent > perMinute) return;
    const eventId = randomBytes(16).toString('hex');
    const event = {
      event_id: eventId,
      timestamp: t / 1000,
      platform: 'node',
      level: context.source === 'uncaughtException' ? 'fatal' : 'error',
      logger: 'gatrix',
      server_name: os.hostname(),
      environment: opts.environment,
      release: opts.release,
      fingerprint: [groupId],
      exception: { values: [{ type: err.name, value: err.message, stacktrace: { frames: frames(err.stack) } }] },
      tags: { route: context.route, method: context.method, request_id: context.requestId, source: context.source ?? 'request' },
      user: context.actor ? { id: context.actor } : undefined,
    };
    const body = `${JSON.stringify({ event_id: eventId, sent_at: new Date(t).toISOString() })}\n${JSON.stringify({ type: 'event' })}\n${JSON.stringify(event)}\n`;
    fetch(parsed.envelopeUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-sentry-envelope', 'x-sentry-auth': auth },
      body,
      signal: AbortSignal.timeout(2000),
    })
      .then((r) => {
        if (!r.ok) throw new Error(`answered ${r.status}`);
        return r.body?.cancel();
      })
      .catch((e: unknown) => {
        if (Date.now() - lastComplaint < 60_000) return;
        lastComplaint = Date.now();
        log.warn({ err: e }, 'could not forward an error to the error tracker');
      });
  };
}
