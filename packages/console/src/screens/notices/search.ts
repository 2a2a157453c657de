import { z } from 'zod/mini';
import { optional, pageSearch, textSearch } from '../../lib/search.ts';

export const CATEGORIES = ['notice', 'event', 'update', 'maintenance', 'other'] as const;
export const STATES = ['scheduled', 'current', 'ended'] as const;

/** The notices screen's URL: category, window state, enabled/disabled, text, page. */
export const search = z.object({
  ...pageSearch,
  ...textSearch,
  category: optional(z.enum(CATEGORIES)),
  state: optional(z.enum(STATES)),
  enabled: optional(z.enum(['enabled', 'disabled'])),
});
export type Search = z.infer<typeof search>;
