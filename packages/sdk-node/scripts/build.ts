/**
 * Builds the package: dist/esm (ES modules) and dist/cjs (CommonJS), each with declarations, from src/ with tsc.
 *
 * CommonJS callers get the GatrixClient class itself from `require('@gatrix/nodejs-sdk')` (the integration
 * guide's `const GatrixClient = require(…)`, docs/integration-guide.md), with every named export as a property: dist/cjs/gatrix.cjs does that at run
 * time, and dist/cjs/gatrix.d.cts says so to TypeScript (`export =` of the class merged with a namespace that
 * re-exports every name of dist/cjs/index.d.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const tsc = path.join(path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');

/** Where each export of a declaration file is declared: name → [module specifier, name there]. */
export function exportSources(file: string, specifier = './index.js'): Map<string, [string, string]> {
  const text = readFileSync(file, 'utf8');
  const sources = new Map<string, [string, string]>();
  for (const m of text.matchAll(/^export (?:type )?\{([^}]*)\}(?: from '(\.[^']+)')?;/gm)) {
    for (const part of m[1].split(',')) {
      const [original, alias = original] = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).map((x) => x.trim());
      if (original) sources.set(alias, m[2] ? [m[2], original] : [specifier, original]);
    }
  }
  for (const m of text.matchAll(/^export (?:type )?\* from '(\.[^']+)';/gm)) {
    for (const [name, source] of exportSources(path.join(path.dirname(file), m[1].replace(/\.js$/, '.d.ts')), m[1])) sources.set(name, source);
  }
  for (const m of text.matchAll(/^export (?:declare )?(?:abstract )?(?:type|interface|class|const|function|let|enum) (\w+)/gm)) sources.set(m[1], [specifier, m[1]]);
  sources.delete('default');
  return sources;
}

/**
 * Builds into a staging directory and then swaps it in, so a build (`npm pack` runs one through `prepare`) never
 * leaves dist/ half-written for a process loading the package at the same time.
 */
function build(): void {
  const staging = path.join(root, `dist.${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  for (const [config, out] of [['tsconfig.esm.json', 'esm'], ['tsconfig.cjs.json', 'cjs']]) {
    execFileSync(process.execPath, [tsc, '-p', path.join(root, config), '--outDir', path.join(staging, out)], { stdio: 'inherit' });
  }
  const cjs = path.join(staging, 'cjs');
  writeFileSync(path.join(cjs, 'package.json'), '{\n  "type": "commonjs"\n}\n');
  writeFileSync(
    path.join(cjs, 'gatrix.cjs'),
    [
      "'use strict';",
      '// The GatrixClient class itself, carrying every named export as a property.',
      "const sdk = require('./index.js');",
      'module.exports = Object.assign(sdk.GatrixClient, sdk, { default: sdk.GatrixClient });',
      '',
    ].join('\n'),
  );
  // An alias in a namespace must name the declaration itself, not a type-only re-export of it.
  const sources = exportSources(path.join(cjs, 'index.d.ts'));
  const modules = [...new Set([...sources.values()].map(([m]) => m))].sort();
  const ns = (m: string) => `m${modules.indexOf(m)}`;
  writeFileSync(
    path.join(cjs, 'gatrix.d.cts'),
    [
      ...modules.map((m) => `import * as ${ns(m)} from '${m}';`),
      '',
      '/** `require(\'@gatrix/nodejs-sdk\')`: the GatrixClient class, with every named export as a property. */',
      `declare class GatrixClient extends ${ns('./index.js')}.GatrixClient {}`,
      'declare namespace GatrixClient {',
      ...[...sources].sort(([a], [b]) => a.localeCompare(b)).map(([name, [m, original]]) => `  export import ${name} = ${ns(m)}.${original};`),
      '}',
      'export = GatrixClient;',
      '',
    ].join('\n'),
  );
  const old = path.join(root, `dist.${process.pid}.old`);
  rmSync(old, { recursive: true, force: true });
  try {
    renameSync(dist, old);
  } catch {
    // no previous build
  }
  renameSync(staging, dist);
  rmSync(old, { recursive: true, force: true });
  console.log(`built dist/esm and dist/cjs (${sources.size} named exports)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) build();
