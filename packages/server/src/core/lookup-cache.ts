import type { MaybePromise } from './maybe.ts';

/**
 * A short-lived memory cache of lookups, for credentials on the hot path (API keys, a token's user):
 *
 * - a hit younger than `ttlMs` is answered synchronously;
 * - concurrent misses of one key share one lookup: when a popular key's entry runs out under a launch storm, the
 *   requests that arrive while it is read again wait for that one read instead of each sending its own;
 * - `forget()` (a key revoked, a user changed) also discards what the lookups under way will return, since they
 *   may have read the row before the change: their callers get that answer, as they would have a moment earlier,
 *   but it is not kept, and the next call reads afresh.
 *
 * At most `max` entries are kept (all are dropped past that: callers choose the keys, e.g. random API keys).
 */
export function lookupCache<K, V>(opts: { ttlMs: number; max: number; load: (key: K) => Promise<V> }) {
  const entries = new Map<K, { value: V; at: number }>();
  const pending = new Map<K, Promise<V>>();
  /** Moves with every forget(): a lookup that began before it is not kept. */
  let generation = 0;

  function load(key: K): Promise<V> {
    const gen = generation;
    const at = Date.now();
    const loading = opts.load(key).then((value) => {
      if (gen === generation) {
        if (entries.size >= opts.max) entries.clear();
        entries.set(key, { value, at });
      }
      return value;
    });
    const shared: Promise<V> = loading.finally(() => {
      if (pending.get(key) === shared) pending.delete(key);
    });
    pending.set(key, shared);
    return shared;
  }

  return {
    get(key: K): MaybePromise<V> {
      const hit = entries.get(key);
      if (hit && Date.now() - hit.at < opts.ttlMs) return hit.value;
      return pending.get(key) ?? load(key);
    },
    /** Forgets `key` (every key without one), and what the lookups under way will return. */
    forget(key?: K): void {
      generation++;
      if (key === undefined) {
        entries.clear();
        pending.clear();
      } else {
        entries.delete(key);
        pending.delete(key);
      }
    },
  };
}
