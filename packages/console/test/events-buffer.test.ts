import assert from 'node:assert/strict';
import { test } from 'node:test';
import { add, emptyTail, entityOf, has, insertEarlier, matches, MAX_EVENTS, pause, resume, subjectOf, type TailEvent } from '../src/screens/events/buffer.ts';

let seq = 0;
const ev = (name: string, data: Record<string, unknown> = {}): TailEvent => ({ name, data, seq: ++seq, receivedAt: 0 });

test('events show newest first; while paused they are held back and counted, and resume shows them on top', () => {
  let tail = add(add(emptyTail, ev('user_login')), ev('user_updated'));
  assert.deepEqual(tail.shown.map((e) => e.name), ['user_updated', 'user_login']);
  tail = pause(tail);
  tail = add(add(tail, ev('world_created')), ev('world_updated'));
  assert.equal(tail.held.length, 2);
  assert.equal(tail.shown.length, 2);
  tail = resume(tail);
  assert.deepEqual(tail.shown.map((e) => e.name), ['world_updated', 'world_created', 'user_updated', 'user_login']);
  assert.equal(tail.held.length, 0);
  assert.equal(tail.paused, false);
});

test('the buffer keeps at most MAX_EVENTS, shown and held together, dropping the oldest', () => {
  let tail = emptyTail;
  for (let i = 0; i < MAX_EVENTS + 5; i++) tail = add(tail, ev('user_login', { i }));
  assert.equal(tail.shown.length, MAX_EVENTS);
  assert.equal(tail.shown[0]?.data.i, MAX_EVENTS + 4);
  tail = pause(tail);
  for (let i = 0; i < 10; i++) tail = add(tail, ev('user_login'));
  assert.equal(tail.shown.length + tail.held.length, MAX_EVENTS);
  assert.equal(resume(tail).shown.length, MAX_EVENTS);
  // A long pause keeps only the newest MAX_EVENTS too.
  let paused = pause(emptyTail);
  for (let i = 0; i < MAX_EVENTS + 3; i++) paused = add(paused, ev('user_login', { i }));
  assert.equal(paused.held.length, MAX_EVENTS);
  assert.equal(paused.held[0]?.data.i, MAX_EVENTS + 2);
});

test('filters: type (exact or prefix_*), world by worldId or id, user by id or username', () => {
  const w = ev('world_updated', { id: 7, worldId: 'asia-1', world: { id: 7, worldId: 'asia-1' } });
  const u = ev('user_updated', { userId: 3, user: { id: 3, username: 'Alice' } });
  assert.ok(matches(w, { type: 'world_*' }));
  assert.ok(!matches(w, { type: 'world_created' }));
  assert.ok(matches(w, { world: 'ASIA-1' }) && matches(w, { world: '7' }));
  assert.ok(!matches(u, { world: '7' }));
  assert.ok(matches(u, { user: 'alice' }) && matches(u, { user: '3' }));
  assert.ok(!matches(u, { user: '4' }));
  assert.ok(matches(u, {}));
});

test('each event links to its entity', () => {
  assert.deepEqual(entityOf(ev('user_login', { userId: 5, username: 'bob' })), { to: '/users/$id', id: '5' });
  assert.deepEqual(entityOf(ev('world_maintenance_started', { id: 2, worldId: 'eu' })), { to: '/worlds/$id', id: '2' });
  assert.deepEqual(entityOf(ev('webhook_disabled', { webhookId: 9, url: 'https://x' })), { to: '/webhooks/$id', id: '9' });
  assert.deepEqual(entityOf(ev('maintenance_started', {})), { to: '/maintenance' });
  assert.deepEqual(entityOf(ev('whitelist_updated', { entry: {} })), { to: '/whitelist' });
  assert.equal(entityOf(ev('user_deleted', { userId: 5 })), undefined);
  assert.equal(subjectOf(ev('user_login', { userId: 5, username: 'bob' })), 'bob (#5)');
});

test('history goes where it belongs by time, below live events that came first, once per event id', () => {
  const at = (eventId: string, timestamp: string) => ev('world_updated', { eventId, timestamp });
  let tail = add(emptyTail, at('e5', '2026-01-01T00:00:05.000Z'));
  tail = insertEarlier(tail, [at('e1', '2026-01-01T00:00:01.000Z'), at('e2', '2026-01-01T00:00:02.000Z'), at('e2b', '2026-01-01T00:00:02.000Z'), at('e5', '2026-01-01T00:00:05.000Z')]);
  assert.deepEqual(
    tail.shown.map((e) => e.data.eventId),
    ['e5', 'e2b', 'e2', 'e1'],
  );
  // Missed while disconnected: between what came before the drop and after it.
  tail = add(tail, at('e9', '2026-01-01T00:00:09.000Z'));
  tail = insertEarlier(tail, [at('e6', '2026-01-01T00:00:06.000Z'), at('e7', '2026-01-01T00:00:07.000Z')]);
  assert.deepEqual(
    tail.shown.map((e) => e.data.eventId),
    ['e9', 'e7', 'e6', 'e5', 'e2b', 'e2', 'e1'],
  );
  assert.equal(has(tail, 'e6'), true);
  assert.equal(has(tail, 'e8'), false);
  assert.equal(has(tail, undefined), false);
  // Held events count against the buffer too.
  tail = pause(tail);
  tail = add(tail, at('e10', '2026-01-01T00:00:10.000Z'));
  assert.equal(has(tail, 'e10'), true);
  const many = Array.from({ length: MAX_EVENTS }, (_, i) => at(`old${i}`, `2025-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`));
  tail = insertEarlier(tail, many);
  assert.equal(tail.shown.length + tail.held.length, MAX_EVENTS);
  assert.equal(tail.shown[0]?.data.eventId, 'e9', 'the newest shown stay');
});
