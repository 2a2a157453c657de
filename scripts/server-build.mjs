#!/usr/bin/env node
// Compiles the server (packages/server/src/main.ts, what it imports and the npm packages it can hold) into one ES
// module, packages/server/dist/main.js, with esbuild. `npm start` runs this and then plain `node dist/main.js`: no
// TypeScript loader and no hundreds of package modules in the running process, which idles at about half the
// memory of the sources run through `tsx` (docs/operations.md, "Running the server compiled"). A build takes ~1 s,
// and is reused while the files it read are unchanged. Usage: server-build.mjs (prints where the bundle is).
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVER_DIR = path.join(ROOT, 'packages/server');

/**
 * What marks a package that must stay in node_modules: it finds files next to its own module (`__dirname`,
 * `require.resolve`, a native `.node` addon…), which would be looked for beside the bundle instead.
 */
const READS_BESIDE_ITSELF = ['__dirname', '__filename', 'import.meta', 'require.resolve', 'require.main', 'module.filename', ".node'", '.node"'];

/** The package a node_modules path belongs to (`node_modules/@a/b/lib/x.js` → `@a/b`), or undefined for our own sources. */
function packageOf(file) {
  return /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];
}

/** Writes `contents` (a Buffer or string, or a file to copy with `from`) to `file` by a temporary name and a rename. */
function replaceFile(file, contents, from) {
  const tmp = `${file}.${process.pid}.tmp`;
  if (from === undefined) writeFileSync(tmp, contents);
  else copyFileSync(from, tmp);
  renameSync(tmp, file);
}

/** A digest of `files`' contents and of how they are built (this script, esbuild's version): a changed, moved or deleted file changes it (or throws). */
function digestOf(files, esbuildVersion) {
  const hash = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).update(esbuildVersion);
  for (const file of files) hash.update(`\0${file}\0`).update(readFileSync(file));
  return hash.digest('hex');
}

/**
 * Bundles `entry` (a .ts file) into `outFile`, npm packages included: one script instead of hundreds of modules
 * (docs/operations.md, "Running the server compiled": an idle node holds ~30 MiB less). Left in node_modules, found
 * by a first pass over what the bundle would hold:
 * - packages that read files beside themselves (READS_BESIDE_ITSELF): they would look for them beside the bundle;
 * - packages the sources load with `import()` only when configured (the Redis client): a node that does not use
 *   them does not hold their code;
 * - what those import in turn, so that no module is loaded twice, once bundled and once from node_modules.
 * The bundle must therefore sit where node resolves the same node_modules (inside this repository). Files the
 * source reads next to itself (`new URL('./x', import.meta.url)`) are listed in `assets` and copied beside it.
 * `threads` maps the name of each worker thread's script (without `.js`) to its source: each is bundled beside
 * `outFile` in the same build (the webhook sender thread).
 *
 * Every file is written to a temporary name and renamed, so two starts building at once never run half a file.
 * `<outFile>.inputs.json` records the files the build read (sources, packages, the lockfile, the assets) and a
 * digest of their contents; while they are unchanged, the next call reuses the bundle (a restart then spends
 * ~0.05 s here instead of ~1 s).
 */
