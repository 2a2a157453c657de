import type { RouteOptions } from 'fastify';

type HookName = 'onRequest' | 'preValidation' | 'preHandler' | 'onSend';

/**
 * Adds a hook to one route from an `onRoute` hook, after the route's own hooks. Hooks that only some routes
 * need (idempotency on POST, input guards where there is input) are attached this way, so the routes that do
 * not need them — the game-client API above all — do not run them on every request.
 */
export function addRouteHook(route: RouteOptions, name: HookName, hook: (...args: never[]) => unknown): void {
  const existing = route[name];
  route[name] = ([] as unknown[]).concat(existing ?? [], hook) as RouteOptions[typeof name] & never;
}
