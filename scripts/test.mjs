#!/usr/bin/env node
// The whole test run: typecheck, lint, layer check, the console's build, every server and Node SDK test file (each
// its own suite, run by node:test with the TAP reporter), the Python SDK's unittest suite, and the console's
// end-to-end tests (console/e2e: Playwright in Debian's Chromium, never a downloaded browser). Every step runs even when an
// earlier one failed; the run ends with one summary and exits 1 on any failure.
//
//   node scripts/test.mjs [filter …] [--concurrency=N] [--verbose] [--suite-timeout=SECONDS]
//
// A filter keeps the suites and steps whose name contains it (server/webhooks, sdk-node/realtime, sdk-python,
// lint, …). Full output of every suite goes to test-results/; with --verbose (or GATRIX_TEST_VERBOSE=1) also to
// the console, each line prefixed with its suite.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Playwright must never download a browser: the end-to-end tests drive the system's Chromium.
process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';
const CHROMIUM_INSTALL = 'sudo apt-get install -y chromium fonts-noto-cjk';
const RESULTS = path.join(ROOT, 'test-results');
const BIN = path.join(ROOT, 'node_modules', '.bin');

// ---- options ---------------------------------------------------------------------------------------------------
const args = process.argv.slice(2);
const option = (name) => {
  const a = args.find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
  return a === undefined ? undefined : a.includes('=') ? a.slice(a.indexOf('=') + 1) : 'true';
};
const filters = args.filter((a) => !a.startsWith('--'));
const verbose = option('verbose') !== undefined || /^(1|true|yes)$/i.test(process.env.GATRIX_TEST_VERBOSE ?? '');
const concurrency = Math.max(1, Number(option('concurrency') ?? process.env.GATRIX_TEST_CONCURRENCY ?? Math.max(2, os.availableParallelism())) || 2);
/** A suite still running after this long is killed and reported as failed. */
const suiteTimeoutMs = 1000 * (Number(option('suite-timeout') ?? process.env.GATRIX_TEST_SUITE_TIMEOUT ?? 1200) || 1200);
if (option('help') !== undefined) {
  console.log('usage: npm test -- [filter …] [--concurrency=N] [--verbose] [--suite-timeout=SECONDS]');
  process.exit(0);
}

// ---- what to run -----------------------------------------------------------------------------------------------
const testFiles = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort() : []);
const SERVER = path.join(ROOT, 'packages/server');
const SDK = path.join(ROOT, 'packages/sdk-node');
const CONSOLE = path.join(ROOT, 'packages/console');
// Each file runs in its own process, in-process for node:test (no `--test`): under `--test`, Node 20 talks to the
// file's process over its stdout in a binary framing that output of the tests' own (a sample client's
// console.log) can corrupt ("Unable to deserialize cloned data"). A hung test is caught by the suite timeout.
const nodeTest = (file) => [process.execPath, '--import', 'tsx', '--test-reporter=tap', file];

