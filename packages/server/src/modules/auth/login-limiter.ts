/**
 * Counts failed logins per IP and per account in a fixed window. In memory: each node limits on its own,
 * which bounds guessing per node; see docs/security.md.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly opts: { maxFailuresPerAccount: number; maxFailuresPerIp: number; windowSeconds: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the caller may try again, or 0 when it may try now. */
  retryAfter(ip: string, account: string): number {
    const t = this.now();
    let wait = 0;
    for (const [key, max] of [[`ip:${ip}`, this.opts.maxFailuresPerIp], [`acct:${account.toLowerCase()}`, this.opts.maxFailuresPerAccount]] as const) {
      const e = this.failures.get(key);
      if (e && e.resetAt > t && e.count >= max) wait = Math.max(wait, Math.ceil((e.resetAt - t) / 1000));
    }
    return wait;
  }

  recordFailure(ip: string, account: string): void {
    const t = this.now();
    if (this.failures.size > 100_000) this.prune(t);
    for (const key of [`ip:${ip}`, `acct:${account.toLowerCase()}`]) {
      const e = this.failures.get(key);
      if (!e || e.resetAt <= t) this.failures.set(key, { count: 1, resetAt: t + this.opts.windowSeconds * 1000 });
      else e.count++;
    }
  }

  recordSuccess(account: string): void {
    this.failures.delete(`acct:${account.toLowerCase()}`);
  }

  private prune(t: number): void {
    for (const [k, e] of this.failures) if (e.resetAt <= t) this.failures.delete(k);
  }
}
