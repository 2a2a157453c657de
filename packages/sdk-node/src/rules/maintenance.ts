/** A maintenance window as it stands at a moment, whatever the server's scheduler has applied yet. */
export interface MaintenanceAt {
  /** In effect: asked for, and inside its window (startsAt inclusive, endsAt exclusive). */
  active: boolean;
  /** Asked for, with a window that starts later. */
  upcoming: boolean;
  /** When (ms since epoch) `active` or `upcoming` next changes; Infinity if never. */
  changesAt: number;
}

/**
 * Where a maintenance window stands at `now`, from what operators asked for (`asked`) and its window. The server's
 * scheduler moves its `maintenance` flag to follow this within a tick; the game-client answers use this, so they
 * turn over at the very moment a window starts or ends.
 */
export function maintenanceAt(asked: boolean, startsAt: string | null, endsAt: string | null, now: number): MaintenanceAt {
  const start = startsAt === null ? -Infinity : Date.parse(startsAt);
  const end = endsAt === null ? Infinity : Date.parse(endsAt);
  if (!asked || end <= now) return { active: false, upcoming: false, changesAt: Infinity };
  if (start > now) return { active: false, upcoming: true, changesAt: start };
  return { active: true, upcoming: false, changesAt: end };
}

/** What maintenanceAt reads of global maintenance: `enabled` is what operators asked for. */
export function globalMaintenanceAt(g: { enabled: boolean; startsAt: string | null; endsAt: string | null }, now: number): MaintenanceAt {
  return maintenanceAt(g.enabled, g.startsAt, g.endsAt, now);
}

/** What maintenanceAt reads of a world: asked for when in effect or scheduled (ending or disabling clears the window). */
export function worldMaintenanceAt(w: { maintenance: boolean; maintenanceStartsAt: string | null; maintenanceEndsAt: string | null }, now: number): MaintenanceAt {
  return maintenanceAt(w.maintenance || w.maintenanceStartsAt !== null, w.maintenanceStartsAt, w.maintenanceEndsAt, now);
}