/** @type {{ id: string, kind: 'step' | 'tap' | 'python' | 'playwright', cwd: string, cmd: string[] }[]} */
const steps = [
  { id: 'typecheck:server', kind: 'step', cwd: ROOT, cmd: [path.join(BIN, 'tsc'), '-p', 'packages/server', '--noEmit'] },
  { id: 'typecheck:sdk-node', kind: 'step', cwd: SDK, cmd: [path.join(BIN, 'tsc'), '-p', 'tsconfig.json', '--noEmit'] },
  { id: 'lint', kind: 'step', cwd: ROOT, cmd: [path.join(BIN, 'eslint'), '.'] },
  { id: 'layers', kind: 'step', cwd: ROOT, cmd: ['npm', 'run', '--silent', 'check:layers'] },
  { id: 'typecheck:console', kind: 'step', cwd: CONSOLE, cmd: ['npm', 'run', '--silent', 'typecheck'] },
  // Also what console/e2e serves; it writes dist/.build-stamp, so the end-to-end setup does not build again.
  { id: 'build:console', kind: 'step', cwd: ROOT, cmd: ['npm', 'run', '--silent', 'build', '-w', '@gatrix/console'] },
];
const suites = [
  ...testFiles(path.join(SERVER, 'test')).map((f) => ({ id: `server/${f.replace(/\.test\.ts$/, '')}`, kind: 'tap', cwd: SERVER, cmd: nodeTest(`test/${f}`) })),
  ...testFiles(path.join(SERVER, 'test/unit')).map((f) => ({ id: `server/unit/${f.replace(/\.test\.ts$/, '')}`, kind: 'tap', cwd: SERVER, cmd: nodeTest(`test/unit/${f}`) })),
  ...testFiles(path.join(SDK, 'test')).map((f) => ({ id: `sdk-node/${f.replace(/\.test\.ts$/, '')}`, kind: 'tap', cwd: SDK, cmd: nodeTest(`test/${f}`) })),
  ...testFiles(path.join(CONSOLE, 'test')).map((f) => ({ id: `console/${f.replace(/\.test\.ts$/, '')}`, kind: 'tap', cwd: CONSOLE, cmd: nodeTest(`test/${f}`) })),
  { id: 'console/e2e', kind: 'playwright', cwd: ROOT, cmd: [path.join(BIN, 'playwright'), 'test', '-c', 'packages/console/playwright.config.ts'] },
  { id: 'sdk-python', kind: 'python', cwd: ROOT, cmd: ['python3', '-m', 'unittest', 'discover', '-v', '-s', 'packages/sdk-python/tests', '-t', 'packages/sdk-python'] },
];
const selected = (id) => filters.length === 0 || filters.some((f) => id.includes(f));
const runSteps = steps.filter((s) => selected(s.id));
const runSuites = suites.filter((s) => selected(s.id));
// The SDK's package and README tests use its build.
if (runSuites.some((s) => s.id.startsWith('sdk-node/'))) runSteps.push({ id: 'build:sdk-node', kind: 'step', cwd: ROOT, cmd: ['npm', 'run', '--silent', 'build', '-w', '@gatrix/nodejs-sdk'] });
if (runSteps.length + runSuites.length === 0) {
  console.error(`nothing matches ${filters.join(', ')}; suites: ${suites.map((s) => s.id).join(', ')}`);
  process.exit(1);
}

// ---- results directory: keeps the last run's durations to start the longest suites first --------------------
let lastDurations = {};
try {
  lastDurations = JSON.parse(readFileSync(path.join(RESULTS, 'durations.json'), 'utf8'));
} catch {
  // first run
}
rmSync(RESULTS, { recursive: true, force: true });
mkdirSync(RESULTS, { recursive: true });
const resultFile = (id, ext) => path.join(RESULTS, `${id.replace(/[/:]/g, '.')}.${ext}`);

// ---- environment -----------------------------------------------------------------------------------------------
const mask = (url) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:****@');
const redisUrl = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
function redisAnswers(url) {
  return new Promise((resolve) => {
    let u;
    try {
      u = new URL(url);
    } catch {
      resolve(false);
      return;
    }
    const socket = net.connect({ host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(5000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (b) => done(b[0] === 0x2b /* + */ || b[0] === 0x2d /* - (answers, e.g. NOAUTH) */));
  });
}
const redisUp = await redisAnswers(redisUrl);
const pgUrl = process.env.TEST_DATABASE_URL;
const started = Date.now();
console.log(
  `gatrix tests: ${runSteps.length} steps, ${runSuites.length} suites, concurrency ${concurrency}; results in test-results/\n` +
    `  PostgreSQL: ${pgUrl ? mask(pgUrl) : 'TEST_DATABASE_URL not set — [postgres] suites are skipped'}\n` +
    `  Redis:      ${redisUp ? `${mask(redisUrl)} answers` : `not reachable at ${mask(redisUrl)} — Redis suites are skipped (start redis-server or set TEST_REDIS_URL)`}`,
);

// ---- running one job -------------------------------------------------------------------------------------------
const children = new Set();
const killGroup = (child, signal) => {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
};
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const c of children) killGroup(c, 'SIGKILL');
    process.exit(130);
  });
}

