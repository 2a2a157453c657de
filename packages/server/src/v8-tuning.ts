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
