import { z } from 'zod/mini';
import { optional, pageSearch } from '../../lib/search.ts';

export const VIEWS = ['grid', 'list', 'preview'] as const;
export type View = (typeof VIEWS)[number];
export const STATUSES = ['ONLINE', 'OFFLINE', 'MAINTENANCE', 'FORCED_UPDATE', 'RECOMMENDED_UPDATE', 'UNDER_REVIEW', 'BLOCKED_PATCH_ALLOWED'] as const;

const name = z.string().check(z.minLength(1), z.maxLength(64));

/**
 * The client-versions screen's URL: the view (grid, list, preview), the list filters (channel, sub-channel,
 * status) and page, and the build the preview asks about (`pv*`), so a shared link opens the same preview.
 */
export const search = z.object({
  ...pageSearch,
  view: optional(z.enum(VIEWS)),
  channel: optional(name),
  subChannel: optional(name),
  status: optional(z.enum(STATUSES)),
  pvChannel: optional(name),
  pvSubChannel: optional(name),
  pvVersion: optional(name),
});
export type Search = z.infer<typeof search>;
