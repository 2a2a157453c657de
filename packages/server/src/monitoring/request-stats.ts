/**
 * Request statistics for GET /api/v1/monitoring/metrics: counts, the exact mean, and percentiles from a
 * log-linear histogram, overall and per route template, since start or over a recent window.
 *
 * The histogram has 8 buckets per doubling from 2^-7 ms (≈ 0.008 ms) up to 10 minutes, so a reported
 * percentile is the upper edge of the bucket holding the true value: never below it and at most
 * 2^(1/8) ≈ 9.05 % above it (and never above the largest duration seen). Every power of two in ms is a bucket
 * edge, so the Prometheus histogram (buckets 0.25 ms … 8.192 s) is read from the same counts at scrape time:
 * one observation per request feeds both. Windows come from rings of per-minute (last hour) and per-hour
 * (last day) slots that only hold the routes called in them.
 */

const BUCKETS_PER_DOUBLING = 8;
const MIN_MS = 2 ** -7;
const MAX_MS = 600_000;
const BUCKETS = Math.ceil(Math.log2(MAX_MS / MIN_MS) * BUCKETS_PER_DOUBLING) + 1;
/** How far above the true value a reported percentile can be, as a factor. */
export const PERCENTILE_RESOLUTION = 2 ** (1 / BUCKETS_PER_DOUBLING);

export const bucketOf = (ms: number) => (ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log2(ms / MIN_MS) * BUCKETS_PER_DOUBLING)));
export const upperEdge = (bucket: number) => MIN_MS * 2 ** (bucket / BUCKETS_PER_DOUBLING);

class Stats {
  count = 0;
  clientErrors = 0;
  serverErrors = 0;
  sumMs = 0;
  maxMs = 0;
  readonly buckets = new Uint32Array(BUCKETS);

  add(status: number, ms: number): void {
    this.count++;
    if (status >= 500) this.serverErrors++;
    else if (status >= 400) this.clientErrors++;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
    this.buckets[bucketOf(ms)]++;
  }

  merge(other: Stats): void {
    this.count += other.count;
    this.clientErrors += other.clientErrors;
    this.serverErrors += other.serverErrors;
    this.sumMs += other.sumMs;
    this.maxMs = Math.max(this.maxMs, other.maxMs);
    for (let i = 0; i < BUCKETS; i++) this.buckets[i] += other.buckets[i];
  }

  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(p * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.buckets[i];
      if (seen >= rank) return Math.min(upperEdge(i), this.maxMs);
    }
    return this.maxMs;
  }
}

export interface RequestSummary {
  totalRequests: number;
  successfulRequests: number;
  /** clientErrors + serverErrors. */
  failedRequests: number;
  /** 4xx: the caller's mistake (bad input, no credential, not found…). */
  clientErrors: number;
  /** 5xx: ours. */
  serverErrors: number;
  /** Exact mean in ms. */
  averageResponseTime: number;
  /** successfulRequests / totalRequests (1 when there were none). */
  successRate: number;
  p50: number;
  p95: number;
  p99: number;
  maxResponseTime: number;
}

export interface RouteSummary extends RequestSummary {
  method: string;
  route: string;
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

export const WINDOWS = { '5m': 5 * 60_000, '1h': 3600_000, '24h': 24 * 3600_000 } as const;
export type Window = keyof typeof WINDOWS;

interface Slot {
  index: number;
  routes: Map<string, Stats>;
}

/** A ring of time slots of `slotMs` each, covering `slots` × `slotMs`. */
class Ring {
  private readonly ring: Slot[];
  constructor(
    private readonly slotMs: number,
    slots: number,
  ) {
    this.ring = Array.from({ length: slots }, () => ({ index: -1, routes: new Map() }));
  }

  statsFor(key: string, now: number): Stats {
    const index = Math.floor(now / this.slotMs);
    const slot = this.ring[index % this.ring.length];
    if (slot.index !== index) {
      slot.index = index;
      slot.routes = new Map();
    }
    let s = slot.routes.get(key);
    if (!s) slot.routes.set(key, (s = new Stats()));
    return s;
  }

