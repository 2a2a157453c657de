/**
 * The README's examples are files in examples/, embedded verbatim (after an `<!-- example: … -->` marker), and
 * they run against a real Gatrix here (the webhook receivers run in webhooks.test.ts).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GatrixClient } from '../src/index.ts';
import { PACKAGE_DIR, runNode, startGatrix, type Gatrix } from './helpers.ts';

const README = readFileSync(path.join(PACKAGE_DIR, 'README.md'), 'utf8');

describe('README examples', () => {
  let g: Gatrix;
  before(async () => {
    g = await startGatrix();
  });
  after(() => g.close());

  it('every file in examples/ (and the seed sample) appears in the README verbatim, and every embedded example is a file', () => {
    const embedded = [...README.matchAll(/<!-- example: ([\w./-]+) -->\n```\w+\n([\s\S]*?)```\n/g)];
    // The quick start is the integration guide's sample itself (run by seed.test.ts; docs/integration-guide.md).
    const files = [...readdirSync(path.join(PACKAGE_DIR, 'examples')).map((f) => `examples/${f}`), 'test/fixtures/seed-node-sdk.js'].sort();
    assert.deepEqual(embedded.map((m) => m[1]).sort(), files);
    for (const [, file, code] of embedded) assert.equal(code, readFileSync(path.join(PACKAGE_DIR, file), 'utf8'), `${file} differs from the README`);
  });

  it('examples/quickstart.cjs runs against a real Gatrix', async () => {
    const run = runNode(['examples/quickstart.cjs'], { GATRIX_API_KEY: g.adminKey, GATRIX_BASE_URL: g.baseUrl });
    assert.equal(await run.exited, 0, run.stderr());
    const lines = run.stdout().trim().split('\n');
    assert.match(lines[0], /^users: \d+ in all, \d+ on page 1$/);
    assert.ok(lines.some((l) => /^player \d+ player123$/.test(l)), run.stdout());
    assert.ok(lines.some((l) => /^conflict: username_taken on username \(request [\w-]+\)$/.test(l)), run.stdout());
    assert.equal(lines.at(-1), 'PC/Steam versions: none');
    const client = new GatrixClient({ apiKey: g.adminKey, baseURL: g.baseUrl });
    const [world] = (await client.worlds.list({ q: 'world_001' })).data;
    assert.equal(world.maintenance, true);
    assert.ok(world.maintenanceEndsAt);
  });

  it('examples/realtime.mjs prints the live events it subscribed to', async () => {
    const run = runNode(['examples/realtime.mjs'], { GATRIX_API_KEY: g.adminKey, GATRIX_BASE_URL: g.baseUrl });
    try {
      await run.line(/^connected$/, 'connected');
      const client = new GatrixClient({ apiKey: g.adminKey, baseURL: g.baseUrl });
      const user = await client.users.create({ username: 'rt_example', email: 'rt@example.com', password: 'password-123' });
      await new GatrixClient({ baseURL: g.baseUrl, apiKey: '' }).auth.login({ username: 'rt_example', password: 'password-123' });
      const world = await client.worlds.create({ worldId: 'rt_world', name: 'RT' });
      await client.worlds.setMaintenance(world.id, { enabled: true, message: '점검' });
      await client.worlds.setMaintenance(world.id, { enabled: false });
      await run.line(new RegExp(`^user_registered ${user.id} rt_example$`), 'user_registered');
      await run.line(new RegExp(`^user_login ${user.id} from `), 'user_login');
      await run.line(/^world_maintenance_started rt_world: 점검$/, 'world_maintenance_started');
      await run.line(/^world_maintenance_ended rt_world$/, 'world_maintenance_ended');
      assert.ok(!run.stdout().includes('world_created'), 'world_created was not subscribed to');
    } finally {
      await run.stop();
    }
  });
});
