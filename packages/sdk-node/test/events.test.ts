/**
 * client.events against a real Gatrix: list() pages the feed by cursor and filters by type; a long poll is
 * answered when an event comes; iter() yields events as they come, resuming from its cursor, and rides out
 * network failures with backoff.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GatrixClient, type FeedEvent, type GatrixError } from '../src/index.ts';
import { startGatrix, until, type Gatrix } from './helpers.ts';

describe('client.events (the event feed) against a real Gatrix', () => {
  let g: Gatrix;
  let client: GatrixClient;
  let n = 0;
  const createWorld = () => client.worlds.create({ worldId: `sdk_feed_${++n}`, name: `Feed ${n}` });
  const createEntry = () => client.whitelist.create({ type: 'account', value: `sdk-feed-${++n}` });

  before(async () => {
    g = await startGatrix();
    client = new GatrixClient({ apiKey: g.adminKey, baseURL: g.baseUrl, timeout: 30_000 });
  });
  after(() => g.close());

  const newest = async () => (await client.events.list({ newest: true, limit: 1 })).nextCursor ?? undefined;

  it('list(): pages by nextCursor, filters by a list of types, and newest gives the latest', async () => {
    const start = await newest();
    const worlds = [await createWorld(), await createWorld(), await createWorld()];
    await createEntry();
    await until(async () => (await client.events.list({ after: start })).data.length === 4, 'four events in the feed');

    const first = await client.events.list({ after: start, types: ['world.*'], limit: 2 });
    assert.deepEqual(
      first.data.map((e) => e.event === 'world.created' && e.data.worldId),
      worlds.slice(0, 2).map((w) => w.worldId),
    );
    assert.equal(first.hasMore, true);
    const second = await client.events.list({ after: first.nextCursor!, types: 'world.created,whitelist.updated' });
    assert.deepEqual(
      second.data.map((e) => e.event),
      ['world.created', 'whitelist.updated'],
    );
    assert.equal(second.hasMore, false);
    const latest = await client.events.list({ newest: true, limit: 1 });
    assert.equal(latest.data[0].event, 'whitelist.updated');
    await assert.rejects(client.events.list({ types: ['nope.*'] }), (err: GatrixError) => err.status === 400 && err.code === 'validation_failed');
    await assert.rejects(client.events.list({ after: 'evt_0000000000000000000000000000' }), (err: GatrixError) => err.status === 410 && err.code === 'event_cursor_gone');
  });

  it('list({ wait }): a long poll is answered when an event comes, within a timeout shorter than the wait', async () => {
    const start = await newest();
    const short = new GatrixClient({ apiKey: g.adminKey, baseURL: g.baseUrl, timeout: 2_000 });
    const pending = short.events.list({ after: start, types: ['whitelist.*'], wait: 20 });
    await until(() => g.services.eventFeed.waiting === 1, 'the request waits');
    await createEntry();
    const page = await pending;
    assert.deepEqual(
      page.data.map((e) => e.event),
      ['whitelist.updated'],
    );
  });

  it('iter(): yields events as they come and resumes from its cursor after network failures', async () => {
    const start = await newest();
    let failNext = 0;
    const flaky = new GatrixClient({
      apiKey: g.adminKey,
      baseURL: g.baseUrl,
      maxRetries: 0,
      fetch: (input, init) => {
        if (failNext > 0) {
          failNext--;
          return Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }));
        }
        return fetch(input, init);
      },
    });
    const got: FeedEvent[] = [];
    const done = (async () => {
      for await (const e of flaky.events.iter({ after: start, types: ['world.created'] })) {
        got.push(e);
        if (got.length === 3) break;
      }
    })();
    await createWorld();
    await until(() => got.length === 1, 'the first event');
    failNext = 2; // the next two requests fail at the network
    await until(() => g.services.eventFeed.waiting === 1, 'iter waits again');
    await createWorld();
    await createWorld();
    await until(() => got.length === 3, () => `three events, got ${got.length}`);
    assert.equal(failNext, 0, 'two requests failed and iter went on');
    await done;
    assert.equal(new Set(got.map((e) => e.id)).size, 3, 'no event twice');
    assert.deepEqual(
      got.map((e) => e.event === 'world.created' && e.data.worldId),
      [`sdk_feed_${n - 2}`, `sdk_feed_${n - 1}`, `sdk_feed_${n}`],
    );
  });
});
