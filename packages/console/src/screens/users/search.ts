import { z } from 'zod/mini';
import { optional, pageSearch, sortSearch, textSearch } from '../../lib/search.ts';

const day = optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)));

/**
 * The users list's URL search: filters, sort, page size and the keyset `cursor` of the page shown (`page` is only its
 * number, for display). Dates are calendar days (`2026-03-01`), read in the time zone chosen in Settings.
 */
export const search = z.object({
  ...pageSearch,
  ...textSearch,
  ...sortSearch,
  role: optional(z.enum(['admin', 'operator', 'viewer', 'player'])),
  status: optional(z.enum(['active', 'pending', 'suspended'])),
  createdFrom: day,
  createdTo: day,
  lastLoginFrom: day,
  lastLoginTo: day,
  cursor: optional(z.string().check(z.maxLength(500))),
});
export type Search = z.infer<typeof search>;

/** `/users/$id?tab=sessions`: the open tab of a user's page. */
export const detailSearch = z.object({ tab: optional(z.enum(['profile', 'security', 'sessions', 'audit'])) });
export type DetailSearch = z.infer<typeof detailSearch>;
