/**
 * The committed contract (openapi.json, src/generated/*) is what the server defines now: the generator's
 * --check passes on the package, and fails — naming the file — when a committed file differs.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import '../../server/src/app/events.ts';
import { EVENT_CATALOG as SERVER_CATALOG } from '../../server/src/events/catalog.ts';
import { EVENT_CATALOG } from '../src/index.ts';
import { PACKAGE_DIR, runNode } from './helpers.ts';

const GENERATED = ['openapi.json', 'src/generated/openapi.ts', 'src/generated/events.ts'];

async function check(dir?: string) {
  const run = runNode(['--import', 'tsx', 'scripts/generate.ts', '--check', ...(dir ? ['--dir', dir] : [])]);
  return { code: await run.exited, stdout: run.stdout(), stderr: run.stderr() };
}

describe('generated types stay in step with the server', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('generate --check passes: the committed files are what the server generates now', async () => {
    const r = await check();
    assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /up to date/);
  });

  it('generate --check exits 1 and names the file when a committed file has drifted', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatrix-sdk-drift-'));
    dirs.push(dir);
    for (const f of GENERATED) cpSync(path.join(PACKAGE_DIR, f), path.join(dir, f), { recursive: true });
    const events = path.join(dir, 'src/generated/events.ts');
    writeFileSync(events, readFileSync(events, 'utf8').replace("'user.created': { userId: number;", "'user.created': { userId: string;"));
    const r = await check(dir);
    assert.equal(r.code, 1, `${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /src\/generated\/events\.ts/);
    assert.doesNotMatch(r.stderr, /openapi\.json/);
    assert.match(r.stderr, /npm run generate -w @gatrix\/nodejs-sdk/);
  });

  it("the SDK's event catalog is the server's", () => {
    assert.deepEqual(EVENT_CATALOG, SERVER_CATALOG);
    const spec = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'openapi.json'), 'utf8')) as { openapi: string; paths: Record<string, unknown> };
    assert.equal(spec.openapi, '3.1.0');
    assert.ok('/api/v1/users' in spec.paths && '/api/v1/webhooks/{id}/rotate-secret' in spec.paths);
  });
});
