/**
 * The Node.js SDK sample of the integration guide (docs/integration-guide.md; its section "SDK 사용"),
 * kept verbatim in test/fixtures/seed-node-sdk.js, run as written in its own `node` process against a real
 * Gatrix. Only the base URL is put in (the key comes from GATRIX_API_KEY, as the sample reads it).
 *
 * The sample uses `require` and `await` at the top level, which Node accepts only inside a function, so the
 * harness wraps it in an async function and prints the sample's own variables afterwards; the sample's text
 * is not touched.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GatrixClient } from '../src/index.ts';
import { PACKAGE_DIR, runNode, startGatrix, type Gatrix } from './helpers.ts';

const FIXTURE = path.join(PACKAGE_DIR, 'test/fixtures/seed-node-sdk.js');
/** The guide itself, when a checkout has it beside the repository (docs/integration-guide.md); else that check skips. */
const SEED = path.resolve(PACKAGE_DIR, '../../../shared/seed/000_bf73588558538452.txt');

interface SeedResult {
  users: { data: { username: string }[]; pagination: { page: number; limit: number; total: number; totalPages: number } };
  user: { id: number; username: string; email: string; role: string; status: string };
  worlds: { data: { worldId: string }[]; pagination: { total: number } };
  world: { id: number; worldId: string; name: string };
  versions: { data: { channel: string; subChannel: string; version: string }[]; pagination: { total: number } };
}

describe("the seed's Node.js SDK sample, unchanged, against a real Gatrix", () => {
  let g: Gatrix;
  const tmp = path.join(PACKAGE_DIR, '.tmp');
  before(async () => {
    g = await startGatrix();
    mkdirSync(tmp, { recursive: true });
  });
  after(async () => {
    rmSync(path.join(tmp, 'seed-node-sdk.cjs'), { force: true });
    await g.close();
  });

  it('the fixture is the seed\'s "Node.js SDK" block, character for character', (t) => {
    if (!existsSync(SEED)) return t.skip(`${SEED} is not there`);
    const seed = readFileSync(SEED, 'utf8');
    const start = seed.indexOf("```javascript\nconst GatrixClient = require('@gatrix/nodejs-sdk');");
    assert.ok(start >= 0, 'the seed still has its Node.js SDK block');
    const body = seed.slice(start + '```javascript\n'.length, seed.indexOf('```', start + 3));
    assert.equal(readFileSync(FIXTURE, 'utf8'), body);
  });

  it('lists and creates users and worlds and lists the PC/Steam client versions, as the sample expects', async () => {
    const admin = new GatrixClient({ apiKey: g.adminKey, baseURL: g.baseUrl });
    const base = { status: 'ONLINE' as const, gameServerAddress: 'gs.example.com:7000', patchAddress: 'https://patch.example.com' };
    await admin.versions.create({ channel: 'PC', subChannel: 'Steam', version: '1.2.0', ...base });
    await admin.versions.create({ channel: 'PC', subChannel: 'Epic', version: '1.2.0', ...base });
    await admin.versions.create({ channel: 'PC', subChannel: 'Steam', version: '1.10.0', ...base });

    const sample = readFileSync(FIXTURE, 'utf8');
    const withBase = sample.replace("baseURL: 'https://api.gatrix.com'", `baseURL: ${JSON.stringify(g.baseUrl)}`);
    assert.notEqual(withBase, sample, 'the base URL was put in');
    const program = [
      '(async () => {',
      withBase,
      'console.log(JSON.stringify({ users, user, worlds, world, versions }));',
      '})().catch((err) => { console.error(err); process.exitCode = 1; });',
      '',
    ].join('\n');
    // Inside the package, so require('@gatrix/nodejs-sdk') resolves through node_modules to the built package.
    const file = path.join(tmp, 'seed-node-sdk.cjs');
    writeFileSync(file, program);

    const run = runNode([file], { GATRIX_API_KEY: g.adminKey });
    assert.equal(await run.exited, 0, `the sample failed:\n${run.stderr()}`);
    const out = JSON.parse(run.stdout().trim().split('\n').pop()!) as SeedResult;

    assert.equal(out.users.pagination.page, 1);
    assert.equal(out.users.pagination.limit, 10);
    assert.ok(out.users.data.some((u) => u.username === 'admin'));
    assert.equal(out.user.username, 'player123');
    assert.equal(out.user.email, 'player@example.com');
    assert.equal(out.user.role, 'player');
    assert.equal(out.world.worldId, 'world_001');
    assert.equal(out.world.name, '메인 월드');
    assert.equal(out.worlds.pagination.total, 0, 'worlds were listed before the sample created one');
    assert.deepEqual(
      out.versions.data.map((v) => `${v.channel}/${v.subChannel} ${v.version}`),
      ['PC/Steam 1.2.0', 'PC/Steam 1.10.0'],
    );

    // What the sample did is really in Gatrix.
    assert.deepEqual(await admin.users.get(out.user.id), out.user);
    assert.equal((await admin.worlds.get(out.world.id)).worldId, 'world_001');
  });
});