/** Runs `job`, its output to a file (and the console with --verbose); resolves with exit code, output and whether it was killed. */
function execute(job, ext) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const out = createWriteStream(resultFile(job.id, ext));
    let text = '';
    let partial = '';
    const child = spawn(job.cmd[0], job.cmd.slice(1), {
      cwd: job.cwd,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a kill reaches the servers a suite started too
    });
    children.add(child);
    const onData = (b) => {
      const s = b.toString();
      text += s;
      out.write(s);
      if (verbose) {
        const lines = (partial + s).split('\n');
        partial = lines.pop();
        for (const l of lines) process.stdout.write(`[${job.id}] ${l}\n`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      killGroup(child, 'SIGTERM');
      setTimeout(() => killGroup(child, 'SIGKILL'), 5000).unref();
    }, suiteTimeoutMs);
    const finish = (code) => {
      clearTimeout(timer);
      children.delete(child);
      killGroup(child, 'SIGKILL'); // anything it left behind
      if (verbose && partial) process.stdout.write(`[${job.id}] ${partial}\n`);
      out.end();
      resolve({ code, text, killed, ms: Date.now() - t0 });
    };
    child.on('error', (err) => {
      text += `\n${err.message}\n`;
      out.write(`\n${err.message}\n`);
      finish(-1);
    });
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : -1)));
  });
}

/** Counts and failures from node:test's TAP output (nested tests are indented four spaces a level). */
function parseTap(text) {
  const r = { passed: 0, failed: 0, skipped: 0, failures: [], skips: [], trailer: {} };
  const names = [];
  let last;
  for (const line of text.split('\n')) {
    let m = /^(\s*)# Subtest: (.*)$/.exec(line);
    if (m) {
      names[m[1].length / 4] = unescape(m[2]);
      continue;
    }
    m = /^(\s*)(not ok|ok) \d+ - (.*?)(?: # (SKIP|TODO)\b ?(.*))?$/.exec(line);
    if (m) {
      const depth = m[1].length / 4;
      last = { path: [...names.slice(0, depth), unescape(m[3])], ok: m[2] === 'ok', directive: m[4], reason: m[5], suite: false, failureType: undefined, error: undefined };
      r.entries ??= [];
      r.entries.push(last);
      continue;
    }
    m = /^# (tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(line);
    if (m) {
      r.trailer[m[1]] = Number(m[2]);
      continue;
    }
    if (!last) continue;
    if (/^\s+type: 'suite'$/.test(line)) last.suite = true;
    else if ((m = /^\s+failureType: '(\w+)'$/.exec(line))) last.failureType = m[1];
    else if ((m = /^\s+error: (.*)$/.exec(line)) && last.error === undefined) last.error = m[1].replace(/^'(.*)'$/, '$1').replace(/''/g, "'");
    else if (last.error === '|-' && line.trim() !== '') last.error = line.trim(); // a multi-line error: its first line
  }
  for (const e of r.entries ?? []) {
    if (e.directive === 'SKIP') {
      r.skips.push(e.reason || 'skipped');
      if (e.suite) r.skipped++; // a skipped describe counts as one skipped test; node:test does not count it
    }
    if (!e.ok && e.failureType !== 'subtestsFailed') r.failures.push({ name: e.path.join(' › '), error: e.error });
  }
  if (r.trailer.pass !== undefined) {
    r.passed = r.trailer.pass;
    r.skipped += (r.trailer.skipped ?? 0) + (r.trailer.todo ?? 0);
    r.failed = (r.trailer.fail ?? 0) + (r.trailer.cancelled ?? 0);
  } else {
    // No trailer: the run was cut short; count what was reported.
    for (const e of r.entries ?? []) {
      if (e.suite) continue;
      if (e.directive) r.skipped++;
      else if (e.ok) r.passed++;
    }
    r.failed = r.failures.length;
  }
  return r;
}
function unescape(name) {
  return name.replace(/\\(.)/g, '$1');
}

/** Counts and failures from `python3 -m unittest -v`. */
function parseUnittest(text) {
  const r = { passed: 0, failed: 0, skipped: 0, failures: [], skips: [] };
  const ran = /^Ran (\d+) tests?/m.exec(text);
  const count = (k) => Number(new RegExp(`${k}=(\\d+)`).exec(/^(?:FAILED|OK)\b.*$/m.exec(text)?.[0] ?? '')?.[1] ?? 0);
  const failed = count('failures') + count('errors') + count('unexpected successes');
  r.skipped = count('skipped') + count('expected failures');
  r.failed = failed;
  r.passed = ran ? Number(ran[1]) - failed - r.skipped : 0;
  for (const m of text.matchAll(/^(FAIL|ERROR): (\S+) \(([^)]*)\)/gm)) r.failures.push({ name: `${m[3]} › ${m[2]}`, error: m[1] });
  for (const m of text.matchAll(/ \.\.\. skipped '(.*)'$/gm)) r.skips.push(m[1]);
  return r;
}

