import { z } from 'zod/mini';
import { optional } from '../../lib/search.ts';

/** The dashboard's URL search: the time window of its charts. */
export const search = z.object({ window: optional(z.enum(['15m', '1h', '24h'])) });
export type Search = z.infer<typeof search>;
