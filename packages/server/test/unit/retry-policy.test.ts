/** The webhook retry policy: pure decisions, no database. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointAfterFailure, isDelivered, nextAttempt, nextRetryDelay, parseRetryAfter } from '../../src/modules/webhooks/retry-policy.ts';

const SCHEDULE = [1_000, 1_000];
const NOW = Date.parse('2026-01-01T00:00:00.000Z');
const HOUR = 3_600_000;

describe('webhook retry delay', () => {
  const cases: { name: string; attempt: number; gone?: boolean; retryAfterMs?: number; random?: number; schedule?: number[]; want: number | undefined }[] = [
    { name: 'first failure: the first delay', attempt: 1, random: 0.5, want: 1_000 },
    { name: 'jitter low end (-20%)', attempt: 1, random: 0, want: 800 },
    { name: 'jitter high end (+20%)', attempt: 1, random: 0.999_999, want: 1_200 },
    { name: 'last scheduled retry', attempt: 2, random: 0.5, want: 1_000 },
    { name: 'schedule used up: no more attempts', attempt: 3, random: 0.5, want: undefined },
    { name: 'Retry-After longer than the schedule delays the attempt', attempt: 1, retryAfterMs: 120_000, random: 0.5, want: 120_000 },
    { name: 'Retry-After shorter than the schedule does not hurry it', attempt: 1, retryAfterMs: 1_000, random: 1 - 1e-9, want: 1_200 },
    { name: 'Retry-After on the last attempt adds none (503 + Retry-After: 1)', attempt: 3, retryAfterMs: 1_000, random: 0.5, want: undefined },
    { name: 'Retry-After far past the schedule adds none', attempt: 40, retryAfterMs: 1_000, random: 0.5, want: undefined },
    { name: '410 Gone: never again', attempt: 1, gone: true, random: 0.5, want: undefined },
    { name: '410 Gone with Retry-After: never again', attempt: 1, gone: true, retryAfterMs: 5_000, random: 0.5, want: undefined },
    { name: 'empty schedule: one attempt only', attempt: 1, schedule: [], retryAfterMs: 1_000, random: 0.5, want: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = nextRetryDelay({ attempt: c.attempt, schedule: c.schedule ?? SCHEDULE, gone: c.gone ?? false, retryAfterMs: c.retryAfterMs, random: c.random ?? 0.5 });
      assert.equal(got, c.want === undefined ? undefined : Math.round(c.want));
    });
  }

  it('Retry-After: however the receiver answers, a delivery gets at most schedule.length + 1 attempts', () => {
    for (const retryAfterMs of [undefined, 1_000, 86_400_000]) {
      let attempts = 1;
      while (nextRetryDelay({ attempt: attempts, schedule: SCHEDULE, gone: false, retryAfterMs, random: Math.random() }) !== undefined) attempts++;
      assert.equal(attempts, SCHEDULE.length + 1, `Retry-After ${retryAfterMs}`);
    }
  });
});

describe('Retry-After header', () => {
  const headers: { value: string | undefined; want: number | undefined }[] = [
    { value: undefined, want: undefined },
    { value: '', want: undefined },
    { value: 'soon', want: undefined },
    { value: '0', want: 1_000 },
    { value: '1', want: 1_000 },
    { value: ' 120 ', want: 120_000 },
    { value: '999999999', want: 86_400_000 },
    { value: 'Thu, 01 Jan 2026 00:00:30 GMT', want: 30_000 },
    { value: 'Wed, 31 Dec 2025 23:00:00 GMT', want: 1_000 },
  ];
  for (const hdr of headers) {
    it(`parses Retry-After ${JSON.stringify(hdr.value)} as ${hdr.want} ms`, () => assert.equal(parseRetryAfter(hdr.value, NOW), hdr.want));
  }
});

describe('what a status means', () => {
  const cases: { status: number | null; delivered: boolean }[] = [
    { status: null, delivered: false },
    { status: 0, delivered: false },
    { status: 199, delivered: false },
    { status: 200, delivered: true },
    { status: 204, delivered: true },
    { status: 299, delivered: true },
    { status: 300, delivered: false },
    { status: 410, delivered: false },
    { status: 503, delivered: false },
  ];
  for (const c of cases) it(`${c.status} ${c.delivered ? 'delivers' : 'fails'}`, () => assert.equal(isDelivered(c.status), c.delivered));
});

describe('next attempt after a failure', () => {
  const now = new Date(NOW);
  const cases: {
    name: string;
    attempt: number;
    status: number | null;
    retryAfterMs?: number;
    random?: number;
    skipped?: boolean;
    schedule?: number[];
    want: { retryInMs: number } | { stop: 'skipped' | 'gone' | 'exhausted' };
  }[] = [
    { name: 'a 500 on the first attempt: the first delay', attempt: 1, status: 500, want: { retryInMs: 1_000 } },
    { name: 'no answer (timeout, refused): retried like an error status', attempt: 1, status: null, want: { retryInMs: 1_000 } },
    { name: 'jitter applies to the retry time', attempt: 2, status: 502, random: 0, want: { retryInMs: 800 } },
    { name: 'Retry-After past the jittered delay is honoured', attempt: 1, status: 429, retryAfterMs: 30_000, want: { retryInMs: 30_000 } },
    { name: 'Retry-After shorter than the delay is not', attempt: 1, status: 503, retryAfterMs: 1_000, random: 0.999_999, want: { retryInMs: 1_200 } },
    { name: 'schedule used up', attempt: 3, status: 500, want: { stop: 'exhausted' } },
    { name: 'schedule used up, Retry-After adds none', attempt: 3, status: 503, retryAfterMs: 1_000, want: { stop: 'exhausted' } },
    { name: 'empty schedule: the first failure is the last', attempt: 1, status: 500, schedule: [], want: { stop: 'exhausted' } },
    { name: '410 Gone: never again', attempt: 1, status: 410, want: { stop: 'gone' } },
    { name: '410 Gone with Retry-After: never again', attempt: 1, status: 410, retryAfterMs: 5_000, want: { stop: 'gone' } },
    { name: '410 Gone after the schedule: gone', attempt: 3, status: 410, want: { stop: 'gone' } },
    { name: 'skipped (endpoint disabled or deleted): never retried', attempt: 1, status: null, skipped: true, want: { stop: 'skipped' } },
    { name: 'skipped wins over a schedule with room', attempt: 1, status: null, skipped: true, schedule: [1_000, 1_000, 1_000], want: { stop: 'skipped' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = nextAttempt({
        attempt: c.attempt,
        status: c.status,
        retryAfterMs: c.retryAfterMs,
        schedule: c.schedule ?? SCHEDULE,
        random: c.random ?? 0.5,
        now,
        skipped: c.skipped,
      });
      assert.deepEqual(got, 'retryInMs' in c.want ? { retryAt: new Date(NOW + c.want.retryInMs) } : c.want);
    });
  }
});

describe('an endpoint after a failed attempt', () => {
  const now = new Date(NOW);
  const iso = (ms: number) => new Date(ms).toISOString();
  const cases: {
    name: string;
    status: number | null;
    failingSince: string | null;
    disableAfterMs?: number;
    want: { failingSince: string; disable?: 'gone' | 'failing' };
  }[] = [
    { name: 'first failure: the streak starts now', status: 500, failingSince: null, want: { failingSince: iso(NOW) } },
    { name: 'streak running, not long enough: kept', status: 500, failingSince: iso(NOW - HOUR), want: { failingSince: iso(NOW - HOUR) } },
    { name: 'streak one ms short: kept', status: null, failingSince: iso(NOW - 5 * HOUR + 1), want: { failingSince: iso(NOW - 5 * HOUR + 1) } },
    { name: 'streak exactly disableAfterMs: disabled as failing', status: 500, failingSince: iso(NOW - 5 * HOUR), want: { failingSince: iso(NOW - 5 * HOUR), disable: 'failing' } },
    { name: 'streak past disableAfterMs: disabled as failing', status: 503, failingSince: iso(NOW - 50 * HOUR), want: { failingSince: iso(NOW - 50 * HOUR), disable: 'failing' } },
    { name: '410 Gone on the first failure: disabled as gone', status: 410, failingSince: null, want: { failingSince: iso(NOW), disable: 'gone' } },
    { name: '410 Gone wins over a long streak', status: 410, failingSince: iso(NOW - 50 * HOUR), want: { failingSince: iso(NOW - 50 * HOUR), disable: 'gone' } },
    { name: 'disableAfterMs 0: the first failure disables', status: 500, failingSince: null, disableAfterMs: 0, want: { failingSince: iso(NOW), disable: 'failing' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(endpointAfterFailure({ status: c.status, failingSince: c.failingSince, now, disableAfterMs: c.disableAfterMs ?? 5 * HOUR }), c.want);
    });
  }
});