/** Counts and failures from Playwright's JSON report (packages/console/playwright.config.ts writes it). */
function parsePlaywright() {
  const r = { passed: 0, failed: 0, skipped: 0, failures: [], skips: [] };
  let report;
  try {
    report = JSON.parse(readFileSync(path.join(RESULTS, 'console/report.json'), 'utf8'));
  } catch {
    return r; // no report: the exit code tells
  }
  const { expected = 0, unexpected = 0, skipped = 0, flaky = 0 } = report.stats ?? {};
  Object.assign(r, { passed: expected + flaky, failed: unexpected, skipped });
  const walk = (suite, names) => {
    for (const child of suite.suites ?? []) walk(child, [...names, child.title]);
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        const name = [...names, spec.title].filter(Boolean).join(' › ');
        if (t.status === 'unexpected') {
          const error = t.results?.at(-1)?.error?.message ?? t.results?.at(-1)?.status;
          r.failures.push({ name, error: String(error ?? '').split('\n')[0] });
        } else if (t.status === 'skipped') {
          r.skips.push(t.annotations?.find((a) => a.type === 'skip')?.description || 'skipped');
        }
      }
    }
  };
  for (const suite of report.suites ?? []) walk(suite, [suite.title]);
  for (const e of report.errors ?? []) r.failures.push({ name: 'setup', error: String(e.message ?? '').split('\n')[0] });
  return r;
}

/**
 * Before console/e2e: Chromium must be there. When it is not and this is root with apt-get, it is installed;
 * otherwise the suite is skipped with the command to run. Logs the versions used. Returns why it is skipped, or undefined.
 */
function preparePlaywright() {
  if (!existsSync(CHROMIUM)) {
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    const aptGet = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
    if (root && aptGet && !process.env.CHROMIUM_PATH) {
      console.log(`  console/e2e: ${CHROMIUM} missing; installing chromium fonts-noto-cjk with apt-get …`);
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
      spawnSync('apt-get', ['install', '-y', '-qq', 'chromium', 'fonts-noto-cjk'], { stdio: 'ignore', env });
    }
    if (!existsSync(CHROMIUM)) return `console/e2e: no Chromium at ${CHROMIUM} — install it with: ${CHROMIUM_INSTALL}`;
  }
  const version = (cmd, argv) => {
    const v = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 30_000 });
    return (v.stdout || v.stderr || '').trim().split('\n')[0] || 'unknown';
  };
  console.log(`  console/e2e: Playwright ${version(path.join(BIN, 'playwright'), ['--version']).replace(/^Version /, '')}, ${version(CHROMIUM, ['--version'])} (${CHROMIUM})`);
  return undefined;
}

// ---- the run ---------------------------------------------------------------------------------------------------
const results = [];
const fmt = (ms) => (ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);
const pad = (s, n) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

