import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayEnd, dayStart, diffFields, exportQuery, filterOf, listParamsOf, patchOf, sortOf } from '../src/screens/users/model.ts';

describe('users screen: URL search → API', () => {
  it('reads calendar days in UTC or the local zone, the end day inclusive (the API bound is exclusive)', () => {
    assert.equal(dayStart('2026-03-01', 'utc'), '2026-03-01T00:00:00.000Z');
    assert.equal(dayEnd('2026-03-31', 'utc'), '2026-04-01T00:00:00.000Z', 'across a month end');
    assert.equal(dayEnd('2024-02-28', 'utc'), '2024-02-29T00:00:00.000Z', 'leap day');
    assert.equal(dayStart('2026-03-01', 'local'), new Date(2026, 2, 1).toISOString());
    assert.equal(dayEnd('2026-12-31', 'local'), new Date(2027, 0, 1).toISOString());
  });

  it('builds the filter from set values only, and the list call with limit, sort and cursor', () => {
    assert.deepEqual(filterOf({}, 'utc'), {});
    const s = { q: 'kim', role: 'viewer' as const, status: 'suspended' as const, createdFrom: '2026-01-01', lastLoginTo: '2026-01-02', sort: '-createdAt', cursor: 'abc', page: 3 };
    assert.deepEqual(filterOf(s, 'utc'), { q: 'kim', role: 'viewer', status: 'suspended', createdFrom: '2026-01-01T00:00:00.000Z', lastLoginTo: '2026-01-03T00:00:00.000Z' });
    const p = listParamsOf(s, 'utc');
    assert.equal(p.limit, 50);
    assert.equal(p.sort, '-createdAt');
    assert.equal(p.cursor, 'abc');
    assert.equal('page' in p, false, 'keyset paging: the page number is only shown');
    assert.equal(listParamsOf({ limit: 100 }, 'utc').limit, 100);
  });

  it('keeps only sorts the API knows', () => {
    assert.equal(sortOf('-lastLoginAt'), '-lastLoginAt');
    assert.equal(sortOf('username'), 'username');
    assert.equal(sortOf('email'), undefined);
    assert.equal(sortOf('-'), undefined);
    assert.equal(sortOf(undefined), undefined);
  });

  it('writes the export query of a filter and sort, encoded', () => {
    assert.equal(exportQuery({}, undefined), '');
    assert.equal(exportQuery({ q: 'a&b', role: 'admin' }, '-id'), '?q=a%26b&role=admin&sort=-id');
  });
});

describe('users screen: edit diff', () => {
  const before = { username: 'kim', email: 'kim@example.com', displayName: null as string | null, role: 'viewer', status: 'active' };
  const fields = ['username', 'email', 'displayName', 'role', 'status'] as const;

  it('lists changed fields old → new in field order; empty text is "not set"', () => {
    const d = diffFields(before, { username: 'kim', email: 'kim2@example.com', displayName: '', role: 'operator', status: 'active' }, fields);
    assert.deepEqual(d, [
      { field: 'email', from: 'kim@example.com', to: 'kim2@example.com' },
      { field: 'role', from: 'viewer', to: 'operator' },
    ]);
    assert.deepEqual(patchOf(d), { email: 'kim2@example.com', role: 'operator' });
  });

  it('sets and clears a nullable field, trims text, and ignores fields not given', () => {
    assert.deepEqual(diffFields(before, { displayName: '  Kim  ' }, fields), [{ field: 'displayName', from: null, to: 'Kim' }]);
    assert.deepEqual(diffFields({ ...before, displayName: 'Kim' }, { displayName: ' ' }, fields), [{ field: 'displayName', from: 'Kim', to: null }]);
    assert.deepEqual(patchOf(diffFields({ ...before, displayName: 'Kim' }, { displayName: '' }, fields)), { displayName: null });
    assert.deepEqual(diffFields(before, {}, fields), []);
  });
});
