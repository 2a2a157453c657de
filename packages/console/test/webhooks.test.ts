// The webhook screens' pure logic: the event picker (grouping, toggling, normalising a subscription) and the
// datetime-local ↔ ISO conversion of the deliveries' time filters.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { covers, groupEvents, normalise, toggleCategory, toggleEvent } from '../src/screens/webhooks/events.ts';
import { fromInputValue, toInputValue } from '../src/screens/webhooks/time.ts';

const CATALOG = ['user.created', 'user.deleted', 'user.login', 'world.created', 'world.deleted', 'webhook.test'];

describe('webhook event picker', () => {
  it('groups the catalog by category, sorted', () => {
    assert.deepEqual(groupEvents(['world.created', 'user.login', 'user.created', 'webhook.test']), [
      { category: 'user', events: ['user.created', 'user.login'] },
      { category: 'webhook', events: ['webhook.test'] },
      { category: 'world', events: ['world.created'] },
    ]);
  });

  it('covers an event by name, by its category wildcard or by *', () => {
    assert.ok(covers(['user.login'], 'user.login'));
    assert.ok(covers(['user.*'], 'user.login'));
    assert.ok(covers(['*'], 'world.created'));
    assert.ok(!covers(['user.*'], 'world.created'));
  });

  it('ticking every event of a category becomes the category wildcard, and every category becomes *', () => {
    let s = toggleEvent([], 'user.created', CATALOG);
    s = toggleEvent(s, 'user.deleted', CATALOG);
    assert.deepEqual(s, ['user.created', 'user.deleted']);
    s = toggleEvent(s, 'user.login', CATALOG);
    assert.deepEqual(s, ['user.*']);
    s = toggleCategory(s, 'world', CATALOG);
    s = toggleCategory(s, 'webhook', CATALOG);
    assert.deepEqual(s, ['*']);
  });

  it('unticking one event of a wildcard keeps the others', () => {
    assert.deepEqual(toggleEvent(['user.*'], 'user.login', CATALOG), ['user.created', 'user.deleted']);
    assert.deepEqual(toggleEvent(['*'], 'webhook.test', CATALOG), ['user.*', 'world.*']);
  });

  it('a category toggles as a whole', () => {
    assert.deepEqual(toggleCategory(['user.login', 'world.created'], 'user', CATALOG), ['user.*', 'world.created']);
    assert.deepEqual(toggleCategory(['user.*', 'world.created'], 'user', CATALOG), ['world.created']);
    assert.deepEqual(toggleCategory(['*'], 'world', CATALOG), ['user.*', 'webhook.*']);
  });

  it('keeps patterns the catalog does not know', () => {
    assert.deepEqual(normalise(['legacy.event', 'user.login', 'shop.*'], CATALOG), ['user.login', 'legacy.event', 'shop.*']);
  });
});

describe('datetime-local ↔ ISO', () => {
  it('reads and writes UTC', () => {
    assert.equal(fromInputValue('2026-03-04T05:06', 'utc'), '2026-03-04T05:06:00.000Z');
    assert.equal(toInputValue('2026-03-04T05:06:59.000Z', 'utc'), '2026-03-04T05:06');
  });
  it('round-trips local time', () => {
    const iso = fromInputValue('2026-07-01T12:30', 'local');
    assert.ok(iso);
    assert.equal(toInputValue(iso, 'local'), '2026-07-01T12:30');
  });
  it('refuses what is not a time', () => {
    assert.equal(fromInputValue('', 'utc'), undefined);
    assert.equal(fromInputValue('yesterday', 'utc'), undefined);
    assert.equal(toInputValue(undefined, 'utc'), '');
  });
});
