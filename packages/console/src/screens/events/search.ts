import { z } from 'zod/mini';
import { optional } from '../../lib/search.ts';

const text = z.string().check(z.minLength(1), z.maxLength(100));

/** The live events screen's URL search: event type (a name or `prefix_*`), world and user filters. */
export const search = z.object({
  type: optional(z.string().check(z.regex(/^[a-z_]+\*?$/))),
  world: optional(text),
  user: optional(text),
});
export type Search = z.infer<typeof search>;
