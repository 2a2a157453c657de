import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { Bus } from '../../src/cluster/bus.ts';
import { createChangeFeed } from '../../src/events/changes.ts';

declare module '../../src/events/changes.ts' {
  interface ChangeTopics {
    'test.ping': { n: number };
    'test.other': Record<string, never>;
  }
}

/** A log that keeps what it was told, at error level. */
function recordingLog() {
  const lines: { err?: { message?: string }; topic?: string; msg?: string }[] = [];
  const log = pino({ level: 'error' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
  return { log, lines };
}

/** Buses of nodes joined in memory, as Redis joins them: a node hears the others' messages, not its own. */
function linkedBuses(n: number): Bus[] {
  const listeners: Map<string, ((data: unknown) => void)[]>[] = [];
  return Array.from({ length: n }, (_, i): Bus => {
    const mine = new Map<string, ((data: unknown) => void)[]>();
    listeners.push(mine);
    return {
      nodeId: `node-${i}`,
      publish(topic, data) {
        const wire = JSON.parse(JSON.stringify({ node: `node-${i}`, topic, data })) as { topic: string; data: unknown };
        listeners.forEach((l, j) => j !== i && l.get(wire.topic)?.forEach((fn) => fn(wire.data)));
      },
      subscribe(topic, listener) {
        mine.set(topic, [...(mine.get(topic) ?? []), listener]);
      },
      ready: () => true,
      close: async () => undefined,
    };
  });
}

describe('change feed', () => {
  it('delivers a change to this node’s subscribers of its topic, at once and in the order they subscribed', () => {
    const changes = createChangeFeed(pino({ level: 'silent' }));
    const heard: string[] = [];
    changes.subscribe('test.ping', ({ n }) => void heard.push(`a${n}`));
    changes.subscribe('test.ping', ({ n }) => void heard.push(`b${n}`));
    changes.subscribe('test.other', () => void heard.push('other'));
    changes.publish('test.ping', { n: 1 });
    assert.deepEqual(heard, ['a1', 'b1']);
    changes.publish('test.other', {});
    assert.deepEqual(heard, ['a1', 'b1', 'other']);
  });

  it('types each topic’s data by its declaration', () => {
    const changes = createChangeFeed(pino({ level: 'silent' }));
    const seen: number[] = [];
    changes.subscribe('test.ping', (data) => {
      const n: number = data.n;
      seen.push(n);
    });
    // @ts-expect-error: the data of test.ping has a number n
    changes.publish('test.ping', { n: 'one' });
    // @ts-expect-error: no feature declares this topic
    changes.publish('test.undeclared', {});
    changes.publish('test.ping', { n: 2 });
    assert.deepEqual(seen, ['one', 2]);
  });

  it('a subscriber that throws or rejects is logged; the publisher and the other subscribers go on', async () => {
    const { log, lines } = recordingLog();
    const changes = createChangeFeed(log);
    const heard: number[] = [];
    changes.subscribe('test.ping', () => {
      throw new Error('sync boom');
    });
    changes.subscribe('test.ping', () => Promise.reject(new Error('async boom')));
    changes.subscribe('test.ping', ({ n }) => void heard.push(n));
    assert.doesNotThrow(() => changes.publish('test.ping', { n: 3 }));
    assert.deepEqual(heard, [3]);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      lines.map((l) => [l.topic, l.err?.message, l.msg]),
      [
        ['test.ping', 'sync boom', 'a change subscriber failed'],
        ['test.ping', 'async boom', 'a change subscriber failed'],
      ],
    );
  });

  it('with a bus, the other nodes hear the change once, with its data; localOnly subscribers hear only their own node', () => {
    const [busA, busB] = linkedBuses(2);
    const a = createChangeFeed(pino({ level: 'silent' }), busA);
    const b = createChangeFeed(pino({ level: 'silent' }), busB);
    const heard: string[] = [];
    for (const [name, feed] of [['A', a], ['B', b]] as const) {
      feed.subscribe('test.ping', ({ n }) => void heard.push(`${name}${n}`));
      feed.subscribe('test.ping', ({ n }) => void heard.push(`${name}${n} local`), { localOnly: true });
    }
    a.publish('test.ping', { n: 1 });
    assert.deepEqual(heard, ['A1', 'A1 local', 'B1']);
    heard.length = 0;
    b.publish('test.ping', { n: 2 });
    assert.deepEqual(heard, ['B2', 'B2 local', 'A2']);
  });
});
