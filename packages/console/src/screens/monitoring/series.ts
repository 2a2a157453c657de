/**
 * Turns the monitoring time series (GET /api/v1/monitoring/timeseries) into chart columns and tile figures. Pure:
 * unit-tested in test/monitoring-series.test.ts.
 */
import type { MonitoringTimeSeries } from '../../api/generated/model/monitoringTimeSeries.ts';

export const WINDOWS = ['15m', '1h', '24h'] as const;
export type TimeWindow = (typeof WINDOWS)[number];

export interface SeriesColumns {
  /** Unix seconds, one per step. */
  x: number[];
  requests: number[];
  errors: number[];
  /** 5xx / requests, 0–1; null in a step without requests. */
  errorRate: (number | null)[];
  p95: (number | null)[];
  /** Delivered / (delivered + failed attempts), 0–1; null in a step without webhook traffic. */
  webhookSuccess: (number | null)[];
  queueDepth: number[];
  sockets: number[];
}

export interface SeriesTotals {
  requests: number;
  errors: number;
  /** Requests per minute over the window. */
  requestsPerMinute: number;
  errorRate: number | null;
  /** The p95 of the most recent step that had requests. */
  p95: number | null;
  webhooksDelivered: number;
  webhooksFailed: number;
  webhookSuccess: number | null;
  /** The latest step's figure (gauges). */
  queueDepth: number;
  sockets: number;
}

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

export function columns(ts: MonitoringTimeSeries): SeriesColumns {
  const p = ts.points;
  return {
    x: p.map((q) => Math.floor(Date.parse(q.at) / 1000)),
    requests: p.map((q) => q.requests),
    errors: p.map((q) => q.errors),
    errorRate: p.map((q) => ratio(q.errors, q.requests)),
    p95: p.map((q) => q.p95),
    webhookSuccess: p.map((q) => ratio(q.webhooksDelivered, q.webhooksDelivered + q.webhooksFailed)),
    queueDepth: p.map((q) => q.queueDepth),
    sockets: p.map((q) => q.sockets),
  };
}

export function totals(ts: MonitoringTimeSeries): SeriesTotals {
  const p = ts.points;
  const sum = (f: (q: (typeof p)[number]) => number) => p.reduce((n, q) => n + f(q), 0);
  const requests = sum((q) => q.requests);
  const errors = sum((q) => q.errors);
  const webhooksDelivered = sum((q) => q.webhooksDelivered);
  const webhooksFailed = sum((q) => q.webhooksFailed);
  const minutes = (p.length * ts.stepSeconds) / 60;
  const last = p[p.length - 1];
  const lastP95 = [...p].reverse().find((q) => q.p95 !== null)?.p95 ?? null;
  return {
    requests,
    errors,
    requestsPerMinute: minutes > 0 ? requests / minutes : 0,
    errorRate: ratio(errors, requests),
    p95: lastP95,
    webhooksDelivered,
    webhooksFailed,
    webhookSuccess: ratio(webhooksDelivered, webhooksDelivered + webhooksFailed),
    queueDepth: last?.queueDepth ?? 0,
    sockets: last?.sockets ?? 0,
  };
}

/** 0.0123 → "1.23 %"; null → "—". */
export function formatPercent(v: number | null, locale?: string): string {
  if (v === null) return '—';
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: v > 0 && v < 0.1 ? 2 : 1 }).format(v);
}

/** Milliseconds: "0.42 ms", "12 ms", "1.2 s"; null → "—". */
export function formatMs(v: number | null): string {
  if (v === null) return '—';
  if (v >= 1000) return `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)} s`;
  if (v >= 10) return `${Math.round(v)} ms`;
  return `${v.toFixed(v >= 1 ? 1 : 2)} ms`;
}

export function formatCount(v: number, locale?: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: v < 10 && !Number.isInteger(v) ? 1 : 0 }).format(v);
}

/** Sorts rows by `sort` (`field` or `-field`, the URL convention) on numbers or strings; unknown fields keep the order. */
export function sortRows<T extends object>(rows: readonly T[], sort: string | undefined): T[] {
  if (!sort) return [...rows];
  const desc = sort.startsWith('-');
  const key = (desc ? sort.slice(1) : sort) as keyof T;
  return [...rows].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
    return desc ? -c : c;
  });
}
