import { EVENT_NAMES } from '../../events/catalog.ts';
import { ValidationError } from '../../core/errors.ts';

/** Does a subscription (`user.created`, `user.*`, `*`) cover this event name? */
export function matchesEvent(filters: readonly string[], event: string): boolean {
  for (const f of filters) {
    if (f === '*' || f === event) return true;
    if (f.endsWith('.*') && event.startsWith(f.slice(0, -1))) return true;
  }
  return false;
}

/**
 * Every filter must name at least one event of the catalog, so a typo is a 400 rather than silence; `field` names
 * the list in the answer (`events.3`).
 */
export function checkEventFilters(filters: readonly string[], field = 'events'): void {
  filters.forEach((f, i) => {
    if (!EVENT_NAMES.some((e) => matchesEvent([f], e))) {
      throw new ValidationError(`${field}.${i}`, `"${f}" matches no event; see GET /api/v1/event-types`);
    }
  });
}
