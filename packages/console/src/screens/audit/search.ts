import { z } from 'zod/mini';
import { optional, pageSearch, textSearch } from '../../lib/search.ts';

const id = z.string().check(z.minLength(1), z.maxLength(64));

/**
 * The audit screen's URL search: the server's filters (actor, action or `prefix.*`, target, time range, free text),
 * the page, and the entry whose detail drawer is open.
 */
export const search = z.object({
  ...pageSearch,
  ...textSearch,
  actorType: optional(z.enum(['user', 'api_key', 'system'])),
  actorId: optional(z.number().check(z.int(), z.minimum(1))),
  action: optional(z.string().check(z.regex(/^[a-z_]+(\.[a-z_]+|\.\*)?$/))),
  targetType: optional(z.string().check(z.regex(/^[a-z_]{1,32}$/))),
  targetId: optional(id),
  from: optional(z.iso.datetime()),
  to: optional(z.iso.datetime()),
  entry: optional(z.number().check(z.int(), z.minimum(1))),
});
export type Search = z.infer<typeof search>;
