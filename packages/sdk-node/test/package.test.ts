/**
 * The built package as integrators load it: `require` (CommonJS default export = the class) and `import` (ESM
 * named exports), resolved through the workspace link in node_modules and the package's `exports` map, in plain
 * Node processes (no TypeScript loader); and its bundled type declarations compiled by tsc. Then the tarball of
 * `npm pack`, installed into an empty project outside the repository, running the README's quick starts.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VERSION } from '../src/index.ts';
import { PACKAGE_DIR, runNode, startGatrix, type Gatrix } from './helpers.ts';

async function evaluate(kind: 'commonjs' | 'module', code: string, env: Record<string, string> = {}): Promise<unknown> {
  const run = runNode([`--input-type=${kind}`, '-e', code], env);
  const exit = await run.exited;
  assert.equal(exit, 0, `node exited ${exit}\nstderr:\n${run.stderr()}`);
  return JSON.parse(run.stdout().trim().split('\n').pop()!);
}

const TSC = path.join(path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');

let g: Gatrix;
before(async () => {
  g = await startGatrix();
});
after(() => g.close());

describe('the built package (dist), as require() and import load it', () => {
  it("require('@gatrix/nodejs-sdk') is the GatrixClient class carrying every named ESM export", async () => {
    const cjs = (await evaluate(
      'commonjs',
      `const GatrixClient = require('@gatrix/nodejs-sdk');
       console.log(JSON.stringify({
         type: typeof GatrixClient, name: GatrixClient.name, self: GatrixClient.GatrixClient === GatrixClient,
         dflt: GatrixClient.default === GatrixClient, file: require.resolve('@gatrix/nodejs-sdk'),
         keys: Object.keys(GatrixClient).sort(),
       }));`,
    )) as { type: string; name: string; self: boolean; dflt: boolean; file: string; keys: string[] };
    const esm = (await evaluate(
      'module',
      `import * as sdk from '@gatrix/nodejs-sdk';
       console.log(JSON.stringify({ keys: Object.keys(sdk).sort(), dflt: sdk.default === sdk.GatrixClient, file: import.meta.resolve('@gatrix/nodejs-sdk') }));`,
    )) as { keys: string[]; dflt: boolean; file: string };

    assert.equal(cjs.type, 'function');
    assert.equal(cjs.name, 'GatrixClient');
    assert.ok(cjs.self && cjs.dflt);
    assert.equal(path.relative(PACKAGE_DIR, cjs.file), path.join('dist', 'cjs', 'gatrix.cjs'));
    assert.equal(path.relative(PACKAGE_DIR, new URL(esm.file).pathname), path.join('dist', 'esm', 'index.js'));
    assert.ok(esm.dflt, 'the ESM default export is the class too');
    assert.ok(esm.keys.includes('GatrixClient') && esm.keys.includes('verifyWebhook') && esm.keys.includes('webhookMiddleware'));
    assert.deepEqual(
      esm.keys.filter((k) => !cjs.keys.includes(k)),
      [],
      'every ESM export is a property of the CommonJS export',
    );
  });

  it('ESM: import { GatrixClient } works against a real Gatrix, and its errors are GatrixErrors', async () => {
    const out = (await evaluate(
      'module',
      `import { GatrixClient, GatrixError } from '@gatrix/nodejs-sdk';
       const client = new GatrixClient({ apiKey: process.env.GATRIX_API_KEY, baseURL: process.env.GATRIX_BASE_URL });
       const user = await client.users.create({ username: 'esm_user', email: 'esm@example.com' });
       let error;
       try { await client.users.get(999999); } catch (err) { error = { isGatrix: err instanceof GatrixError, status: err.status, code: err.code }; }
       console.log(JSON.stringify({ user, page: await client.users.list({ q: 'esm_user' }), error }));`,
      { GATRIX_API_KEY: g.adminKey, GATRIX_BASE_URL: g.baseUrl },
    )) as { user: { id: number; username: string }; page: { data: { id: number }[]; pagination: { total: number } }; error: unknown };
    assert.equal(out.user.username, 'esm_user');
    assert.deepEqual(out.page.data.map((u) => u.id), [out.user.id]);
    assert.equal(out.page.pagination.total, 1);
    assert.deepEqual(out.error, { isGatrix: true, status: 404, code: 'user_not_found' });
  });

  it('CommonJS: destructured named exports work too (verifyWebhook, GatrixError)', async () => {
    const out = await evaluate(
      'commonjs',
      `const { GatrixClient, GatrixError, verifyWebhook, WebhookVerificationError } = require('@gatrix/nodejs-sdk');
       const client = new GatrixClient({ apiKey: 'gx_wrong', baseURL: process.env.GATRIX_BASE_URL });
       client.worlds.list().catch((err) => {
         let verify;
         try { verifyWebhook('{}', {}, 'secret'); } catch (e) { verify = e instanceof WebhookVerificationError && e.reason; }
         console.log(JSON.stringify({ isGatrix: err instanceof GatrixError, status: err.status, verify }));
       });`,
      { GATRIX_BASE_URL: g.baseUrl },
    );
    assert.deepEqual(out, { isGatrix: true, status: 401, verify: 'missing_headers' });
  });

  it('the bundled declarations type ESM and CommonJS consumers (tsc on test/types; @ts-expect-error lines must fail)', () => {
    try {
      execFileSync(process.execPath, [TSC, '-p', path.join(PACKAGE_DIR, 'test/types/tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      assert.fail(`tsc found errors in the consumers:\n${e.stdout}${e.stderr}`);
    }
  });

  it('package.json: version matches VERSION, exports map, only dist and README are published', () => {
    const pkg = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
      version: string;
      dependencies: Record<string, string>;
      exports: Record<string, unknown>;
    };
    assert.equal(VERSION, pkg.version);
    assert.deepEqual(Object.keys(pkg.dependencies), ['socket.io-client'], 'the only runtime dependency');
    assert.deepEqual(pkg.exports['.'], {
      import: { types: './dist/esm/index.d.ts', default: './dist/esm/index.js' },
      require: { types: './dist/cjs/gatrix.d.cts', default: './dist/cjs/gatrix.cjs' },
    });
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PACKAGE_DIR, encoding: 'utf8' })) as {
      files: { path: string }[];
    }[];
    const files = packed.files.map((f) => f.path);
    for (const f of ['package.json', 'README.md', 'dist/cjs/gatrix.cjs', 'dist/cjs/gatrix.d.cts', 'dist/cjs/package.json', 'dist/esm/index.js', 'dist/esm/index.d.ts']) {
      assert.ok(files.includes(f), `${f} is published`);
    }
    assert.deepEqual(files.filter((f) => !f.startsWith('dist/') && f !== 'package.json' && f !== 'README.md'), []);
    assert.equal((pkg as { scripts?: Record<string, string> }).scripts?.prepare, 'npm run build', 'npm install, npm ci and npm pack build dist/');
  });
});

describe('npm pack: the tarball installed into an empty project outside the repository', () => {
  let dir: string;
  let app: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gatrix-sdk-pack-'));
    app = path.join(dir, 'app');
    mkdirSync(app);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const sh = (cmd: string, args: string[], cwd: string): string => {
    try {
      return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      assert.fail(`${cmd} ${args.join(' ')} failed:\n${e.stdout}${e.stderr}`);
    }
  };
  const run = async (file: string): Promise<string> => {
    const child = spawn(process.execPath, [file], { cwd: app, env: { ...process.env, GATRIX_API_KEY: g.adminKey, GATRIX_BASE_URL: g.baseUrl } });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    assert.equal(code, 0, `node ${file} exited ${code}\nstdout:\n${out}\nstderr:\n${err}`);
    return out;
  };

  it('packs (building dist/), installs with npm install <tarball>, and the quick starts run with require, import and tsc', async () => {
    // npm pack runs `prepare`, which builds: the tarball never depends on a build left in the checkout.
    const out = sh('npm', ['pack', '--json', '--pack-destination', dir], PACKAGE_DIR);
    const [packed] = JSON.parse(out.slice(out.search(/^\[/m))) as { filename: string; files: { path: string }[] }[];
    assert.ok(packed.files.some((f) => f.path === 'dist/cjs/gatrix.cjs'));
    sh('npm', ['init', '-y'], app);
    sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, packed.filename)], app);
    assert.ok(!createRequire(path.join(app, 'x.js')).resolve('@gatrix/nodejs-sdk').startsWith(path.dirname(path.dirname(PACKAGE_DIR))), 'resolved outside the repository');

    for (const f of ['quickstart.cjs', 'quickstart.mjs', 'quickstart.ts']) copyFileSync(path.join(PACKAGE_DIR, 'examples', f), path.join(app, f));
    const cjs = (await run('quickstart.cjs')).trim().split('\n');
    assert.match(cjs[0], /^users: \d+ in all, \d+ on page 1$/);
    assert.ok(cjs.some((l) => /^conflict: username_taken on username \(request [\w-]+\)$/.test(l)), cjs.join('\n'));
    assert.equal(cjs.at(-1), 'PC/Steam versions: none');
    assert.match(await run('quickstart.mjs'), /^world \d+ world_esm\nmissing: 404 world_not_found\n$/);

    // TypeScript against the tarball's declarations, as a Node16-module project and as a bundler project.
    const types = path.join(path.dirname(createRequire(import.meta.url).resolve('@types/node/package.json')), '..');
    for (const resolution of ['node16', 'bundler']) {
      const module = resolution === 'node16' ? 'node16' : 'esnext';
      const config = { compilerOptions: { target: 'ES2022', module, moduleResolution: resolution, strict: true, noEmit: true, skipLibCheck: false, typeRoots: [types], types: ['node'] }, files: ['quickstart.ts'] };
      writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify(config));
      sh(process.execPath, [TSC, '-p', 'tsconfig.json'], app);
    }
  });
});
