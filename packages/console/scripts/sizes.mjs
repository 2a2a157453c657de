// Prints the gzip size of every built JS/CSS file and of the initial load (what index.html pulls in before any
// lazy screen), and exits 1 when the initial JS is over the budget (200 KB gzip).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import console from 'node:console';
import process from 'node:process';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
const BUDGET = 200 * 1024;
const gz = (file) => gzipSync(readFileSync(path.join(DIST, file)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

const html = readFileSync(path.join(DIST, 'index.html'), 'utf8');
const initial = new Set([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]));
const files = readdirSync(path.join(DIST, 'assets')).filter((f) => /\.(js|css)$/.test(f)).map((f) => `assets/${f}`);
const rows = files.map((f) => ({ f, size: gz(f), initial: initial.has(f) })).sort((a, b) => b.size - a.size);
for (const r of rows) console.log(`${r.initial ? '*' : ' '} ${r.f.padEnd(56)} ${kb(r.size).padStart(10)} gzip`);
const js = rows.filter((r) => r.initial && r.f.endsWith('.js')).reduce((n, r) => n + r.size, 0);
const css = rows.filter((r) => r.initial && r.f.endsWith('.css')).reduce((n, r) => n + r.size, 0);
console.log(`initial load (*): JS ${kb(js)} gzip (budget ${kb(BUDGET)}), CSS ${kb(css)} gzip`);
if (js > BUDGET) {
  console.error('initial JS is over budget: lazy-load more (src/app/routes.tsx)');
  process.exit(1);
}
