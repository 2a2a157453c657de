import { z } from 'zod/mini';
import { optional, pageSearch, textSearch } from '../../lib/search.ts';

export const TABS = ['entries', 'paste', 'test'] as const;
export type Tab = (typeof TABS)[number];

/** The whitelist screen's URL: the open tab, the entry filters (type, enabled/disabled, text) and page. */
export const search = z.object({
  ...pageSearch,
  ...textSearch,
  tab: optional(z.enum(TABS)),
  type: optional(z.enum(['account', 'ip'])),
  state: optional(z.enum(['enabled', 'disabled'])),
});
export type Search = z.infer<typeof search>;
