/**
 * Benchmark: the operator console's users list on 100,000 users, in a real Chromium against the real server,
 * each figure next to the bare API call it waits on.
 *
 *   node --import tsx bench/console-users.ts        (or: npm run bench:console-users)
 *
 * 1. Seeds BENCH_USERS (100,000) varied users into a fresh SQLite file (bench/seed-users.ts), builds the console
 *    when stale, starts the real server on it.
 * 2. First screen after sign-in: a fresh browser context opens /users, is sent to the sign-in page, signs in;
 *    measured from pressing Enter to the first row of /users drawn. Baseline: POST /auth/login + GET /users from Node.
 * 3. Filter typed → rows drawn, over BENCH_QUERIES (50) prefixes (names, adjectives, email starts, ids) and
 *    role/status/sort combinations: the combination is opened first (not measured), then the prefix is typed into
 *    the search box; measured from typing to the rows of the answer drawn (or the empty state). This includes
 *    the search box's 300 ms debounce, so it is also reported from the request leaving the browser.
 * 4. Deep page → rows drawn: at cursors 10,000 to 90,000 rows deep, "Next page" clicked → the next page drawn.
 *
 * Baselines: `fetch` from Node of the very same API call (same query, same token), measured after the server's
 * 2 s list cache has expired, so neither side is answered from it. Ratio = console / API (p50).
 *
 * Environment: BENCH_USERS (100000), BENCH_QUERIES (50), BENCH_DEEP (9 deep pages), BENCH_LOGINS (5),
 * CHROMIUM_PATH (/usr/lib/chromium/chromium).
 */
import { availableParallelism, cpus } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
// @ts-expect-error -- a plain JavaScript module without types (the e2e global setup uses it too)
import { ensureConsoleBuilt } from '../scripts/console-build.mjs';
import { BENCH_ADMIN, type Bench, envInt, fmt, runBenchmark, sleep, startGatrix } from './lib.ts';
import { seedUsers } from './seed-users.ts';

const USERS = envInt('BENCH_USERS', 100_000, 1000);
const QUERIES = envInt('BENCH_QUERIES', 50, 5);
const DEEP = envInt('BENCH_DEEP', 9, 1);
const LOGINS = envInt('BENCH_LOGINS', 5, 1);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';
/** The server caches list answers for up to 2 s (docs/users.md); baselines wait this long to miss it. */
const CACHE_MS = 2_100;
const LIMIT = 50;

interface Page50 {
  data: { id: number; username: string }[];
  nextCursor: string | null;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};

/** ~50 searches an operator would type, over every filter the screen has. */
function scenarios(n: number): { q: string; role?: string; status?: string; sort?: string }[] {
  const prefixes = ['kim', 'ada', 'swift', 'neon', 'park', 'minji', 'ho', 'lucky', 'sofia', 'iron', 'tanaka', 'gr', 'wild', 'elena', 'shadow', 'jae', 'v', 'oscar', 'frost', 'ma', 'rogue', 'noah', 'crimson', 'lee', 'yuki'];
  const roles = [undefined, 'player', undefined, 'viewer', 'operator'];
  const statuses = [undefined, undefined, 'active', 'suspended', 'pending'];
  const sorts = [undefined, '-createdAt', 'username', '-lastLoginAt', '-id'];
  const out = [];
  for (let i = 0; i < n; i++) {
    // Every fifth search is an id; the others a name or email prefix.
    const q = i % 5 === 4 ? String(1 + ((i * 7919) % USERS)) : prefixes[i % prefixes.length];
    out.push({ q, role: roles[i % roles.length], status: statuses[(i >> 1) % statuses.length], sort: sorts[(i >> 2) % sorts.length] });
  }
  return out;
}

const qs = (p: Record<string, string | number | undefined>) =>
  new URLSearchParams(Object.entries(p).filter(([, v]) => v !== undefined) as [string, string][]).toString();

/**
 * Waits until the table shows `answer` (a row with its first user's name) or, for an empty answer, the empty state;
 * checked in the page on every animation frame, so the figure is when it was drawn, not when a poll noticed.
 */
