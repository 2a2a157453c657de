import { z } from 'zod/mini';
import { optional, pageSearch } from '../../lib/search.ts';

/** The "unused for" choices of the filter, in days. */
export const UNUSED_DAYS = [30, 90] as const;

/** The api-keys screen's URL search: `?type=server&unused=30&revoked=true&page=2`. */
export const search = z.object({
  ...pageSearch,
  type: optional(z.enum(['admin', 'server', 'client'])),
  /** Only keys not used for this many days (never-used keys count from their creation). */
  unused: optional(z.number().check(z.int(), z.minimum(1), z.maximum(3650))),
  /** Also list revoked keys. */
  revoked: optional(z.boolean()),
});
export type Search = z.infer<typeof search>;
