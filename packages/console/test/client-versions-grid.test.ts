// The client-versions screen's grid grouping, version order and bulk runner.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGrid, runBulk } from '../src/screens/client-versions/grid.ts';
import { compareVersions } from '../src/screens/client-versions/version.ts';

describe('compareVersions', () => {
  it('numeric per segment, missing segments are 0, leading zeros ignored', () => {
    assert.ok(compareVersions('1.9', '1.10') < 0);
    assert.equal(compareVersions('1.2', '1.2.0'), 0);
    assert.equal(compareVersions('1.0041', '1.41'), 0);
    assert.ok(compareVersions('2', '1.99.99') > 0);
  });
});

describe('buildGrid', () => {
  it('channels × sub-channels sorted, each cell newest version first, empty cells empty', () => {
    const v = (id: number, channel: string, subChannel: string, version: string) => ({ id, channel, subChannel, version, status: 'ONLINE' });
    const grid = buildGrid([v(1, 'steam', 'pc', '1.9'), v(2, 'steam', 'pc', '1.10'), v(3, 'apple', 'ios', '2.0'), v(4, 'steam', 'mac', '1.0')]);
    assert.deepEqual(grid.channels, ['apple', 'steam']);
    assert.deepEqual(grid.subChannels, ['ios', 'mac', 'pc']);
    assert.deepEqual(grid.cell('steam', 'pc').map((x) => x.version), ['1.10', '1.9']);
    assert.deepEqual(grid.cell('apple', 'pc'), []);
  });
});

describe('runBulk', () => {
  it('runs one after another and reports each item, failures included', async () => {
    const seen: number[] = [];
    const progress: number[] = [];
    const results = await runBulk(
      [1, 2, 3],
      async (n) => {
        seen.push(n);
        if (n === 2) throw new Error('nope');
      },
      (done) => progress.push(done),
    );
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(progress, [1, 2, 3]);
    assert.deepEqual(results.map((r) => [r.item, r.ok, r.error instanceof Error ? r.error.message : null]), [[1, true, null], [2, false, 'nope'], [3, true, null]]);
  });
});
