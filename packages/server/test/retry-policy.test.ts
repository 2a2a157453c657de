import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextRetryDelay, parseRetryAfter } from '../src/modules/webhooks/retry-policy.ts';

const SCHEDULE = [1_000, 1_000];
const NOW = Date.parse('2026-01-01T00:00:00.000Z');

describe('webhook retry policy', () => {
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
