/** End to end: the real `main.ts` process, as `npm start` runs it, on a fresh data dir, over real HTTP. */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { builtinModules } from 'node:module';
import { asciiOnly, buildServer, bundle } from '../../../scripts/server-build.mjs';
import { startServerProcess, until } from './helpers.ts';
import { listener } from './realtime-helpers.ts';

/** The processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(pid);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

const start = (env: Record<string, string>) => startServerProcess({ LOG_LEVEL: 'info', ...env });

describe('the gatrix process', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const grandchildren: number[] = [];
  after(() => {
    for (const c of children) c.kill('SIGKILL');
    for (const pid of grandchildren) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('first start on SQLite creates its data dir owner-only, prints a generated admin password once; it logs in; SIGTERM exits cleanly', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'gatrix-e2e-'));
    dirs.push(parent);
    const dataDir = path.join(parent, 'data');
    const s = start({ GATRIX_DATA_DIR: dataDir });
    children.push(s.child);
    const base = await s.ready;
    // The data dir it created is 0700 and every database file 0600, like secrets.json.
    const mode = (name: string) => (statSync(path.join(dataDir, name)).mode & 0o777).toString(8);
    assert.equal(mode('.'), '700');
    for (const file of ['gatrix.db', 'gatrix.db-wal', 'gatrix.db-shm', 'secrets.json']) assert.equal(mode(file), '600', file);
    const m = /created admin "admin" with password (\S+)/.exec(s.output());
    assert.ok(m, s.output());
    const password = m[1];

    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    assert.equal(login.status, 200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const users = await fetch(`${base}/api/v1/users`, { headers: { authorization: `Bearer ${accessToken}` } });
    assert.equal(users.status, 200);
    assert.equal(((await users.json()) as { pagination: { total: number } }).pagination.total, 1);

    // The password is not in the structured log lines, and neither is the token.
    const jsonLines = s.output().split('\n').filter((l) => l.startsWith('{'));
    assert.ok(jsonLines.length > 0);
    assert.ok(jsonLines.every((l) => !l.includes(password) && !l.includes(accessToken)));

    const exited = new Promise<number | null>((resolve) => s.child.on('exit', (code) => resolve(code)));
    s.child.kill('SIGTERM');
    assert.equal(await exited, 0);

    // Second start on the same data dir: the admin exists, no new password is printed.
    const again = start({ GATRIX_DATA_DIR: dataDir });
    children.push(again.child);
    const base2 = await again.ready;
    assert.doesNotMatch(again.output(), /created admin/);
    const relog = await fetch(`${base2}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    assert.equal(relog.status, 200);
    again.child.kill('SIGTERM');
  });

  it('npm start compiles the server and runs it with plain node: files beside the sources come along, logins give their memory back, SIGTERM passes through', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'gatrix-e2e-'));
    dirs.push(parent);
    const metricsToken = 'main-test-metrics-token-0123456789';
    const s = startServerProcess({ LOG_LEVEL: 'info', GATRIX_DATA_DIR: path.join(parent, 'data'), METRICS_TOKEN: metricsToken }, { npmStart: true });
    children.push(s.child);
    const base = await s.ready;
    // The server is start.mjs's child: `node dist/main.js`, no TypeScript loader.
    const servers = childrenOf(s.child.pid!);
    grandchildren.push(...servers);
    assert.deepEqual(
      servers.map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(1)),
      [['dist/main.js']],
    );

    const password = /created admin "admin" with password (\S+)/.exec(s.output())?.[1];
    assert.ok(password, s.output());
    const login = () => fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    // Memory outside V8's heap, from the node's own /metrics.
    const outsideHeap = async () => {
      const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      return value('gatrix_process_resident_memory_bytes') - value('gatrix_nodejs_heap_size_total_bytes');
    };
    // Logins hash with scrypt, 16 MiB each on a libuv thread: with the environment npm start gives the server
    // (RUN_ENV in scripts/server-build.mjs), that memory goes back to the system afterwards instead of staying in
    // glibc's arenas, 16 MiB per thread (64 MiB after a burst).
    const before = await outsideHeap();
    for (let round = 0; round < 3; round++) {
      for (const r of await Promise.all(Array.from({ length: 8 }, login))) assert.equal(r.status, 200);
    }
    const grown = (await outsideHeap()) - before;
    assert.ok(grown < 24 * 1024 * 1024, `memory outside the heap grew by ${(grown / 1024 / 1024).toFixed(1)} MiB over 24 logins`);
    const { accessToken } = (await (await login()).json()) as { accessToken: string };
    // The common-password list is read from beside the module, so the bundle needs its own copy.
    const change = await fetch(`${base}/api/v1/auth/password`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ currentPassword: password, newPassword: 'QwertyUiop' }),
    });
    assert.equal(change.status, 400);
    assert.equal(((await change.json()) as { code: string }).code, 'weak_password');
    // Packages that read files beside themselves stay in node_modules and find them: the docs UI's assets.
    const docs = await fetch(`${base}/docs/static/index.html`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger-ui/);
    const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    assert.ok(Object.keys(openapi.paths).length > 50);
    // The bundled Socket.IO adapter and the one Socket.IO loads are one module: a socket hears an event.
    const l = listener(base, accessToken);
    try {
      await l.connected;
      await fetch(`${base}/api/v1/game-worlds`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ worldId: 'compiled-world', name: 'Compiled' }),
      });
      await until(() => l.heard.some((e) => e.event === 'world_created'), 'world_created over the socket');
    } finally {
      l.socket.disconnect();
    }

    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
  });

  it('the compiled server holds one copy of each npm package: bundled, or left in node_modules when it reads files beside itself or loads only when configured', () => {
    const compiled = readFileSync(buildServer(), 'utf8');
    // esbuild marks each bundled module with a `// node_modules/<package>/…` comment; packages left outside are imported.
    const bundled = new Set([...compiled.matchAll(/^\/\/ (?:\.\.\/)*node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((m) => m[1]));
    const imported = new Set(
      [...compiled.matchAll(/(?:from |__require\(|import\()"([^".][^"]*)"/g)].map((m) => m[1]).filter((name) => !name.startsWith('node:') && !builtinModules.includes(name)),
    );
    for (const name of ['fastify', 'ajv', 'kysely', 'jose', 'prom-client']) assert.ok(bundled.has(name), `${name} is bundled`);
    for (const name of ['better-sqlite3', 'socket.io', 'socket.io-adapter', 'pino', '@fastify/swagger-ui', 'redis']) assert.ok(imported.has(name), `${name} is left outside`);
    assert.deepEqual([...bundled].filter((name) => imported.has(name)), [], 'packages both bundled and loaded from node_modules');
    // V8 holds a script's source as long as it runs: one character above U+00FF would make it a two-byte string.
    assert.equal(/[^\0-\x7f]/.exec(compiled)?.[0], undefined, 'the compiled server is ASCII');
  });

  it('a bundle is written in ASCII where that leaves its program the same', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatrix-build-'));
    dirs.push(dir);
    const [entry, out] = ['entry.ts', 'out/entry.js'].map((f) => path.join(dir, f));
    writeFileSync(entry, "/*! Jimmy W\u00e4rting\u00a0\uac8c\uc784 \u{1f3ae} */\nconsole.log('W\u00e4rting \uac8c\uc784 \u{1f3ae}');\n");
    assert.equal(/[^\0-\x7f]/.exec(readFileSync(bundle(entry, out), 'utf8'))?.[0], undefined, 'no character above U+007F is left');
    assert.equal(execFileSync(process.execPath, [out], { encoding: 'utf8' }), 'W\u00e4rting \uac8c\uc784 \u{1f3ae}\n');
    // Comments and strings are escaped; where an escape would be the program's own text, nothing is.
    assert.equal(asciiOnly('// \u00e4\nconsole.log("\u00e4");\n'), '// \\u00e4\nconsole.log("\\u00e4");\n');
    for (const code of ['// \u00e4\nconsole.log(String.raw`\u00e4`);\n', '// \u00e4\nconsole.log(/\u00e4/.test("\\xe4"));\n']) assert.equal(asciiOnly(code), code);
    // A name outside the Basic Multilingual Plane is escaped as one code point, which node runs.
    const named = asciiOnly('const \u{1d4d0} = "\u{1f3ae}"; console.log(\u{1d4d0});\n');
    assert.equal(named, 'const \\u{1d4d0} = "\\u{1f3ae}"; console.log(\\u{1d4d0});\n');
    writeFileSync(path.join(dir, 'named.mjs'), named);
    assert.equal(execFileSync(process.execPath, [path.join(dir, 'named.mjs')], { encoding: 'utf8' }), '\u{1f3ae}\n');
  });

  it('a build is reused while the files it read are unchanged, and redone when one changes or an output is gone', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatrix-build-'));
    dirs.push(dir);
    const [entry, helper, threadSource, out, threadOut] = ['entry.ts', 'helper.ts', 'thread.ts', 'out/entry.js', 'out/thread.js'].map((f) => path.join(dir, f));
    writeFileSync(entry, "import { word } from './helper.ts';\nconsole.log(word);\n");
    writeFileSync(threadSource, "import { word } from './helper.ts';\nconsole.log('thread', word);\n");
    writeFileSync(helper, "export const word: string = 'first';\n");
    const build = () => bundle(entry, out, [], { thread: threadSource });
    build();
    assert.match(readFileSync(out, 'utf8'), /first/);
    assert.match(readFileSync(threadOut, 'utf8'), /"thread", word/, 'the thread script is built beside the entry');
    appendFileSync(out, '// kept\n'); // a rebuild would drop this line
    build();
    assert.match(readFileSync(out, 'utf8'), /\/\/ kept/);
    writeFileSync(helper, "export const word: string = 'second';\n"); // an imported file, not the entry
    build();
    assert.match(readFileSync(out, 'utf8'), /second/);
    assert.match(readFileSync(threadOut, 'utf8'), /second/);
    assert.doesNotMatch(readFileSync(out, 'utf8'), /\/\/ kept/);
    appendFileSync(out, '// kept\n');
    rmSync(threadOut);
    build();
    assert.match(readFileSync(threadOut, 'utf8'), /second/, 'a missing thread script is built again');
    assert.doesNotMatch(readFileSync(out, 'utf8'), /\/\/ kept/);
  });

  it('a start that fails (port taken) prints no generated admin password', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gatrix-e2e-'));
    dirs.push(dataDir);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const s = start({ GATRIX_DATA_DIR: dataDir, PORT: String((taken.address() as AddressInfo).port) });
      children.push(s.child);
      await assert.rejects(s.ready, /EADDRINUSE/);
      assert.doesNotMatch(s.output(), /password/);
    } finally {
      taken.close();
    }
  });

  it('a bad setting stops start-up with a message naming the variable', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gatrix-e2e-'));
    dirs.push(dataDir);
    const s = start({ GATRIX_DATA_DIR: dataDir, PORT: 'abc' });
    await assert.rejects(s.ready, /exited 1: gatrix: invalid configuration: PORT: must be a whole number/);
  });
});
