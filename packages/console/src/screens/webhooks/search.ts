import { z } from 'zod/mini';
import { pageSearch, sortSearch, textSearch } from '../../lib/search.ts';

/** The webhooks screen's URL search parameters (filters, sort, page). */
export const search = z.object({ ...pageSearch, ...textSearch, ...sortSearch });
export type Search = z.infer<typeof search>;
