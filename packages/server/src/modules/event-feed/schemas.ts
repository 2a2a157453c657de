import { Type, type Static } from '@sinclair/typebox';
import { IsoDateTime, Nullable } from '../../core/fields.ts';

const EVENT_ID = '^evt_[0-9a-f]{28}$';

const EXAMPLE_EVENT = {
  id: 'evt_019b7b3a4c00a1b2c3d4e5f60718',
  event: 'whitelist.updated',
  timestamp: '2026-01-01T00:00:00.000Z',
  data: {
    entry: { id: 3, type: 'ip', value: '203.0.113.0/24', memo: 'QA office', enabled: true, startsAt: null, endsAt: null, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' },
    change: 'created',
  },
};

export const FeedEvent = Type.Object(
  {
    id: Type.String({ description: 'The event id: pass it as `after` to read on from here' }),
    event: Type.String({ description: 'The event name, as webhooks name it (GET /api/v1/event-types)' }),
    timestamp: IsoDateTime,
    data: Type.Unknown({ description: 'The payload, as webhooks receive it' }),
  },
  { title: 'FeedEvent', description: 'One event, exactly the envelope a webhook delivery carries', examples: [EXAMPLE_EVENT] },
);

export const EventFeedPage = Type.Object(
  {
    data: Type.Array(FeedEvent, { description: 'Events in commit order, oldest first' }),
    nextCursor: Nullable(
      Type.String({
        description:
          'Pass as `after` for the next call: the id of the last event this call read (it may be one the caller is not shown), or `after` when none came; null only when no event has ever been readable',
      }),
    ),
    hasMore: Type.Boolean({ description: 'More events are there already: call again at once' }),
  },
  { title: 'EventFeedPage', examples: [{ data: [EXAMPLE_EVENT], nextCursor: EXAMPLE_EVENT.id, hasMore: false }] },
);
export type EventFeedPageT = Static<typeof EventFeedPage>;

export const ListEventsQuery = Type.Object({
  after: Type.Optional(
    Type.String({
      pattern: EVENT_ID,
      description: 'An event id (`nextCursor` of the previous call): answer the events after it. Without it, from the oldest event kept. An id no longer kept answers 410',
    }),
  ),
  newest: Type.Optional(Type.Boolean({ description: 'Without `after`: the newest `limit` events (still oldest first) instead of the oldest ones' })),
  types: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 1000,
      description: 'Comma-separated event names as webhooks spell them, `prefix.*` or `*` (e.g. `user.*,world.created`); default all the caller may see',
    }),
  ),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'At most this many events (1 to 1000)' }),
  wait: Type.Integer({ minimum: 0, maximum: 30, default: 0, description: 'Seconds to hold the request while no event has come (long poll, at most 30); 0 answers at once' }),
});
export type ListEventsQueryT = Static<typeof ListEventsQuery>;
