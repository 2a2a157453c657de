import { z } from 'zod/mini';
import { optional, pageSearch } from '../../lib/search.ts';

/** The webhooks list's URL search: `?active=false&page=2`. */
export const search = z.object({ ...pageSearch, active: optional(z.boolean()) });
export type Search = z.infer<typeof search>;

export const DETAIL_TABS = ['deliveries', 'settings'] as const;
export const DELIVERY_STATUSES = ['pending', 'delivering', 'delivered', 'failed'] as const;

/** An ISO time in the URL (`?from=2026-01-01T00:00:00.000Z`). */
const isoTime = z.string().check(z.maxLength(40), z.refine((v) => !Number.isNaN(Date.parse(v))));

/** A webhook's page: the open tab, the deliveries' filters and page, the delivery open in the drawer. */
export const detailSearch = z.object({
  ...pageSearch,
  tab: optional(z.enum(DETAIL_TABS)),
  status: optional(z.enum(DELIVERY_STATUSES)),
  event: optional(z.string().check(z.maxLength(64))),
  from: optional(isoTime),
  to: optional(isoTime),
  delivery: optional(z.number().check(z.int(), z.minimum(1))),
});
export type DetailSearch = z.infer<typeof detailSearch>;
