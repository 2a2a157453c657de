#!/usr/bin/env node
// Builds the operator console (packages/console) when its build is missing or older than its sources: a hash of
// the files the build reads is kept in dist/.build-stamp. `npm start` and the end-to-end tests run this first, so a
// fresh clone needs only `npm install && npm start`. Usage: console-build.mjs [--check] (--check: exit 1 when a
// build is needed, build nothing).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CONSOLE_DIR = path.join(ROOT, 'packages/console');
export const DIST_DIR = path.join(CONSOLE_DIR, 'dist');
const STAMP = path.join(DIST_DIR, '.build-stamp');

/** What the build reads: sources, static files, entry page, build configuration, and the installed versions. */
const INPUTS = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.json', 'postcss.config.cjs', 'postcss.config.js', 'postcss.config.mjs'];

function* files(p) {
  if (!existsSync(p)) return;
  if (statSync(p).isDirectory()) {
    for (const name of readdirSync(p).sort()) yield* files(path.join(p, name));
  } else {
    yield p;
  }
}

/** A hash of every input's path and content (and of the lock file, for dependency versions). */
export function sourceHash() {
  const hash = createHash('sha256');
  for (const input of [...INPUTS.map((i) => path.join(CONSOLE_DIR, i)), path.join(ROOT, 'package-lock.json')]) {
    for (const file of files(input)) {
      hash.update(path.relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  return hash.digest('hex');
}

/** Why a build is needed, or undefined when dist is up to date (or there are no sources to build from). */
export function buildNeeded() {
  if (!existsSync(path.join(CONSOLE_DIR, 'index.html'))) return undefined; // nothing to build (e.g. an image with dist only)
  if (!existsSync(path.join(DIST_DIR, 'index.html'))) return 'not built yet';
  if (!existsSync(STAMP)) return 'built without a stamp';
  if (readFileSync(STAMP, 'utf8').trim() !== sourceHash()) return 'sources changed since the last build';
  return undefined;
}

/** Records that dist was built from the sources as they are now (the console's build script calls this last). */
export function writeStamp() {
  writeFileSync(STAMP, `${sourceHash()}\n`);
}

/** Builds when needed; returns false when the build failed (the caller decides whether to go on). */
export function ensureConsoleBuilt(log = (line) => console.log(line)) {
  const why = buildNeeded();
  if (!why) return true;
  log(`console: building packages/console (${why}) ...`);
  const started = Date.now();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', 'build', '-w', '@gatrix/console'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' } });
  if (r.status !== 0) {
    log(`console: build FAILED (exit ${r.status ?? r.signal}); see the output above`);
    return false;
  }
  if (!existsSync(STAMP)) writeStamp();
  log(`console: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const why = buildNeeded();
    console.log(why ? `console: build needed (${why})` : 'console: up to date');
    process.exit(why ? 1 : 0);
  }
  const off = /^(0|false|no|off)$/i.test(process.env.GATRIX_CONSOLE ?? '');
  if (off || process.env.GATRIX_CONSOLE_DIR) {
    // The console is not served, or served from a directory this checkout does not build.
    process.exit(0);
  }
  // A failed build does not stop the API from starting: `/` then says the console is not built (or serves the last build).
  ensureConsoleBuilt();
}
