import type { AppContext } from '../../context.ts';
import { GoneError, RateLimitedError, ValidationError } from '../../core/errors.ts';
import type { Principal } from '../../core/permissions.ts';
import { EVENT_NAMES, type EventEnvelope, type EventName } from '../../events/catalog.ts';
import type { ChangeFeed } from '../../events/changes.ts';
import { deleteInBatches } from '../../db/records.ts';
import type { DispatchConsumer } from '../../events/dispatcher.ts';
import { mayHear, mayHearSome } from '../realtime/audience.ts';
import { checkEventFilters, matchesEvent } from '../webhooks/event-filters.ts';
import type { EventFeedPageT, ListEventsQueryT } from './schemas.ts';
import { feedStore } from './store.ts';

declare module '../../events/changes.ts' {
  interface ChangeTopics {
    /** Events were dispatched (their types): long-polling feed readers on every node look again. */
    'event-feed': { types: string[] };
  }
}

/** Rows one request looks at, at most, for events the caller may not see (a player skipping other users' logins). */
const SCAN_LIMIT = 5000;

interface Waiter {
  types: ReadonlySet<string>;
  wake(): void;
}

/** What a read gives: the visible events, where it stopped, and whether it stopped early. */
interface Read {
  events: EventEnvelope[];
  position: number;
  cursor: string | null;
  hasMore: boolean;
}

/**
 * The event feed (GET /api/v1/events): the dispatched outbox events a caller may see, by feed position, read from
 * the database and, with `wait`, held until one comes. A waiter is woken by this node's dispatcher and, over the
 * change feed's bus, by the other nodes'.
 */
export function createEventFeed(ctx: AppContext, changes: ChangeFeed) {
  const { db, clock, config } = ctx;
  const store = feedStore(db);
  const waiters = new Set<Waiter>();
  let closed = false;

  changes.subscribe('event-feed', ({ types }) => {
    for (const w of waiters) if (types.some((t) => w.types.has(t))) w.wake();
  });

  /** The event types a caller asks for (`types`, default every one) and may see some of. */
  function typesFor(principal: Principal, filter: string | undefined): EventName[] {
    const filters = filter?.split(',').map((f) => f.trim());
    if (filters) {
      if (filters.some((f) => f === '')) throw new ValidationError('query.types', 'must be a comma-separated list of event names without empty entries');
      checkEventFilters(filters, 'query.types');
    }
    return EVENT_NAMES.filter((e) => (!filters || matchesEvent(filters, e)) && mayHearSome(principal, e));
  }

  /** Up to `limit` events `principal` may see after `position`, looking at SCAN_LIMIT rows at most. */
  async function read(principal: Principal, types: EventName[], from: { position: number; cursor: string | null }, limit: number, newest: boolean): Promise<Read> {
    const events: EventEnvelope[] = [];
    let { position, cursor } = from;
    let scanned = 0;
    for (;;) {
      const batch = Math.min(Math.max(limit - events.length + 1, 100), SCAN_LIMIT - scanned);
      // The newest events: one look back, no paging (there is nothing after them yet).
      const rows = await store.read(types, { after: position, limit: newest ? limit : batch, newest });
      for (const row of rows) {
        const envelope = JSON.parse(row.payload) as EventEnvelope;
        const visible = mayHear(principal, envelope.event, envelope.data);
        if (visible && events.length === limit) return { events, position, cursor, hasMore: true };
        if (visible) events.push(envelope);
        position = row.position;
        cursor = row.id;
      }
      scanned += rows.length;
      if (newest || rows.length < batch) return { events, position, cursor, hasMore: false };
      if (scanned >= SCAN_LIMIT) return { events, position, cursor, hasMore: true };
    }
  }

  /** Waits until `w` is woken, `deadline` passes or `signal` aborts; true when woken. */
  function sleep(w: Waiter & { woken: boolean }, deadline: number, signal: AbortSignal): Promise<boolean> {
    if (w.woken) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (woken: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', aborted);
        w.wake = () => (w.woken = true);
        resolve(woken);
      };
      const aborted = () => done(false);
      const timer = setTimeout(() => done(false), Math.max(0, deadline - Date.now()));
      signal.addEventListener('abort', aborted, { once: true });
      w.wake = () => {
        w.woken = true;
        done(true);
      };
    });
  }

  const aborts = new Set<AbortController>();

  return {
    /** Dispatcher consumer: tells the feed's waiters, here and on the other nodes, which types were dispatched. */
    consumer: {
      committed(events) {
        if (events.length > 0) changes.publish('event-feed', { types: [...new Set(events.map((e) => e.envelope.event))] });
      },
    } satisfies DispatchConsumer,

    async list(q: ListEventsQueryT, principal: Principal, signal: AbortSignal): Promise<EventFeedPageT> {
      if (q.newest && q.after) throw new ValidationError('query.newest', 'cannot be combined with after (newest reads the latest events, after reads on from a cursor)');
      const types = typesFor(principal, q.types);
      let from = { position: 0, cursor: q.after ?? null };
      if (q.after) {
        const position = await store.positionOf(q.after);
        if (position === undefined) {
          throw new GoneError('event_cursor_gone', `No event ${q.after} is kept: it was deleted after the retention period, or never existed; read again without after`);
        }
        from = { position, cursor: q.after };
      }
      const page = (r: Read): EventFeedPageT => ({ data: r.events, nextCursor: r.cursor, hasMore: r.hasMore });
      let r = await read(principal, types, from, q.limit, q.newest === true);
      if (r.events.length > 0 || r.hasMore || q.wait === 0 || q.newest || closed || signal.aborted) return page(r);

      if (waiters.size >= config.eventFeed.maxWaiters) {
        throw new RateLimitedError(1, `This node holds ${waiters.size} waiting event feed requests already (GATRIX_EVENT_FEED_MAX_WAITERS); retry shortly`);
      }
      const deadline = Date.now() + q.wait * 1000;
      const w: Waiter & { woken: boolean } = { types: new Set(types), woken: false, wake: () => (w.woken = true) };
      const ac = new AbortController();
      const onAbort = () => ac.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      aborts.add(ac);
      waiters.add(w);
      try {
        // Registered before looking again, so an event dispatched between the first read and now still wakes it.
        for (;;) {
          w.woken = false;
          r = await read(principal, types, r, q.limit, false);
          if (r.events.length > 0 || r.hasMore || ac.signal.aborted) return page(r);
          if (!(await sleep(w, deadline, ac.signal))) return page(r);
        }
      } finally {
        waiters.delete(w);
        aborts.delete(ac);
        signal.removeEventListener('abort', onAbort);
      }
    },

    /** Long-polling requests held now on this node. */
    get waiting(): number {
      return waiters.size;
    },

    /** Answers every held request at once (shutdown), and any later one without waiting. */
    close(): void {
      closed = true;
      for (const ac of aborts) ac.abort();
    },

    /** Deletes dispatched events older than the retention period, a batch at a time; returns how many. */
    async prune(): Promise<number> {
      const cutoff = new Date(clock.now().getTime() - config.eventFeed.retentionMs).toISOString();
      return deleteInBatches(() => store.pruneBatch(cutoff));
    },
  };
}

export type EventFeed = ReturnType<typeof createEventFeed>;
