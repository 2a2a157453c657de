import { errorResponses } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { EventFeedPage, ListEventsQuery } from './schemas.ts';
import type { EventFeed } from './service.ts';

export function eventFeedRoutes(app: App, feed: EventFeed): void {
  app.get('/api/v1/events', {
    config: { permission: 'events.read', rateLimited: true },
    schema: {
      operationId: 'listEvents',
      summary: 'Read the event feed: the events after a cursor, in commit order, optionally waiting for the next ones',
      description:
        'The envelopes webhooks carry (`{ id, event, timestamp, data }`), oldest first, in the order their changes committed, ' +
        'of the events the caller may see (the same rule as the live Socket.IO stream). Pass `nextCursor` back as `after` to read on; ' +
        'with `wait`, an empty answer is held until a matching event is dispatched or the seconds pass (429 when the node holds too many such requests). ' +
        'An `after` no longer kept (deleted after GATRIX_EVENT_RETENTION) answers 410 `event_cursor_gone`.',
      tags: ['events'],
      querystring: ListEventsQuery,
      response: { 200: EventFeedPage, ...errorResponses(400, 401, 403, 410, 429) },
    },
    handler: (request, reply) => {
      // A client that hangs up releases its waiting request.
      const ac = new AbortController();
      reply.raw.once('close', () => ac.abort());
      return feed.list(request.query, request.principal!, ac.signal);
    },
  });
}
