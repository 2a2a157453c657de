/**
 * The event picker's logic, pure: the catalog grouped by category (the part before the first dot: `user`,
 * `world`…), and a subscription as the API stores it — event names, `category.*` or `*` — toggled one event or one
 * category at a time.
 */

export interface EventCategory {
  category: string;
  events: string[];
}

export const ALL = '*';

/** `user.created` → `user`. */
export function categoryOf(event: string): string {
  const dot = event.indexOf('.');
  return dot < 0 ? event : event.slice(0, dot);
}

/** The catalog's events grouped by category, categories and events in alphabetical order. */
export function groupEvents(events: readonly string[]): EventCategory[] {
  const groups = new Map<string, string[]>();
  for (const e of events) {
    const c = categoryOf(e);
    groups.set(c, [...(groups.get(c) ?? []), e]);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([category, list]) => ({ category, events: list.sort() }));
}

/** Does the subscription receive `event`: its name, its category's wildcard or `*`. */
export function covers(selected: readonly string[], event: string): boolean {
  return selected.includes(ALL) || selected.includes(event) || selected.includes(`${categoryOf(event)}.*`);
}

/** Adds or removes one event. Unticking one event of a subscribed category keeps the category's other events. */
export function toggleEvent(selected: readonly string[], event: string, catalog: readonly string[]): string[] {
  const c = categoryOf(event);
  if (!covers(selected, event)) return normalise([...selected, event], catalog);
  if (selected.includes(ALL)) {
    return normalise(catalog.filter((e) => e !== event), catalog);
  }
  if (selected.includes(`${c}.*`)) {
    const others = catalog.filter((e) => categoryOf(e) === c && e !== event);
    return normalise([...selected.filter((s) => s !== `${c}.*`), ...others], catalog);
  }
  return selected.filter((s) => s !== event);
}

/** Subscribes to or unsubscribes from a whole category (`category.*`, which also covers events added later). */
export function toggleCategory(selected: readonly string[], category: string, catalog: readonly string[]): string[] {
  const inCategory = catalog.filter((e) => categoryOf(e) === category);
  const all = inCategory.length > 0 && inCategory.every((e) => covers(selected, e));
  if (all) {
    if (selected.includes(ALL)) return normalise(catalog.filter((e) => categoryOf(e) !== category), catalog);
    return selected.filter((s) => s !== `${category}.*` && categoryOf(s) !== category);
  }
  return normalise([...selected.filter((s) => categoryOf(s) !== category), `${category}.*`], catalog);
}

/**
 * One entry per thing subscribed: names covered by a wildcard are dropped, a category whose every event is ticked
 * becomes `category.*`, and every category becomes `*`. Patterns the catalog does not know are kept.
 */
export function normalise(selected: readonly string[], catalog: readonly string[]): string[] {
  if (selected.includes(ALL)) return [ALL];
  const groups = groupEvents(catalog);
  const out = new Set<string>();
  let everything = groups.length > 0;
  for (const { category, events } of groups) {
    if (selected.includes(`${category}.*`) || events.every((e) => selected.includes(e))) out.add(`${category}.*`);
    else {
      everything = false;
      for (const e of events) if (selected.includes(e)) out.add(e);
    }
  }
  if (everything) return [ALL];
  const known = new Set(catalog);
  for (const s of selected) if (!known.has(s) && !s.endsWith('.*')) out.add(s);
  for (const s of selected) if (s.endsWith('.*') && !groups.some((g) => `${g.category}.*` === s)) out.add(s);
  return [...out];
}
