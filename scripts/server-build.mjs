#!/usr/bin/env node
// Compiles the server (packages/server/src/main.ts and what it imports) into one ES module,
// packages/server/dist/main.js, with esbuild; the npm packages it imports stay in node_modules. `npm start` runs
// this and then plain `node dist/main.js`: no TypeScript loader in the running process, which starts in about
// two thirds of the time and holds ~35 MiB less (docs/operations.md, "Running the server compiled"). It takes well
// under a second, so it runs at every start. Usage: server-build.mjs (prints where it wrote the bundle).
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVER_DIR = path.join(ROOT, 'packages/server');

/**
 * Bundles `entry` (a .ts file) into `outFile` with its npm imports left external, so the bundle must sit where
 * node resolves the same node_modules (inside this repository). Written to a temporary name and renamed, so two
 * starts building at once never run half a file. Files the source reads next to itself (`new URL('./x',
 * import.meta.url)`) are listed in `assets` and copied beside the bundle.
 */
export function bundle(entry, outFile, assets = []) {
  const { buildSync } = createRequire(import.meta.url)('esbuild'); // loaded here: importing this file needs no esbuild
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'silent',
  });
  mkdirSync(path.dirname(outFile), { recursive: true });
  const tmp = `${outFile}.${process.pid}.tmp`;
  writeFileSync(tmp, result.outputFiles[0].contents);
  renameSync(tmp, outFile);
  for (const asset of assets) {
    const target = path.join(path.dirname(outFile), path.basename(asset));
    copyFileSync(asset, `${target}.${process.pid}.tmp`);
    renameSync(`${target}.${process.pid}.tmp`, target);
  }
  return outFile;
}

/**
 * What `npm start` (and every benchmark) adds to the server's environment, unless already set.
 *
 * MALLOC_MMAP_THRESHOLD_: glibc's malloc serves an allocation of this size or more with its own mmap, returned to
 * the system when freed. Left alone, the threshold rises to the size of the last such block freed, and from then
 * on blocks that size are carved from the arenas and kept: each password hash or check (scrypt, N = 16384, r = 8)
 * takes 16 MiB on a libuv thread, so after a burst of logins a node held 4 × 16 MiB more for good (measured: idle
 * 96 MiB, 160 MiB after 8 logins at once, and there it stayed; with the threshold fixed, 91–93 MiB after 33
 * logins). 1 MiB keeps everything smaller on the arenas as before. Ignored by C libraries other than glibc.
 */
export const RUN_ENV = { MALLOC_MMAP_THRESHOLD_: String(1024 * 1024) };

/** The server's bundle (`serverDir`: packages/server of this checkout, or of another one), built from its sources as they are now. */
export function buildServer(serverDir = SERVER_DIR) {
  return bundle(path.join(serverDir, 'src/main.ts'), path.join(serverDir, 'dist/main.js'), [path.join(serverDir, 'src/core/common-passwords.txt')]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const out = buildServer();
  console.log(`server: built ${path.relative(ROOT, out)} in ${Date.now() - started} ms`);
}
