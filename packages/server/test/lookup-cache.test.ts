import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lookupCache } from '../src/core/lookup-cache.ts';

/** A lookup whose answers the test gives, one call at a time. */
function loads<V>() {
  const calls: { key: string; resolve: (v: V) => void; reject: (e: Error) => void }[] = [];
  const load = (key: string) => new Promise<V>((resolve, reject) => calls.push({ key, resolve, reject }));
  return { calls, load };
}

describe('lookup cache (credentials on the hot path)', () => {
  it('concurrent misses of one key share one lookup; a hit is answered synchronously', async () => {
    const l = loads<string>();
    const cache = lookupCache({ ttlMs: 60_000, max: 100, load: l.load });
    const waiting = Array.from({ length: 20 }, () => cache.get('k'));
    assert.equal(l.calls.length, 1);
    assert.ok(waiting.every((w) => w instanceof Promise));
    l.calls[0].resolve('v');
    assert.deepEqual(await Promise.all(waiting), Array(20).fill('v'));
    assert.equal(cache.get('k'), 'v');
    void cache.get('other');
    assert.equal(l.calls.length, 2, 'another key has its own lookup');
  });

  it('reads again once an entry is older than ttlMs', async () => {
    const l = loads<string>();
    const cache = lookupCache({ ttlMs: 30, max: 100, load: l.load });
    const first = cache.get('k');
    l.calls[0].resolve('old');
    await first;
    const started = Date.now();
    while (cache.get('k') === 'old') {
      assert.ok(Date.now() - started < 10_000, 'the entry never ran out');
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(l.calls.length, 2);
    const reread = cache.get('k');
    l.calls[1].resolve('new');
    assert.equal(await reread, 'new');
    assert.equal(cache.get('k'), 'new');
  });

  it('forget() during a lookup: its callers get the answer, but it is not kept, and later calls read afresh', async () => {
    const l = loads<string>();
    const cache = lookupCache({ ttlMs: 60_000, max: 100, load: l.load });
    const before = cache.get('k');
    cache.forget(); // e.g. the key was revoked after the lookup read its row
    const afterForget = cache.get('k');
    assert.equal(l.calls.length, 2, 'a call after forget() does not join the lookup that began before it');
    l.calls[0].resolve('read before the change');
    l.calls[1].resolve('read after the change');
    assert.equal(await before, 'read before the change');
    assert.equal(await afterForget, 'read after the change');
    assert.equal(cache.get('k'), 'read after the change');

    const one = cache.get('u');
    cache.forget('u');
    l.calls[2].resolve('stale');
    assert.equal(await one, 'stale');
    const again = cache.get('u');
    assert.ok(again instanceof Promise, 'the late answer of a forgotten key was not kept');
    assert.equal(l.calls.length, 4);
  });

  it('a failed lookup is not kept: the next call tries again', async () => {
    const l = loads<string>();
    const cache = lookupCache({ ttlMs: 60_000, max: 100, load: l.load });
    const failing = cache.get('k');
    l.calls[0].reject(new Error('database down'));
    await assert.rejects(Promise.resolve(failing), /database down/);
    const retry = cache.get('k');
    assert.equal(l.calls.length, 2);
    l.calls[1].resolve('v');
    assert.equal(await retry, 'v');
  });

  it('keeps at most `max` entries', async () => {
    const cache = lookupCache({ ttlMs: 60_000, max: 3, load: async (k: string) => k.toUpperCase() });
    for (const k of ['a', 'b', 'c']) await cache.get(k);
    assert.equal(cache.get('a'), 'A');
    await cache.get('d'); // the fourth: the others are dropped
    assert.equal(cache.get('d'), 'D');
    assert.ok(cache.get('a') instanceof Promise);
  });
});
