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
