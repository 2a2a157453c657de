import { z } from 'zod/mini';

/** The monitoring screen's URL search parameters. */
export const search = z.object({});
export type Search = z.infer<typeof search>;
