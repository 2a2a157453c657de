// The committed API client (src/api/generated) is what orval makes from the current OpenAPI document
// (packages/sdk-node/openapi.json). When this fails: `npm run generate -w @gatrix/console` and commit.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COMMITTED = path.join(PKG, 'src/api/generated');

function files(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? files(p, base) : [path.relative(base, p)];
  });
}
/** The import of the mutator is relative to where the client is written: leave it out of the comparison. */
const normalized = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !l.includes("fetcher.ts'"))
    .join('\n');

describe('generated API client', () => {
  const fresh = mkdtempSync(path.join(tmpdir(), 'gatrix-console-client-'));
  after(() => rmSync(fresh, { recursive: true, force: true }));

  it('is up to date with the OpenAPI document', () => {
    execFileSync(process.execPath, ['--import', './scripts/node20-polyfills.mjs', '../../node_modules/orval/dist/bin/orval.mjs', '--config', 'orval.config.ts'], {
      cwd: PKG,
      env: { ...process.env, GATRIX_CONSOLE_CLIENT_DIR: fresh },
      stdio: 'pipe',
    });
    const want = files(fresh).sort();
    const have = files(COMMITTED).sort();
    assert.deepEqual(have, want, 'files of src/api/generated: run `npm run generate -w @gatrix/console`');
    const stale = want.filter((f) => normalized(path.join(fresh, f)) !== normalized(path.join(COMMITTED, f)));
    assert.deepEqual(stale, [], 'stale files in src/api/generated: run `npm run generate -w @gatrix/console`');
  });
});
