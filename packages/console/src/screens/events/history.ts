/**
 * The screen's history from the event feed (GET /api/v1/events, docs/events-feed.md): the envelopes webhooks carry,
 * turned into the socket's shape, so the tail shows events made before the page opened and those missed while
 * the socket was down.
 */
import { ApiError } from '../../api/errors.ts';
import { listEvents } from '../../api/generated/events/events.ts';
import type { FeedEvent } from '../../api/generated/model/feedEvent.ts';
import type { LiveEvent } from '../../lib/live.ts';
import { MAX_EVENTS } from './buffer.ts';

/** Events loaded when the screen opens. */
export const HISTORY_EVENTS = 200;

/** Webhook names whose Socket.IO name is not the name with `.` → `_`; webhook-only events have none. */
const SOCKET_NAME_EXCEPTIONS: Record<string, string | null> = { 'user.created': 'user_registered', 'webhook.test': null };

/** The Socket.IO name of an event (test/server-parity.test.ts holds this to the server's catalog). */
export function socketNameOf(event: string): string | undefined {
  const name = event in SOCKET_NAME_EXCEPTIONS ? SOCKET_NAME_EXCEPTIONS[event] : event.replace('.', '_');
  return name ?? undefined;
}

/** A feed event as the socket delivers it: the payload with `eventId` and `timestamp`. */
export function toLiveEvent(e: FeedEvent): LiveEvent | undefined {
  const name = socketNameOf(e.event);
  return name ? { name, data: { ...(e.data as Record<string, unknown>), eventId: e.id, timestamp: e.timestamp } } : undefined;
}

const live = (events: FeedEvent[]) => events.flatMap((e) => toLiveEvent(e) ?? []);

/**
 * The events after `after`, oldest first (at most MAX_EVENTS), or, without a cursor or when it is no longer kept,
 * the latest HISTORY_EVENTS.
 */
export async function readHistory(after: string | undefined, signal?: AbortSignal): Promise<LiveEvent[]> {
  if (after) {
    try {
      const events: FeedEvent[] = [];
      for (let cursor = after; events.length < MAX_EVENTS; ) {
        const page = await listEvents({ after: cursor, limit: MAX_EVENTS }, undefined, signal);
        events.push(...page.data);
        if (!page.hasMore || !page.nextCursor) break;
        cursor = page.nextCursor;
      }
      return live(events.slice(-MAX_EVENTS));
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'event_cursor_gone')) throw err;
    }
  }
  return live((await listEvents({ newest: true, limit: HISTORY_EVENTS }, undefined, signal)).data);
}
