import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * v8-tuning.ts keeps one process.nextTick entry alive so that its shapes (V8 maps) outlive full garbage
 * collections. Checked in a child node with V8's test intrinsics: after nextTick bursts separated by full
 * collections with nothing queued, a fresh entry (seen through a momentary async hook) still has the kept
 * entry's map, and the kept entry is a real tick object.
 */
test('v8-tuning keeps a nextTick entry whose shape later entries share across full collections', () => {
  const script = `
    import { createHook } from 'node:async_hooks';
    import { KEPT_TICK_OBJECT } from './src/v8-tuning.ts';
    const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)');
    const kept = globalThis[KEPT_TICK_OBJECT];
    const fresh = () => {
      let tick;
      const hook = createHook({ init(id, type, trigger, resource) { if (type === 'TickObject') tick ??= resource; } }).enable();
      process.nextTick(() => {}, 'with', 'args');
      hook.disable();
      return tick;
    };
    const round = (n) => new Promise((resolve) => setTimeout(() => {
      for (let i = 0; i < 2000; i++) process.nextTick(() => {}, i);
      setTimeout(() => { for (let i = 0; i < 4; i++) gc(); resolve(); }, 5);
    }, 5));
    for (let r = 0; r < 3; r++) await round(r);
    const later = fresh();
    const symbols = kept ? Object.getOwnPropertySymbols(kept).map((s) => s.description).sort() : [];
    process.stdout.write(JSON.stringify({ kept: kept !== undefined, symbols, callback: typeof kept?.callback, same: kept !== undefined && sameMap(kept, later) }));
  `;
  const child = spawnSync(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: SERVER,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(child.status, 0, child.stderr);
  const result = JSON.parse(child.stdout) as { kept: boolean; symbols: string[]; callback: string; same: boolean };
  assert.deepEqual(result, { kept: true, symbols: ['async_id_symbol', 'trigger_async_id_symbol'], callback: 'function', same: true });
});
