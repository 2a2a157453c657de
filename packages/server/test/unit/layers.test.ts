/**
 * The layer check (scripts/layers.ts, `npm run check:layers`): it finds an import of a higher layer, a circle
 * between folders and a file no layer holds, and it passes the server's own source tree.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { checkLayers, importsOf, LAYERS, partOf } from '../../scripts/layers.ts';

/** A small tree that keeps every rule: core ← events ← features ← app. */
const clean = (): Map<string, string> =>
  new Map([
    ['core/errors.ts', 'export class E {}\n'],
    ['events/catalog.ts', "import type { E } from '../core/errors.ts';\nexport const C = {};\n"],
    ['events/outbox.ts', "import { C } from './catalog.ts';\nexport const O = C;\n"],
    ['modules/users/events.ts', "import { C } from '../../events/catalog.ts';\nexport const U = C;\n"],
    ['modules/users/service.ts', "import { O } from '../../events/outbox.ts';\nimport { U } from './events.ts';\nexport const S = [O, U];\n"],
    ['modules/game-worlds/service.ts', "import { S } from '../users/service.ts';\nexport const W = S;\n"],
    ['app/events.ts', "import '../modules/users/events.ts';\n"],
    ['app/build-app.ts', "import './events.ts';\nimport { W } from '../modules/game-worlds/service.ts';\nexport const A = W;\n"],
  ]);

describe('layer check', () => {
  it('a tree that keeps the rules has no findings', () => {
    assert.deepEqual(checkLayers(clean()), []);
  });

  it('finds an import of a higher layer, naming the file, the import and both layers', () => {
    const files = clean();
    files.set('events/catalog.ts', `${files.get('events/catalog.ts')}import type { S } from '../modules/users/service.ts';\n`);
    const upward = checkLayers(files).filter((f) => f.kind === 'upward');
    assert.equal(upward.length, 1);
    assert.match(upward[0].message, /^events\/catalog\.ts imports modules\/users\/service\.ts: events may not import features, a higher layer$/);
  });

  it('finds a circle between two feature folders, naming both and the imports that tie them', () => {
    const files = clean();
    files.set('modules/users/store.ts', "import { W } from '../game-worlds/service.ts';\nexport const X = W;\n");
    const findings = checkLayers(files);
    assert.deepEqual(findings.map((f) => f.kind), ['cycle']);
    assert.match(findings[0].message, /^modules\/game-worlds\/ ↔ modules\/users\/ import each other: /);
    assert.match(findings[0].message, /modules\/users\/store\.ts → modules\/game-worlds\/service\.ts/);
    assert.match(findings[0].message, /modules\/game-worlds\/service\.ts → modules\/users\/service\.ts/);
  });

  it('finds the circle an upward import closes, as the old event catalog did', () => {
    const files = clean();
    files.set('events/catalog.ts', "import type { S } from '../modules/users/service.ts';\nexport const C = {};\n");
    const kinds = checkLayers(files).map((f) => f.kind).sort();
    assert.deepEqual(kinds, ['cycle', 'upward']);
  });

  it('reports a file no layer holds', () => {
    const files = clean();
    files.set('stray/helper.ts', 'export const H = 1;\n');
    const findings = checkLayers(files);
    assert.deepEqual(findings.map((f) => f.kind), ['unplaced']);
    assert.match(findings[0].message, /stray\/helper\.ts is in no layer/);
  });

  it('reads static, side-effect, re-export and dynamic imports; ignores packages', () => {
    const source = [
      "import a from './a.ts';",
      "import type { B } from '../b.ts';",
      "import './c.ts';",
      "export { d } from './d.ts';",
      "const e = await import('./e.ts');",
      "import { Type } from '@sinclair/typebox';",
    ].join('\n');
    assert.deepEqual(importsOf(source), ['./a.ts', '../b.ts', './c.ts', './d.ts', './e.ts']);
    assert.deepEqual(partOf('modules/users/service.ts'), { part: 'modules/users/', layer: LAYERS.findIndex((l) => l.name === 'features') });
    assert.equal(partOf('nowhere/x.ts'), undefined);
  });

  it("the server's source tree has no upward import, no circle and no unplaced file", () => {
    const src = fileURLToPath(new URL('../../src/', import.meta.url));
    const files = new Map<string, string>();
    for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const path = join(entry.parentPath, entry.name);
      files.set(relative(src, path).split(sep).join('/'), readFileSync(path, 'utf8'));
    }
    assert.ok(files.size > 50, `read ${files.size} files`);
    assert.deepEqual(checkLayers(files), []);
  });
});
