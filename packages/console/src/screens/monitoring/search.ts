import { z } from 'zod/mini';
import { optional, sortSearch } from '../../lib/search.ts';

/**
 * The monitoring screen's URL search: the open tab, the charts' window, the per-route table's window (`routes`:
 * the server's 5m / 1h / 24h, unset = since the node started) and sort, the error list's filter and open group.
 */
export const search = z.object({
  tab: optional(z.enum(['overview', 'routes', 'errors'])),
  window: optional(z.enum(['15m', '1h', '24h'])),
  routes: optional(z.enum(['5m', '1h', '24h'])),
  ...sortSearch,
  status: optional(z.enum(['open', 'resolved', 'all'])),
  error: optional(z.string().check(z.maxLength(64))),
});
export type Search = z.infer<typeof search>;
