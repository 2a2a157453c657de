/**
 * The delivery worker's decisions, as pure functions of what an attempt returned: whether it delivered, when the
 * next attempt is made (or why none is), and what a failure does to its endpoint.
 */

/** The longest delay a `Retry-After` header can ask for. */
const RETRY_AFTER_MAX_MS = 24 * 3600 * 1000;

/** A `Retry-After` value (seconds or an HTTP date) as a delay in ms, bounded to 1 s … 24 h; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const ms = /^\d+$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value) - nowMs;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 1000), RETRY_AFTER_MAX_MS) : undefined;
}

/**
 * How long after failed attempt number `attempt` the next one is made, or undefined when there is none: after
 * `410 Gone`, or once the schedule (one delay per retry) is used up. The delay is the schedule's, ±20% jitter
 * (`random` in [0, 1)) so that endpoints that failed together do not retry together; a `Retry-After` longer than
 * that delays the attempt further. `Retry-After` never adds an attempt, so a delivery gets at most
 * `schedule.length + 1` attempts each time it is queued.
 */
export function nextRetryDelay(f: { attempt: number; schedule: readonly number[]; gone: boolean; retryAfterMs?: number; random: number }): number | undefined {
  const scheduled = f.gone ? undefined : f.schedule[f.attempt - 1];
  if (scheduled === undefined) return undefined;
  const jittered = Math.round(scheduled * (0.8 + f.random * 0.4));
  return f.retryAfterMs === undefined ? jittered : Math.max(jittered, f.retryAfterMs);
}

/** A 2xx answer delivers; anything else (no answer included) is a failed attempt. */
export function isDelivered(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}

/** `410 Gone`: the receiver asks never to be called again. */
export function isGone(status: number | null): boolean {
  return status === 410;
}

/**
 * Why a failed delivery gets no further attempt: its endpoint was disabled or deleted before the attempt (nothing
 * was sent), it answered `410 Gone`, or the retry schedule is used up.
 */
export type StopReason = 'skipped' | 'gone' | 'exhausted';

/**
 * What follows a failed attempt of a delivery (attempt number `attempt`, counted from 1): the next attempt's time
 * (`now` plus nextRetryDelay), or why there is none. A skipped attempt (no HTTP call made) is never retried.
 */
export function nextAttempt(f: {
  attempt: number;
  status: number | null;
  retryAfterMs?: number;
  schedule: readonly number[];
  random: number;
  now: Date;
  skipped?: boolean;
}): { retryAt: Date } | { stop: StopReason } {
  if (f.skipped) return { stop: 'skipped' };
  const gone = isGone(f.status);
  const delay = nextRetryDelay({ attempt: f.attempt, schedule: f.schedule, gone, retryAfterMs: f.retryAfterMs, random: f.random });
  if (delay === undefined) return { stop: gone ? 'gone' : 'exhausted' };
  return { retryAt: new Date(f.now.getTime() + delay) };
}

/** Why the worker disables an endpoint: it answered `410 Gone`, or it has failed for `disableAfterMs`. */
export type DisableReason = 'gone' | 'failing';

/**
 * What a failed attempt (one that was sent) does to its active endpoint: its failing streak starts now unless one
 * is running (`failingSince`), and it is disabled after `410 Gone` or once the streak has lasted `disableAfterMs`.
 */
export function endpointAfterFailure(f: { status: number | null; failingSince: string | null; now: Date; disableAfterMs: number }): {
  failingSince: string;
  disable?: DisableReason;
} {
  const failingSince = f.failingSince ?? f.now.toISOString();
  if (isGone(f.status)) return { failingSince, disable: 'gone' };
  if (f.now.getTime() - Date.parse(failingSince) >= f.disableAfterMs) return { failingSince, disable: 'failing' };
  return { failingSince };
}
