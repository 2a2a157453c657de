/** The console as the server serves it, and the sign-in path every other spec builds on. */
import { expect, expectAccessible, shot, signIn, test } from './fixtures.ts';

test('/ serves the console page with its Content-Security-Policy, and hashed assets are immutable', async ({ request }) => {
  const page = await request.get('/', { headers: { accept: 'text/html' } });
  expect(page.status()).toBe(200);
  expect(page.headers()['content-type']).toMatch(/^text\/html/);
  expect(page.headers()['cache-control']).toBe('no-cache');
  const csp = page.headers()['content-security-policy'];
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  const html = await page.text();
  const asset = /\/assets\/[^"']+\.js/.exec(html)?.[0];
  expect(asset, 'the page loads a hashed script').toBeTruthy();
  const js = await request.get(asset!, { headers: { 'accept-encoding': 'br, gzip' } });
  expect(js.status()).toBe(200);
  expect(js.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  expect(js.headers()['content-encoding']).toBe('br');
  // A console URL reloads to the page; an unknown API path stays a problem+json 404.
  expect((await request.get('/users?status=active', { headers: { accept: 'text/html' } })).status()).toBe(200);
  const api = await request.get('/api/v1/nope', { headers: { accept: 'text/html' } });
  expect(api.status()).toBe(404);
  expect(api.headers()['content-type']).toMatch(/application\/problem\+json/);
});

test('an admin signs in through the login page and lands on the dashboard', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
  await expect(page.locator('input[name=username]')).toBeVisible();
  await shot(page, 'login');
  await expectAccessible(page);
  await signIn(page, 'admin');
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await expect(page.getByRole('navigation').first()).toBeVisible();
  await shot(page, 'dashboard');
  await expectAccessible(page);
  // A reload keeps the session (the refresh cookie), and no CSP violation or script error happened.
  await page.reload();
  await expect(page).toHaveURL((url) => url.pathname === '/');
  expect(errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
});

test('a player is refused with a message and stays on the login page', async ({ page }) => {
  await page.goto('/login');
  await signIn(page, 'player', { refused: true });
  await expect(page.getByRole('alert')).toContainText('Players cannot sign in to the console');
  await expect(page).toHaveURL(/\/login/);
  await shot(page, 'login-player-refused');
});

test('a second browser context has its own session', async ({ page, secondPage }) => {
  await page.goto('/login');
  await signIn(page, 'operator');
  await secondPage.goto('/');
  await expect(secondPage).toHaveURL(/\/login/);
});
