import { createHook } from 'node:async_hooks';
import { setFlagsFromString } from 'node:v8';

/**
 * Imported first by main.ts, before any other module is evaluated.
 *
 * V8's allocation-site pretenuring allocates the objects of an allocation site straight into the old
 * generation once it has seen most of them survive a scavenge. Under a burst of requests that decision can be
 * taken for per-request objects, and it then feeds itself: the dead, pretenured request objects in the old
 * generation keep the young objects they point to alive through every scavenge until the next full
 * mark-compact, so each scavenge copies megabytes instead of nothing and finds them alive again. Measured on
 * the game-client route (docs/performance.md, "One process in four was slow"): about one server process in four
 * fell into that mode and stayed there, with 1.9× the CPU per request and p99 at 12–15 ms instead of 4–6 ms;
 * with pretenuring off, none did (`npm run bench:pretenuring`).
 *
 * An operator who starts node with `--allocation-site-pretenuring` (or `--no-…`) decides for themselves.
 */
if (!process.execArgv.some((arg) => arg.endsWith('allocation-site-pretenuring'))) {
  setFlagsFromString('--no-allocation-site-pretenuring');
}

/** Where the tick object below is kept: a global, so that no bundler or V8 drops an unread module variable. */
export const KEPT_TICK_OBJECT = Symbol.for('gatrix.keptTickObject');

/**
 * Keeps one of Node's `process.nextTick` queue entries alive for the life of the process.
 *
 * Node builds each entry as `{ [async_id_symbol]: id, [trigger_async_id_symbol]: id, callback, args }`. V8 records
 * the object's shape (map) after each computed key in nextTick's feedback, and that feedback has no polymorphic
 * state: the first time an entry arrives with a shape other than the recorded one, it is megamorphic for good,
 * and every nextTick (node:http and its streams make about 30 per answered request) then defines its four
 * properties in V8's runtime instead of in compiled code. Entries live for microseconds, so a full garbage
 * collection while none is queued collects those shapes; the next entry gets new ones and the feedback turns
 * megamorphic. In Gatrix it happened in most starts (a mark-compact runs during start-up), and it can happen
 * later, after a collection in a lull of traffic. Holding one entry keeps its shapes, which every later entry
 * shares, alive: ~38,000 fewer instructions per game-client answer in a process where it would have turned
 * (docs/performance.md, "nextTick's shapes"; `npm run bench:tick-shapes`, `npm run bench:client-instructions`).
 */
function keepTickObject(): void {
  let tick: object | undefined;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject') tick ??= resource;
    },
  });
  hook.enable();
  try {
    process.nextTick(() => {}); // its init hook runs here, synchronously
  } finally {
    hook.disable();
  }
  (globalThis as Record<symbol, unknown>)[KEPT_TICK_OBJECT] = tick;
}
keepTickObject();
