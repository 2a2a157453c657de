#!/usr/bin/env node
// Writes a Brotli (.br) and a gzip (.gz) copy next to every compressible file of a built web app (default:
// packages/console/dist), for the server to send as they are (@fastify/static `preCompressed`) instead of
// compressing on every request. A copy that would not be smaller is not written. Usage: compress-dist.mjs [dir]
import { readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map|wasm|ico|xml|webmanifest)$/i;
/** Below this a compressed copy saves less than a packet. */
const MIN_BYTES = 1024;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else if (entry.isFile()) yield full;
  }
}

export function compressDir(dir) {
  let count = 0;
  let before = 0;
  let after = 0;
  for (const file of [...files(dir)]) {
    if (/\.(br|gz)$/.test(file)) {
      // A copy left from an earlier build whose original is gone.
      if (!existsQuiet(file.replace(/\.(br|gz)$/, ''))) unlinkSync(file);
      continue;
    }
    if (!COMPRESSIBLE.test(file)) continue;
    const data = readFileSync(file);
    if (data.length < MIN_BYTES) continue;
    const br = brotliCompressSync(data, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
    });
    const gz = gzipSync(data, { level: 9 });
    for (const [ext, out] of [['.br', br], ['.gz', gz]]) {
      if (out.length < data.length) writeFileSync(file + ext, out);
    }
    count += 1;
    before += data.length;
    after += br.length;
  }
  return { count, before, after };
}

function existsQuiet(file) {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const arg = process.argv.slice(2).find((a) => !a.startsWith('--'));
  const dir = path.resolve(arg ?? path.join(root, 'packages/console/dist'));
  const { count, before, after } = compressDir(dir);
  const kb = (n) => `${Math.round(n / 1024)} KiB`;
  console.log(`compress-dist: ${count} files in ${path.relative(process.cwd(), dir) || '.'} (${kb(before)} -> ${kb(after)} with Brotli)`);
  if (process.argv.includes('--stamp')) {
    // The console's build: record which sources it was made from, so `npm start` does not build it again.
    const { writeStamp } = await import('./console-build.mjs');
    writeStamp();
  }
}
