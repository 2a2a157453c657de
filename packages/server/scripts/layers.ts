/**
 * The server's layers (docs/architecture.md), lowest first. A file may import files of its own layer or of a
 * lower one, never of a higher one; and the folders (a layer's parts, e.g. one feature) may not import each
 * other in a circle. `npm run check:layers` checks packages/server/src against this table.
 */
export const LAYERS: { name: string; parts: string[] }[] = [
  { name: 'core', parts: ['core/'] },
  { name: 'platform', parts: ['config.ts', 'logger.ts', 'startup.ts', 'v8-tuning.ts', 'context.ts', 'db/', 'cluster/'] },
  { name: 'http', parts: ['http/'] },
  { name: 'events', parts: ['events/'] },
  { name: 'monitoring', parts: ['monitoring/'] },
  { name: 'features', parts: ['modules/*/'] },
  { name: 'app', parts: ['app/', 'main.ts', 'cli.ts'] },
];

export interface Finding {
  kind: 'upward' | 'cycle' | 'unplaced';
  message: string;
}

/** The part (folder or file of the table) a path belongs to, with its layer index; undefined when none. */
export function partOf(path: string): { part: string; layer: number } | undefined {
  for (const [layer, { parts }] of LAYERS.entries()) {
    for (const part of parts) {
      if (part.endsWith('/*/')) {
        const prefix = part.slice(0, -2);
        if (path.startsWith(prefix)) {
          const rest = path.slice(prefix.length);
          const slash = rest.indexOf('/');
          // a file directly in modules/ is a part of its own
          return { part: slash === -1 ? path : prefix + rest.slice(0, slash + 1), layer };
        }
      } else if (part.endsWith('/') ? path.startsWith(part) : path === part) {
        return { part, layer };
      }
    }
  }
  return undefined;
}

const IMPORT = /(?:^|[\n;])\s*(?:import|export)\s(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The relative imports of a source text, as written. */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (spec?.startsWith('.')) found.push(spec);
  }
  return found;
}

function resolve(from: string, spec: string): string {
  const parts = from.split('/').slice(0, -1);
  for (const seg of spec.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.') parts.push(seg);
  }
  return parts.join('/');
}

/**
 * Checks a tree given as path (relative to src, with `/`) → source text. Returns every upward import, every
 * circle between parts, and every file the table does not place.
 */
export function checkLayers(files: Map<string, string>): Finding[] {
  const findings: Finding[] = [];
  const edges = new Map<string, Map<string, string>>(); // part → imported part → one example "a → b"
  for (const [path, source] of files) {
    const from = partOf(path);
    if (!from) {
      findings.push({ kind: 'unplaced', message: `${path} is in no layer: add it to LAYERS in scripts/layers.ts` });
      continue;
    }
    for (const spec of importsOf(source)) {
      const target = resolve(path, spec);
      if (target.startsWith('..')) continue; // outside src
      const to = partOf(target);
      if (!to) continue; // reported as unplaced when it is a file of the tree
      if (to.layer > from.layer) {
        findings.push({
          kind: 'upward',
          message: `${path} imports ${target}: ${LAYERS[from.layer].name} may not import ${LAYERS[to.layer].name}, a higher layer`,
        });
      }
      if (to.part !== from.part) {
        const out = edges.get(from.part) ?? new Map<string, string>();
        if (!out.has(to.part)) out.set(to.part, `${path} → ${target}`);
        edges.set(from.part, out);
      }
    }
  }
  // Circles between parts: strongly connected components with more than one part (Tarjan).
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) {
        const inside = new Set(component);
        const ties = component.flatMap((a) => [...(edges.get(a) ?? [])].filter(([b]) => inside.has(b)).map(([, example]) => example));
        findings.push({ kind: 'cycle', message: `${component.sort().join(' ↔ ')} import each other: ${ties.sort().join('; ')}` });
      }
    }
  };
  for (const v of [...edges.keys()].sort()) if (!idx.has(v)) visit(v);
  return findings;
}