export function bundle(entry, outFile, assets = [], threads = {}) {
  const esbuild = createRequire(import.meta.url)('esbuild'); // loaded here: importing this file needs no esbuild
  const record = `${outFile}.inputs.json`;
  const outDir = path.dirname(outFile);
  const copies = assets.map((asset) => path.join(outDir, path.basename(asset)));
  // Each output's name without `.js` → its source: the entry, and the thread scripts it starts.
  const outputs = { [path.basename(outFile, '.js')]: entry, ...threads };
  const outFiles = Object.keys(outputs).map((name) => path.join(outDir, `${name}.js`));
  try {
    const kept = JSON.parse(readFileSync(record, 'utf8'));
    if ([...outFiles, ...copies].every((file) => existsSync(file)) && digestOf(kept.files, esbuild.version) === kept.digest) return outFile;
  } catch {
    // no record, or a file it lists is gone: build
  }
  const options = {
    entryPoints: Object.entries(outputs).map(([out, source]) => ({ in: source, out })),
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    keepNames: true, // function names stay what the packages gave them (Fastify names plugins by them)
    // Bundled CommonJS code calls require() for node's own modules and for the packages left outside.
    banner: { js: "import { createRequire as __gatrixRequire } from 'node:module'; const require = __gatrixRequire(import.meta.url);" },
    write: false,
    logLevel: 'silent',
  };
  const { metafile } = esbuild.buildSync({ ...options, metafile: true });
  const external = new Set();
  const uses = new Map(); // package → the packages it imports
  for (const [file, input] of Object.entries(metafile.inputs)) {
    const own = packageOf(file);
    if (own !== undefined && READS_BESIDE_ITSELF.some((token) => readFileSync(path.resolve(file), 'utf8').includes(token))) external.add(own);
    for (const imported of input.imports) {
      const target = packageOf(imported.path);
      if (target === undefined || target === own) continue;
      if (own === undefined) {
        if (imported.kind === 'dynamic-import') external.add(target);
      } else {
        if (!uses.has(own)) uses.set(own, new Set());
        uses.get(own).add(target);
      }
    }
  }
  for (const name of external) for (const used of uses.get(name) ?? []) external.add(used);
  const files = [...Object.keys(metafile.inputs).map((file) => path.resolve(file)), ...assets, ...lockfileOf(entry)];
  const digest = digestOf(files, esbuild.version);
  const result = esbuild.buildSync({ ...options, external: [...external] });
  mkdirSync(outDir, { recursive: true });
  for (const file of outFiles) replaceFile(file, asciiOnly(result.outputFiles.find((o) => path.resolve(o.path) === file).text, esbuild));
  assets.forEach((asset, i) => replaceFile(copies[i], undefined, asset));
  // Recorded only when no file changed while the bundle was built, so the record never vouches for other contents.
  if (digestOf(files, esbuild.version) === digest) replaceFile(record, JSON.stringify({ digest, files }));
  return outFile;
}

/**
 * `code` with its non-ASCII characters written as `\u` escapes, when that leaves the program as it is. V8 keeps a
 * script's source for as long as the script runs, as one string, and a single character above U+00FF makes it a
 * two-byte string: the server's 2.9 MB bundle held 5.8 MB of heap because of a dozen characters in the comments of
 * bundled packages (a no-break space in Kysely's examples, a name in a licence). esbuild escapes such characters in
 * strings and names but not in comments, where an escape is just text, nor in regular expressions. The escaped code
 * is kept only if it parses to the same program as `code` (both with comments and whitespace taken out); otherwise
 * (a regular expression, a template literal's raw text) `code` is returned unchanged: correct, only larger.
 */
export function asciiOnly(code, esbuild = createRequire(import.meta.url)('esbuild')) {
  if (!/[^\0-\x7f]/.test(code)) return code;
  // One escape per code point (`\u{1d4d0}`, not two halves of a surrogate pair, which a name may not be written as).
  const ascii = code.replace(/[^\0-\x7f]/gu, (c) => {
    const point = c.codePointAt(0);
    return point > 0xffff ? `\\u{${point.toString(16)}}` : `\\u${point.toString(16).padStart(4, '0')}`;
  });
  const program = (text) => esbuild.transformSync(text, { format: 'esm', minifyWhitespace: true, legalComments: 'none', logLevel: 'silent' }).code;
  return program(ascii) === program(code) ? ascii : code;
}

/** The npm lockfile of the tree `entry` is in (it changes when a package is added or moved), as a list of zero or one. */
function lockfileOf(entry) {
  for (let dir = path.dirname(path.resolve(entry)); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package-lock.json'))) return [path.join(dir, 'package-lock.json')];
    if (path.dirname(dir) === dir) return [];
  }
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
  return bundle(path.join(serverDir, 'src/main.ts'), path.join(serverDir, 'dist/main.js'), [path.join(serverDir, 'src/core/common-passwords.txt')], {
    'webhook-send-thread': path.join(serverDir, 'src/modules/webhooks/send-thread.ts'),
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const out = buildServer();
  console.log(`server: ${path.relative(ROOT, out)} up to date in ${Date.now() - started} ms`);
}