async function drawn(page: Page, answer: Page50): Promise<void> {
  await page.waitForFunction(
    (name) =>
      name === null
        ? /No user matches|No users yet/.test(document.body.innerText)
        : [...document.querySelectorAll('tbody tr')].some((tr) => tr.textContent?.includes(name)),
    answer.data[0]?.username ?? null,
    { polling: 'raf', timeout: 30_000 },
  );
}

async function signIn(page: Page): Promise<void> {
  await page.locator('input[name=username]').fill(BENCH_ADMIN.username);
  await page.locator('input[name=password]').fill(BENCH_ADMIN.password);
  await page.locator('input[name=password]').press('Enter');
}

function row(name: string, con: number[], api: number[]): string {
  const c50 = quantile(con, 0.5);
  const a50 = quantile(api, 0.5);
  return `  ${name.padEnd(34)} ${fmt(c50).padStart(7)} ${fmt(quantile(con, 0.95)).padStart(7)}   ${fmt(a50, 1).padStart(7)} ${fmt(quantile(api, 0.95), 1).padStart(7)}   ${fmt(c50 / a50, 1).padStart(6)}×`;
}

async function main(bench: Bench): Promise<number> {
  process.stdout.write(
    `console-users: the users screen on ${fmt(USERS)} users, Chromium (${CHROMIUM}) against the real server\n` +
      `  ${availableParallelism()} CPU(s) (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, SQLite; the browser, this process and the server share the CPUs\n`,
  );
  if (!(ensureConsoleBuilt as (log?: (line: string) => void) => boolean)((l) => process.stdout.write(`  ${l}\n`))) throw new Error('the console build failed');
  const stats = await seedUsers(path.join(bench.tempDir, 'gatrix.db'), USERS);
  process.stdout.write(`  seeded ${fmt(stats.total)} users in ${fmt(stats.ms / 1000, 1)} s\n`);
  const { child, base } = await startGatrix('gatrix', bench.tempDir);
  bench.children.push(child);

  const login = async () => {
    const r = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: BENCH_ADMIN.username, password: BENCH_ADMIN.password }) });
    if (r.status !== 200) throw new Error(`login: ${r.status} ${await r.text()}`);
    return ((await r.json()) as { accessToken: string }).accessToken;
  };
  const token = await login();
  const list = async (query: string): Promise<{ ms: number; body: Page50 }> => {
    const t0 = performance.now();
    const r = await fetch(`${base}/api/v1/users?${query}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await r.json()) as Page50;
    const ms = performance.now() - t0;
    if (r.status !== 200) throw new Error(`GET /users?${query}: ${r.status} ${JSON.stringify(body)}`);
    return { ms, body };
  };

  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  bench.atExit(() => browser.close());
  const newPage = async () => (await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 }, locale: 'en-US', timezoneId: 'UTC' })).newPage();

  // --- First screen after sign-in
  const firstCon: number[] = [];
  const firstApi: number[] = [];
  const firstAnswer = (await list(qs({ limit: LIMIT }))).body;
  for (let i = 0; i < LOGINS; i++) {
    const page = await newPage();
    await page.goto('/users');
    await page.locator('input[name=username]').waitFor();
    const t0 = performance.now();
    await signIn(page);
    await drawn(page, firstAnswer);
    firstCon.push(performance.now() - t0);
    await page.context().close();
  }
  await sleep(CACHE_MS);
  for (let i = 0; i < LOGINS; i++) {
    const t0 = performance.now();
    await login();
    await list(qs({ limit: LIMIT }));
    firstApi.push(performance.now() - t0);
    await sleep(CACHE_MS);
  }

  // --- Filter typed → rows drawn
  const page = await newPage();
  await page.goto('/users');
  await signIn(page);
  await drawn(page, firstAnswer);
  const typed: number[] = [];
  const fromRequest: number[] = [];
  const queries = scenarios(QUERIES);
  const apiQueries: string[] = [];
  for (const s of queries) {
    await page.goto(`/users?${qs({ role: s.role, status: s.status, sort: s.sort })}`);
    await page.getByRole('row').nth(1).or(page.getByText(/No user matches/)).first().waitFor({ timeout: 30_000 });
    const apiQuery = qs({ limit: LIMIT, role: s.role, status: s.status, q: s.q, sort: s.sort });
    apiQueries.push(apiQuery);
    const answer = page.waitForResponse((r) => r.url().includes('/api/v1/users?') && new URL(r.url()).searchParams.get('q') === s.q, { timeout: 30_000 });
    let sent = 0;
    const onRequest = (r: { url: () => string }) => {
      if (r.url().includes('/api/v1/users?') && new URL(r.url()).searchParams.get('q') === s.q) sent = performance.now();
    };
    page.on('request', onRequest);
    const t0 = performance.now();
    await page.getByRole('textbox', { name: 'Search' }).fill(s.q);
    const body = (await (await answer).json()) as Page50;
    await drawn(page, body);
    const t1 = performance.now();
    page.off('request', onRequest);
    typed.push(t1 - t0);
    fromRequest.push(t1 - sent);
  }
  await sleep(CACHE_MS);
  const typedApi: number[] = [];
  for (const q of apiQueries) typedApi.push((await list(q)).ms);

  // --- Deep pages: cursors 10,000 … rows deep (walked from Node, 100 at a time), then "Next page" in the console
  const deepAt = Array.from({ length: DEEP }, (_, i) => Math.min(USERS - 2 * LIMIT, Math.round(((i + 1) * USERS) / (DEEP + 1) / 100) * 100));
  const cursors = new Map<number, string>();
  let cursor: string | undefined;
  for (let seen = 0; seen < deepAt[deepAt.length - 1]; ) {
    const { body } = await list(qs({ limit: 100, cursor }));
    seen += body.data.length;
    cursor = body.nextCursor ?? undefined;
    if (deepAt.includes(seen) && cursor) cursors.set(seen, cursor);
    if (!cursor) break;
  }
  const deepCon: number[] = [];
  const deepFromRequest: number[] = [];
  const next: string[] = [];
  for (const [at, c] of cursors) {
    await page.goto(`/users?${qs({ cursor: c, page: at / LIMIT + 1 })}`);
    await page.getByRole('row').nth(1).waitFor({ timeout: 30_000 });
    const answer = page.waitForResponse((r) => r.url().includes('/api/v1/users?') && new URL(r.url()).searchParams.get('cursor') !== c && new URL(r.url()).searchParams.has('cursor'), { timeout: 30_000 });
    let sent = 0;
    const onRequest = (r: { url: () => string }) => {
      if (r.url().includes('/api/v1/users?') && r.url().includes('cursor=') && !r.url().includes(encodeURIComponent(c))) sent = performance.now();
    };
    page.on('request', onRequest);
    const t0 = performance.now();
    await page.getByRole('button', { name: 'Next page' }).click();
    const response = await answer;
    const body = (await response.json()) as Page50;
    await drawn(page, body);
    const t1 = performance.now();
    page.off('request', onRequest);
    deepCon.push(t1 - t0);
    deepFromRequest.push(t1 - sent);
    next.push(new URL(response.url()).searchParams.get('cursor')!);
  }
  await sleep(CACHE_MS);
  const deepApi: number[] = [];
  for (const c of next) deepApi.push((await list(qs({ limit: LIMIT, cursor: c }))).ms);

  process.stdout.write(
    `\n  ${''.padEnd(34)} ${'console (ms)'.padStart(15)}   ${'bare API (ms)'.padStart(15)}   ratio\n` +
      `  ${''.padEnd(34)} ${'p50'.padStart(7)} ${'p95'.padStart(7)}   ${'p50'.padStart(7)} ${'p95'.padStart(7)}   (p50)\n` +
      `${row(`sign-in → first rows (${LOGINS}×)`, firstCon, firstApi)}\n` +
      `${row(`filter typed → rows (${typed.length}×)`, typed, typedApi)}\n` +
      `${row('  of which request → rows', fromRequest, typedApi)}\n` +
      `${row(`deep page → rows (${deepCon.length}×, ${fmt(deepAt[0])}–${fmt(deepAt[deepAt.length - 1])} deep)`, deepCon, deepApi)}\n` +
      `${row('  of which request → rows', deepFromRequest, deepApi)}\n` +
      `\n  "filter typed" includes the search box's 300 ms debounce; the sign-in baseline is POST /auth/login + GET /users.\n`,
  );
  return 0;
}

runBenchmark('console-users', main);
