// Pure helpers of the console: problem+json parsing, query strings, sort ↔ URL, redirects, time formatting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, problemFrom } from '../src/api/errors.ts';
import { queryString } from '../src/api/fetcher.ts';
import { safeRedirect } from '../src/auth/redirect.ts';
import { formatInstant } from '../src/lib/preferences.ts';
import { formatSort, pageSearch, parseSort, sortSearch, textSearch, z } from '../src/lib/search.ts';

const problem = (status: number, body: unknown) =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json' } });

describe('problemFrom', () => {
  it('reads status, code, detail, the field and every field error', async () => {
    const e = await problemFrom(
      problem(400, {
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        code: 'validation_failed',
        detail: 'newPassword: must be at least 12 characters',
        requestId: 'req-1',
        errors: [{ path: '/newPassword', message: 'must be at least 12 characters' }],
      }),
    );
    assert.ok(e instanceof ApiError);
    assert.equal(e.status, 400);
    assert.equal(e.code, 'validation_failed');
    assert.equal(e.field, 'newPassword');
    assert.deepEqual(e.fieldErrors, { newPassword: 'must be at least 12 characters' });
    assert.equal(e.requestId, 'req-1');
  });

  it('copes with a body that is not JSON', async () => {
    const e = await problemFrom(new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    assert.equal(e.status, 502);
    assert.equal(e.code, 'http_502');
    assert.equal(e.detail, 'Bad Gateway');
    assert.equal(e.field, undefined);
  });

  it('keeps the console_forbidden code of a refused player sign-in', async () => {
    const e = await problemFrom(problem(403, { status: 403, code: 'console_forbidden', detail: 'Players cannot sign in to the console', title: 'Forbidden', type: 'x', requestId: 'r' }));
    assert.equal(e.code, 'console_forbidden');
  });
});

describe('helpers', () => {
  it('queryString leaves out empty values and repeats arrays', () => {
    assert.equal(queryString({ page: 2, q: '', role: undefined, tag: ['a', 'b'], visible: false }), '?page=2&tag=a&tag=b&visible=false');
    assert.equal(queryString({}), '');
  });

  it('sort round-trips between the URL and TanStack Table', () => {
    assert.deepEqual(parseSort('-createdAt'), [{ id: 'createdAt', desc: true }]);
    assert.deepEqual(parseSort('username'), [{ id: 'username', desc: false }]);
    assert.equal(formatSort([{ id: 'username', desc: false }]), 'username');
    assert.equal(formatSort([{ id: 'createdAt', desc: true }]), '-createdAt');
    assert.equal(formatSort([]), undefined);
    assert.deepEqual(parseSort(undefined), []);
  });

  it('search schemas drop invalid values instead of failing', () => {
    const schema = z.object({ ...pageSearch, ...textSearch, ...sortSearch });
    assert.deepEqual(schema.parse({ page: 2, q: 'ann', sort: '-createdAt' }), { page: 2, q: 'ann', sort: '-createdAt' });
    const bad = schema.parse({ page: -1, limit: 5000, sort: 'x;drop' });
    assert.equal(bad.page, undefined);
    assert.equal(bad.limit, undefined);
    assert.equal(bad.sort, undefined);
  });

  it('safeRedirect only follows same-origin paths', () => {
    assert.equal(safeRedirect('/users?q=a'), '/users?q=a');
    assert.equal(safeRedirect('//evil.example/x'), '/');
    assert.equal(safeRedirect('https://evil.example'), '/');
    assert.equal(safeRedirect('/login?redirect=/x'), '/');
    assert.equal(safeRedirect(undefined), '/');
  });

  it('formatInstant writes the zone out', () => {
    const d = new Date('2026-12-01T00:30:05Z');
    assert.equal(formatInstant(d, 'utc'), '2026-12-01 00:30:05 UTC');
    assert.match(formatInstant(d, 'local'), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC[+-]\d\d:\d\d$/);
    assert.equal(formatInstant(d, 'utc', false), '2026-12-01 00:30 UTC');
  });
});
