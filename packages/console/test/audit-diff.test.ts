import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changeCount, diffFields, formatValue } from '../src/screens/audit/diff.ts';

test('changed, added, removed and unchanged fields, sorted by path', () => {
  const d = diffFields({ status: 'active', role: 'viewer', gone: 1 }, { status: 'suspended', role: 'viewer', reason: 'spam' });
  assert.deepEqual(d, [
    { path: 'gone', kind: 'removed', before: 1 },
    { path: 'reason', kind: 'added', after: 'spam' },
    { path: 'role', kind: 'unchanged', before: 'viewer', after: 'viewer' },
    { path: 'status', kind: 'changed', before: 'active', after: 'suspended' },
  ]);
  assert.equal(changeCount(d), 3);
});

test('nested objects become dotted paths; arrays compare whole', () => {
  const d = diffFields({ payload: { region: 'eu', tier: 1 }, tags: ['a', 'b'] }, { payload: { region: 'us', tier: 1 }, tags: ['a', 'b'] });
  assert.deepEqual(
    d.map((e) => [e.path, e.kind]),
    [
      ['payload.region', 'changed'],
      ['payload.tier', 'unchanged'],
      ['tags', 'unchanged'],
    ],
  );
  assert.equal(diffFields({ tags: ['a'] }, { tags: ['a', 'b'] })[0]?.kind, 'changed');
});

test('a creation (before null) adds every field; a deletion removes every field', () => {
  assert.deepEqual(diffFields(null, { name: 'w1', visible: true }), [
    { path: 'name', kind: 'added', after: 'w1' },
    { path: 'visible', kind: 'added', after: true },
  ]);
  assert.deepEqual(
    diffFields({ name: 'w1' }, null).map((e) => e.kind),
    ['removed'],
  );
});

test('a value that turns from an object into null or a scalar is one changed field', () => {
  assert.deepEqual(diffFields({ x: { a: 1 } }, { x: null }), [{ path: 'x', kind: 'changed', before: { a: 1 }, after: null }]);
  assert.deepEqual(diffFields(3, 5), [{ path: '', kind: 'changed', before: 3, after: 5 }]);
  assert.deepEqual(diffFields(null, null), []);
});

test('formatValue shows strings bare and the rest as JSON', () => {
  assert.equal(formatValue('x'), 'x');
  assert.equal(formatValue(null), 'null');
  assert.equal(formatValue({ a: 1 }), '{"a":1}');
  assert.equal(formatValue(undefined), '');
});