  /** The slots that end after now - windowMs. */
  *within(windowMs: number, now: number): Iterable<Map<string, Stats>> {
    const current = Math.floor(now / this.slotMs);
    const oldest = current - Math.ceil(windowMs / this.slotMs) + 1;
    for (const slot of this.ring) if (slot.index >= oldest && slot.index <= current) yield slot.routes;
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

function summary(s: Stats): RequestSummary {
  const failed = s.clientErrors + s.serverErrors;
  return {
    totalRequests: s.count,
    successfulRequests: s.count - failed,
    failedRequests: failed,
    clientErrors: s.clientErrors,
    serverErrors: s.serverErrors,
    averageResponseTime: s.count === 0 ? 0 : round(s.sumMs / s.count),
    successRate: s.count === 0 ? 1 : (s.count - failed) / s.count,
    p50: round(s.percentile(0.5)),
    p95: round(s.percentile(0.95)),
    p99: round(s.percentile(0.99)),
    maxResponseTime: round(s.maxMs),
  };
}

export function createRequestStats(now: () => number = Date.now) {
  const since = new Date(now()).toISOString();
  const total = new Map<string, Stats>();
  const minutes = new Ring(60_000, 60);
  const hours = new Ring(3600_000, 24);
  /**
   * "METHOD route class" per route, method and status class, made once: building and hashing it for every request
   * cost more than the counting. Route templates and methods are few (never raw paths).
   */
  const keys = new Map<string, Map<string, string[]>>();
  const keyOf = (method: string, route: string, statusClass: number): string => {
    let byMethod = keys.get(route);
    if (!byMethod) keys.set(route, (byMethod = new Map()));
    let byClass = byMethod.get(method);
    if (!byClass) byMethod.set(method, (byClass = STATUS_CLASSES.map((c) => `${method} ${route} ${c}`)));
    return byClass[statusClass];
  };

  return {
    /** One answered request: its method, route template (never a raw path), status and duration. */
    record(method: string, route: string, status: number, ms: number): void {
      const key = keyOf(method, route, Math.min(4, Math.max(0, Math.floor(status / 100) - 1)));
      const t = now();
      let s = total.get(key);
      if (!s) total.set(key, (s = new Stats()));
      s.add(status, ms);
      minutes.statsFor(key, t).add(status, ms);
      hours.statsFor(key, t).add(status, ms);
    },

    /** Since start, or over the last 5 minutes, hour or day. */
    summary(window?: Window): RequestSummary & { since: string; window: Window | 'all'; byRoute: RouteSummary[] } {
      const t = now();
      const byKey = new Map<string, Stats>();
      const slots = window === undefined ? [total] : window === '24h' ? hours.within(WINDOWS[window], t) : minutes.within(WINDOWS[window], t);
      for (const routes of slots) {
        for (const [key, s] of routes) {
          let acc = byKey.get(key);
          if (!acc) byKey.set(key, (acc = new Stats()));
          acc.merge(s);
        }
      }
      const overall = new Stats();
      const byRoute: RouteSummary[] = [];
      const routes = new Map<string, Stats>(); // the status classes of a route together
      for (const [key, s] of byKey) {
        overall.merge(s);
        const routeKey = key.slice(0, key.lastIndexOf(' '));
        let acc = routes.get(routeKey);
        if (!acc) routes.set(routeKey, (acc = new Stats()));
        acc.merge(s);
      }
      for (const [key, s] of routes) {
        const space = key.indexOf(' ');
        byRoute.push({ method: key.slice(0, space), route: key.slice(space + 1), ...summary(s) });
      }
      byRoute.sort((a, b) => b.totalRequests - a.totalRequests || a.route.localeCompare(b.route) || a.method.localeCompare(b.method));
      const windowStart = window === undefined ? since : new Date(Math.max(Date.parse(since), t - WINDOWS[window])).toISOString();
      return { since: windowStart, window: window ?? 'all', ...summary(overall), byRoute };
    },

    /**
     * Since start, per method, route and status class: how many requests took at most each bound (ms; each a
     * power of two, 2^-7 or more, so it is a bucket edge), their count and their sum in seconds.
     */
    histogram(boundsMs: readonly number[]): { method: string; route: string; statusClass: string; cumulative: number[]; count: number; sumSeconds: number }[] {
      const edges = boundsMs.map(bucketOf);
      return [...total].map(([key, s]) => {
        const [method, route, statusClass] = [key.slice(0, key.indexOf(' ')), key.slice(key.indexOf(' ') + 1, key.lastIndexOf(' ')), key.slice(key.lastIndexOf(' ') + 1)];
        let seen = 0;
        let next = 0;
        const cumulative = edges.map((edge) => {
          for (; next <= edge; next++) seen += s.buckets[next];
          return seen;
        });
        return { method, route, statusClass, cumulative, count: s.count, sumSeconds: s.sumMs / 1000 };
      });
    },
  };
}

export type RequestStats = ReturnType<typeof createRequestStats>;
