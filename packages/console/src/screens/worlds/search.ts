import { z } from 'zod/mini';
import { optional, textSearch } from '../../lib/search.ts';

export const STATUSES = ['open', 'maintenance', 'scheduled', 'hidden'] as const;
export type WorldStatusFilter = (typeof STATUSES)[number];

/**
 * The worlds list's URL: `?q=` text, `?status=`, `?tag=`, and which panel is open — `?create=1` (new world),
 * `?maintain=<id>` (one world's maintenance), `?bulk=1,2` (maintenance of several worlds).
 */
export const search = z.object({
  ...textSearch,
  status: optional(z.enum(STATUSES)),
  tag: optional(z.string().check(z.minLength(1), z.maxLength(32))),
  create: optional(z.boolean()),
  maintain: optional(z.number().check(z.int(), z.minimum(1))),
  bulk: optional(z.string().check(z.regex(/^\d+(,\d+)*$/))),
  /** `?maintenance=true` (the API's filter name, used by links from other screens): read as `?status=maintenance`. */
  maintenance: optional(z.boolean()),
});
export type Search = z.infer<typeof search>;

/** /worlds/$id: the open tab. */
export const detailSearch = z.object({ tab: optional(z.enum(['settings', 'maintenance', 'instances'])) });
export type DetailSearch = z.infer<typeof detailSearch>;
