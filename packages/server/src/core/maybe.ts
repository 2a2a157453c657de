/**
 * A value now, or later. Hot paths (credential checks, the game-client answers) are served from memory and
 * stay synchronous on a cache hit; only a miss pays for a promise and the microtask turns behind it.
 */
export type MaybePromise<T> = T | Promise<T>;

export function then<T, U>(value: MaybePromise<T>, f: (v: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}