async function runJob(job) {
  if (job.kind === 'playwright') {
    const why = preparePlaywright();
    if (why) {
      // Not a silent pass: counted as skipped and named in the summary with the command that fixes it.
      const result = { passed: 0, failed: 0, skipped: 1, failures: [], skips: [why], id: job.id, kind: job.kind, ms: 0, ok: true };
      results.push(result);
      console.log(` SKIP  ${pad(job.id, 36)} ${why}`);
      return result;
    }
  }
  const { code, text, killed, ms } = await execute(job, job.kind === 'tap' ? 'tap' : 'log');
  let r;
  if (job.kind === 'playwright') r = parsePlaywright();
  else if (job.kind === 'step') r = { passed: 0, failed: code === 0 ? 0 : 1, skipped: 0, failures: code === 0 ? [] : [{ name: job.id, error: lastLines(text) }], skips: [] };
  else r = job.kind === 'tap' ? parseTap(text) : parseUnittest(text);
  if (killed) r.failures.push({ name: `${job.id} › killed: still running after ${fmt(suiteTimeoutMs)}` });
  else if (code !== 0 && r.failures.length === 0) r.failures.push({ name: `${job.id} › exited with code ${code}`, error: lastLines(text) });
  if (killed || code !== 0) r.failed = Math.max(r.failed, 1);
  const result = { ...r, id: job.id, kind: job.kind, ms, ok: code === 0 && !killed && r.failed === 0 };
  results.push(result);
  const counts = job.kind === 'step' ? '' : `${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`;
  console.log(`${result.ok ? '  ok  ' : ' FAIL '} ${pad(job.id, 36)} ${pad(counts, 36)} ${fmt(ms)}${killed ? '  (killed: timed out)' : ''}`);
  return result;
}
function lastLines(text, n = 6) {
  return text.trim().split('\n').slice(-n).join('\n    ');
}

for (const step of runSteps) await runJob(step);

// Longest suites (by the last run) first, so the run does not end waiting for one long suite. Without a last run
// (a fresh clone, CI) the browser suite, by far the longest, starts first.
const expected = (job) => lastDurations[job.id] ?? (job.kind === 'playwright' ? 10 * 60_000 : 0);
const queue = [...runSuites].sort((a, b) => expected(b) - expected(a));
await Promise.all(
  Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await runJob(job);
  }),
);

// ---- summary ---------------------------------------------------------------------------------------------------
const tested = results.filter((r) => r.kind !== 'step');
const sum = (k) => tested.reduce((n, r) => n + r[k], 0);
const failedSteps = results.filter((r) => r.kind === 'step' && !r.ok);
const failedSuites = tested.filter((r) => !r.ok);
const failures = results.flatMap((r) => r.failures.map((f) => ({ ...f, name: f.name.startsWith(r.id) ? f.name : `${r.id} › ${f.name}` })));
const reasons = new Map();
for (const r of tested) for (const why of r.skips) reasons.set(why, (reasons.get(why) ?? 0) + 1);
const ok = failedSteps.length === 0 && failedSuites.length === 0;
const total = Date.now() - started;
const line =
  `${ok ? 'PASSED' : 'FAILED'}: ${tested.length} suites (${failedSuites.length} failed), ` +
  `${results.length - tested.length} steps (${failedSteps.length} failed); ` +
  `tests ${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped; ${fmt(total)}`;
const out = [''];
if (reasons.size > 0) {
  out.push('skipped:');
  for (const [why, n] of reasons) out.push(`  ${why} (${n}×)`);
}
if (failures.length > 0) {
  out.push('failed:');
  for (const f of failures) out.push(`  ${f.name}${f.error ? `\n    ${String(f.error).slice(0, 400)}` : ''}`);
  out.push('full output of each: test-results/<suite>.tap or .log');
}
out.push(line);
console.log(out.join('\n'));
writeFileSync(path.join(RESULTS, 'summary.txt'), `${out.join('\n').trim()}\n`);
writeFileSync(
  path.join(RESULTS, 'durations.json'),
  `${JSON.stringify({ ...lastDurations, ...Object.fromEntries(tested.map((r) => [r.id, r.ms])) }, null, 2)}\n`,
);
process.exit(ok ? 0 : 1);
