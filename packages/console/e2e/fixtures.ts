/**
 * What every console spec uses: `test` (with the server's baseURL, a language and a theme per test), `signIn`
 * through the real login page, `expectAccessible` (axe-core: no serious or critical violation), `shot` (a named
 * screenshot under test-results/console/screens/<lang>-<theme>/), and `secondPage`, a second browser context
 * (another operator, another tab's session) on the same server.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';
import { BASE_URL_ENV, USERS, type Role } from './users.ts';

export { expect, USERS, type Role };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SCREENS_DIR = path.join(ROOT, 'test-results/console/screens');

export type Lang = 'en' | 'ko';
export type Theme = 'light' | 'dark';

interface Options {
  lang: Lang;
  theme: Theme;
}

interface Fixtures {
  /** A second, independent browser context (own cookies and storage) on the same server, with the same language and theme. */
  secondPage: Page;
}

/** The language and theme each page was opened with, for `shot`. */
const pagePreferences = new WeakMap<Page, Options>();

/** The console remembers language and theme in localStorage; a test sets them before the first page loads. */
async function preferences(page: Page, lang: Lang, theme: Theme): Promise<void> {
  pagePreferences.set(page, { lang, theme });
  await page.addInitScript(
    ([l, t]) => {
      if (!localStorage.getItem('gatrix.language')) localStorage.setItem('gatrix.language', l);
      if (!localStorage.getItem('gatrix.colorScheme')) localStorage.setItem('gatrix.colorScheme', t);
    },
    [lang, theme] as const,
  );
}

export const test = base.extend<Options & Fixtures>({
  lang: ['en', { option: true }],
  theme: ['light', { option: true }],
  // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures a fixture uses from this pattern
  baseURL: async ({}, use) => {
    const url = process.env[BASE_URL_ENV];
    if (!url) throw new Error(`${BASE_URL_ENV} is not set: run through playwright.config.ts (its global setup starts the server)`);
    await use(url);
  },
  page: async ({ page, lang, theme }, use) => {
    await preferences(page, lang, theme);
    await use(page);
  },
  secondPage: async ({ browser, baseURL, lang, theme }, use) => {
    const context = await browser.newContext({ baseURL, locale: 'en-US', timezoneId: 'UTC' });
    const page = await context.newPage();
    await preferences(page, lang, theme);
    await use(page);
    await context.close();
  },
});

/**
 * Signs in through the login page as the user of `role` (see users.ts). Resolves once the console has left the
 * login page; a player, whom the console refuses, stays on it (pass `{ refused: true }` to wait for that instead).
 */
export async function signIn(page: Page, role: Role, opts: { refused?: boolean } = {}): Promise<void> {
  const user = USERS[role];
  if (!/\/login/.test(page.url())) await page.goto('/login');
  await page.locator('input[name=username]').fill(user.username);
  await page.locator('input[name=password]').fill(user.password);
  await page.locator('input[name=password]').press('Enter');
  if (opts.refused) {
    await expect(page.getByRole('alert')).toBeVisible();
    return;
  }
  await expect(page).not.toHaveURL(/\/login/);
}

/**
 * Fails on any serious or critical axe-core violation of the page as it is now (WCAG 2 A and AA rules); with
 * `within` (a CSS selector), of that part only, e.g. an open dialog, whose overlay dims the page behind it.
 */
export async function expectAccessible(page: Page, within?: string): Promise<void> {
  const axe = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  const result = await (within ? axe.include(within) : axe).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}× e.g. ${v.nodes[0]?.target.join(' ')}: ${v.nodes[0]?.html.slice(0, 160)})`);
  expect(bad, 'serious or critical accessibility violations').toEqual([]);
}

/** A full-page screenshot at test-results/console/screens/<lang>-<theme>/<name>.png; returns its path. */
export async function shot(page: Page, name: string): Promise<string> {
  const { lang, theme } = pagePreferences.get(page) ?? { lang: 'en', theme: 'light' };
  const dir = path.join(SCREENS_DIR, `${lang}-${theme}`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

/** An access token of the user of `role`, for changes made through the API (`Authorization: Bearer …`). */
export async function apiToken(request: APIRequestContext, role: Role): Promise<string> {
  const user = USERS[role];
  const r = await request.post('/api/v1/auth/login', { data: { username: user.username, password: user.password } });
  expect(r.status(), await r.text()).toBe(200);
  return ((await r.json()) as { accessToken: string }).accessToken;
}

/**
 * Sets a Mantine DateTimePicker (labelled `label`, with seconds) to `when` in the page's time zone (UTC in these
 * tests): opens it, picks the day, types hours, minutes and seconds, and confirms with the button labelled `submit`.
 */
export async function pickDateTime(page: Page, label: string, when: Date, labels = { hours: 'Hours', minutes: 'Minutes', seconds: 'Seconds', submit: 'Set this time' }): Promise<void> {
  await page.getByRole('button', { name: label, exact: true }).click();
  const day = `${when.getUTCDate()} ${when.toLocaleString('en-US', { month: 'long', timeZone: 'UTC' })} ${when.getUTCFullYear()}`;
  const dropdown = page.locator('.mantine-Popover-dropdown').filter({ has: page.getByLabel(labels.hours) });
  await dropdown.getByRole('button', { name: day, exact: true }).first().click();
  const pad = (n: number) => String(n).padStart(2, '0');
  await dropdown.getByLabel(labels.hours).fill(pad(when.getUTCHours()));
  await dropdown.getByLabel(labels.minutes).fill(pad(when.getUTCMinutes()));
  await dropdown.getByLabel(labels.seconds).fill(pad(when.getUTCSeconds()));
  await dropdown.getByRole('button', { name: labels.submit }).click();
  await expect(dropdown).toBeHidden();
}
