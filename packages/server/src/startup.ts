import type { Logger } from 'pino';

/** A reason start-up cannot go on, as one line that names the setting to look at. main.ts prints it and exits 1. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** A service start-up waits for, and the variable that points at it. */
export interface Dependency {
  name: 'database' | 'Redis';
  variable: 'DATABASE_URL' | 'REDIS_URL';
  url: string;
}

/** The URL with its password (in the user-info part or a `password` parameter) replaced by `****`. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    if (u.searchParams.has('password')) u.searchParams.set('password', '****');
    return u.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

/** Why a connection failed, in a few words and never with the URL's password in them. */
function reason(err: unknown, dep: Dependency): string {
  const e = err as { message?: string; code?: string; errors?: { message?: string }[] };
  // Node reports a refused connection to a name with several addresses as an AggregateError without a message.
  const text = e?.message || e?.errors?.[0]?.message || e?.code || String(err);
  const password = URL.canParse(dep.url) ? decodeURIComponent(new URL(dep.url).password) : '';
  return password ? text.split(password).join('****') : text;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;

/**
 * Runs `attempt` until it succeeds, retrying with doubling delays (0.25 s … 5 s) for at most `waitMs` in all
 * (a hung attempt included), with one warning per retry. Then a StartupError names the variable, URL masked.
 */
export async function waitFor<T>(dep: Dependency, attempt: () => Promise<T>, opts: { waitMs: number; log: Logger }): Promise<T> {
  const deadline = Date.now() + opts.waitMs;
  for (let n = 1; ; n++) {
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${Math.ceil(opts.waitMs / 1000)} s`)), Math.max(deadline - Date.now(), 1000));
    });
    try {
      return await Promise.race([attempt(), giveUp]);
    } catch (err) {
      const delay = Math.min(FIRST_RETRY_MS * 2 ** (n - 1), MAX_RETRY_MS, deadline - Date.now());
      if (delay <= 0) {
        throw new StartupError(
          `${dep.variable}: cannot reach ${dep.name} at ${maskUrl(dep.url)} (${reason(err, dep)}); gave up after ${Math.round(opts.waitMs / 1000)} s (GATRIX_STARTUP_WAIT_SECONDS)`,
        );
      }
      opts.log.warn({ dependency: dep.name, url: maskUrl(dep.url), attempt: n, retryInMs: delay, reason: reason(err, dep) }, `${dep.name} is not reachable yet; retrying`);
      await new Promise((r) => setTimeout(r, delay));
    } finally {
      clearTimeout(timer);
    }
  }
}
