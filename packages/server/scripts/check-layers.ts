/** `npm run check:layers`: fails when a file of packages/server/src imports a higher layer or folders import each other in a circle. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLayers } from './layers.ts';

const src = fileURLToPath(new URL('../src/', import.meta.url));
const files = new Map<string, string>();
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
  const path = join(entry.parentPath, entry.name);
  files.set(relative(src, path).split(sep).join('/'), readFileSync(path, 'utf8'));
}
const findings = checkLayers(files);
for (const f of findings) console.error(`${f.kind}: ${f.message}`);
const count = (kind: string) => findings.filter((f) => f.kind === kind).length;
console.log(`layers: ${files.size} files, ${count('upward')} upward imports, ${count('cycle')} circles between folders, ${count('unplaced')} unplaced files`);
process.exitCode = findings.length > 0 ? 1 : 0;
