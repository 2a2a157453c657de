import { backoffMs, sleep, type RequestOptions } from '../core.js';
import { GatrixConnectionError, GatrixError, GatrixTimeoutError } from '../errors.js';
import type { EventFeedPage, EventIterParams, EventListParams, FeedEvent } from '../types.js';
import { Resource } from './resource.js';

/** How long each request of `iter()` waits for new events, in seconds (the API's maximum). */
const ITER_WAIT_SECONDS = 30;

/** What `iter()` retries by itself: the network, timeouts, the server or a proxy in front of it failing. */
function transient(err: unknown): boolean {
  return err instanceof GatrixConnectionError || err instanceof GatrixTimeoutError || (err instanceof GatrixError && (err.status === 429 || (err.status ?? 0) >= 500));
}

/** `/api/v1/events`: the event feed — the envelopes webhooks carry, in commit order, after a cursor (docs/events-feed.md). */
export class Events extends Resource {
  /**
   * One page: the events after `after` (or the oldest kept, or with `newest` the latest), `nextCursor` to pass as
   * `after` next time, and `hasMore`. With `wait` (seconds, at most 30) an empty answer is held until an event
   * comes; the call's timeout is extended by that much.
   */
  list(params: EventListParams = {}, options: RequestOptions = {}): Promise<EventFeedPage> {
    const { types, ...rest } = params;
    const query = { ...rest, ...(types === undefined ? {} : { types: typeof types === 'string' ? types : types.join(',') }) };
    const timeout = (options.timeout ?? this.transport.timeout) + (params.wait ?? 0) * 1000;
    return this.request('GET', '/api/v1/events', { query, options: { ...options, timeout } });
  }

  /**
   * Every event after `after`, as they come, without end: long-polls, resumes from the cursor, and retries with
   * backoff when the network, the server or a timeout fails. Stop it with `break`, or with `options.signal`.
   * A cursor no longer kept (410 `event_cursor_gone`) and other refusals end it with their GatrixError.
   */
  async *iter(params: EventIterParams = {}, options: RequestOptions = {}): AsyncGenerator<FeedEvent, void, undefined> {
    let after = params.after;
    for (let failures = 0; ; ) {
      let page: EventFeedPage;
      try {
        page = await this.list({ ...params, after, wait: params.wait ?? ITER_WAIT_SECONDS }, options);
        failures = 0;
      } catch (err) {
        if (options.signal?.aborted || !transient(err)) throw err;
        await sleep(backoffMs(failures++), options.signal);
        continue;
      }
      for (const event of page.data) {
        yield event;
        after = event.id;
      }
      after = page.nextCursor ?? after;
    }
  }
}
