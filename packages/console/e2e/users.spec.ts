/** The users screens through the real console and server: create, edit with a diff, bulk by filter, CSV, password reset, roles, live list. */
import { readFileSync } from 'node:fs';
import type { APIRequestContext, Page } from '@playwright/test';
import { expect, expectAccessible, shot, signIn, test, USERS } from './fixtures.ts';

interface ApiUser {
  id: number;
  username: string;
  email: string;
  status: string;
  role: string;
}

const suffix = () => Math.random().toString(36).slice(2, 8);

/** An admin's bearer token for setting up and checking through the API. */
async function adminToken(request: APIRequestContext): Promise<string> {
  const r = await request.post('/api/v1/auth/login', { data: { username: USERS.admin.username, password: USERS.admin.password } });
  expect(r.ok(), await r.text()).toBe(true);
  return ((await r.json()) as { accessToken: string }).accessToken;
}

function api(request: APIRequestContext, token: string) {
  const headers = { authorization: `Bearer ${token}` };
  return {
    create: async (username: string, extra: Record<string, unknown> = {}): Promise<ApiUser> => {
      const r = await request.post('/api/v1/users', { headers, data: { username, email: `${username}@e2e.test`, role: 'player', ...extra } });
      expect(r.status(), await r.text()).toBe(201);
      return (await r.json()) as ApiUser;
    },
    get: async (id: number): Promise<ApiUser> => (await (await request.get(`/api/v1/users/${id}`, { headers })).json()) as ApiUser,
    patch: async (id: number, data: Record<string, unknown>) => expect((await request.patch(`/api/v1/users/${id}`, { headers, data })).ok()).toBe(true),
    remove: async (id: number) => expect((await request.delete(`/api/v1/users/${id}`, { headers })).status()).toBe(204),
    list: async (qs: string) => (await (await request.get(`/api/v1/users?${qs}`, { headers })).json()) as { data: ApiUser[]; pagination: { total: number } },
  };
}

const row = (page: Page, text: string) => page.getByRole('row').filter({ hasText: text });

test('admin creates a user (appearing live in a second browser), edits it through a diff, and meets a concurrent edit', async ({ page, secondPage, request }) => {
  const s = suffix();
  const name = `live${s}`;
  const a = api(request, await adminToken(request));

  // Context B watches the filtered list; context A creates the user.
  await secondPage.goto('/login');
  await signIn(secondPage, 'operator');
  await secondPage.goto(`/users?q=${name}`);
  await expect(secondPage.getByText('No user matches these filters')).toBeVisible();

  await page.goto('/login');
  await signIn(page, 'admin');
  await page.goto('/users');
  await page.getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Username').fill('x');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expect(dialog.getByText('3 to 64 characters')).toBeVisible();
  await dialog.getByLabel('Username').fill(name);
  await dialog.getByLabel('Email').fill(`${name}@e2e.test`);
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expect(dialog).toBeHidden();

  await expect(row(secondPage, name)).toBeVisible();
  await expect(row(secondPage, name)).toContainText('Player');

  // The list: search in the URL, reload keeps it.
  await page.getByRole('textbox', { name: 'Search' }).fill(name);
  await expect(page).toHaveURL(new RegExp(`q=${name}`));
  await page.reload();
  await expect(row(page, name)).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Search' })).toHaveValue(name);

  // Detail: change email and role, see old → new, save.
  await row(page, name).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
  const email = page.getByRole('textbox', { name: 'Email' });
  await email.fill(`${name}.new@e2e.test`);
  await page.getByRole('combobox', { name: 'Role' }).click();
  await page.getByRole('option', { name: 'Viewer' }).click();
  await page.getByRole('button', { name: 'Review changes' }).click();
  const diff = page.getByTestId('diff');
  await expect(diff.getByRole('row')).toHaveCount(3);
  await expect(diff.getByRole('row', { name: /Email/ })).toContainText(`${name}@e2e.test`);
  await expect(diff.getByRole('row', { name: /Email/ })).toContainText(`${name}.new@e2e.test`);
  await expect(diff.getByRole('row', { name: /Role/ })).toContainText('Player');
  await expect(diff.getByRole('row', { name: /Role/ })).toContainText('Viewer');
  await shot(page, 'user-diff');
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Profile saved')).toBeVisible();
  const id = Number(/\/users\/(\d+)/.exec(page.url())![1]);
  expect(await a.get(id)).toMatchObject({ email: `${name}.new@e2e.test`, role: 'viewer' });

  // Another admin changes it meanwhile: saving is refused with a clear message, the typed edit stays.
  await page.getByRole('textbox', { name: 'Display name' }).fill('Mine');
  await a.patch(id, { displayName: 'Theirs' });
  await page.getByRole('button', { name: 'Review changes' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('conflict')).toContainText('Someone else changed this user');
  expect((await a.get(id)) as unknown).toMatchObject({ displayName: 'Theirs' });
  await expect(page.getByRole('textbox', { name: 'Display name' })).toHaveValue('Mine');

  await shot(page, 'user-detail');
  await expectAccessible(page);
});

test('bulk: suspend all matching a filter, per-user results with the failed ones, CSV export of the filter', async ({ page, request }) => {
  const s = suffix();
  const prefix = `bulk${s}`;
  const a = api(request, await adminToken(request));
  const users = [];
  for (let i = 0; i < 3; i++) users.push(await a.create(`${prefix}${i}`));

  await page.goto('/login');
  await signIn(page, 'admin');
  // Two rows per page, three matching: "select all matching" reaches beyond the page.
  await page.goto(`/users?q=${prefix}&limit=2&sort=username`);
  await expect(page.getByRole('row')).toHaveCount(3);
  await expect(page.getByTestId('page-of')).toHaveText('Page 1 of 2');
  await shot(page, 'users-list');
  await expectAccessible(page);
  await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
  await page.getByRole('button', { name: 'Select all 3 matching' }).click();
  await expect(page.getByTestId('selection-count')).toHaveText('All 3 matching selected');
  await page.getByRole('button', { name: 'Suspend' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Suspend' }).click();
  await expect(dialog.getByText('A reason is required')).toBeVisible();
  await dialog.getByLabel('Reason').fill('Spam wave e2e');
  await dialog.getByRole('button', { name: 'Suspend' }).click();
  await expect(page.getByTestId('bulk-result')).toContainText('3 of 3 succeeded, 0 failed.');
  const after = await a.list(`q=${prefix}&status=suspended`);
  expect(after.pagination.total).toBe(3);

  // Keyset paging: Next goes to the second page, the cursor is in the URL; Back returns.
  await page.getByRole('button', { name: 'Next page' }).click();
  await expect(page).toHaveURL(/cursor=/);
  await expect(row(page, `${prefix}2`)).toBeVisible();
  await page.goBack();
  await expect(row(page, `${prefix}0`)).toBeVisible();

  // By ids: one of the selected users is deleted meanwhile, and is reported as failed.
  await page.goto(`/users?q=${prefix}&sort=username`);
  await row(page, `${prefix}0`).getByRole('checkbox').check();
  await row(page, `${prefix}1`).getByRole('checkbox').check();
  await a.remove(users[1].id);
  await page.getByRole('button', { name: 'Activate' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Activate' }).click();
  const result = page.getByTestId('bulk-result');
  await expect(result).toContainText('1 of 2 succeeded, 1 failed.');
  await expect(result.getByRole('row', { name: new RegExp(String(users[1].id)) })).toContainText('The user no longer exists.');
  await shot(page, 'users-bulk-result');

  // CSV export of the current filter (a created-day range included): exactly the users the list shows.
  const today = new Date().toISOString().slice(0, 10);
  await page.goto(`/users?q=${prefix}&status=suspended&createdFrom=2000-01-01&createdTo=2000-01-02`);
  await expect(page.getByText('No user matches these filters')).toBeVisible();
  await page.goto(`/users?q=${prefix}&status=suspended&createdFrom=${today}&createdTo=${today}`);
  await expect(page.getByRole('row')).toHaveCount(2);
  await expect(page.getByLabel('Created', { exact: true })).toHaveText(`${today} – ${today}`);
  await expectAccessible(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const lines = readFileSync((await download.path())!, 'utf8').trim().split(/\r\n/);
  expect(lines[0]).toMatch(/^id,username,email,/);
  expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual([`${prefix}2`]);
  expect(lines[1]).toContain('Spam wave e2e');
});

test('reset password shows the one-time password once; a viewer sees everything read-only with the reason', async ({ page, secondPage, request }) => {
  const a = api(request, await adminToken(request));
  const u = await a.create(`pw${suffix()}`, { role: 'operator' });

  await page.goto('/login');
  await signIn(page, 'admin');
  await page.goto(`/users/${u.id}?tab=security`);
  await page.getByRole('button', { name: 'Reset password' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Reset password' }).click();
  const pw = page.getByTestId('one-time-password');
  await expect(pw).toHaveText(/^\S{24}$/);
  const password = (await pw.textContent())!;
  await expect(page.getByText('This password is shown only once')).toBeVisible();
  await shot(page, 'user-one-time-password');
  const login = await request.post('/api/v1/auth/login', { data: { username: u.username, password } });
  expect(login.status()).toBe(200);
  await page.getByRole('button', { name: 'I have copied it' }).click();
  await expect(page.getByTestId('one-time-password')).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('button', { name: 'Reset password' })).toBeVisible();
  await expect(page.getByText(password)).toHaveCount(0);

  // Viewer: the same pages, read-only.
  await secondPage.goto('/login');
  await signIn(secondPage, 'viewer');
  await secondPage.goto('/users');
  const create = secondPage.getByRole('button', { name: 'New user' });
  await expect(create).toBeDisabled();
  await create.locator('xpath=..').hover();
  await expect(secondPage.getByRole('tooltip')).toHaveText('You do not have the users.write permission.');
  await secondPage.goto(`/users/${u.id}`);
  await expect(secondPage.getByRole('button', { name: 'Delete user' })).toBeDisabled();
  await expect(secondPage.getByRole('button', { name: 'Review changes' })).toBeDisabled();
  await expect(secondPage.getByRole('textbox', { name: 'Email' })).toHaveAttribute('readonly', '');
  await secondPage.getByRole('tab', { name: 'Security' }).click();
  await expect(secondPage).toHaveURL(/tab=security/);
  await expect(secondPage.getByRole('button', { name: 'Reset password' })).toBeDisabled();
  await secondPage.getByRole('tab', { name: 'Audit trail' }).click();
  await expect(secondPage.getByTestId('audit-trail')).toContainText('user.password_reset');
  await expectAccessible(secondPage);
});

test.describe(() => {
  test.use({ lang: 'ko', theme: 'dark' });
  test('Korean, dark: list and detail', async ({ page, request }) => {
    const a = api(request, await adminToken(request));
    const s = suffix();
    const u = await a.create(`ko${s}`, { displayName: '김민수' });
    await a.create(`ko${s}b`, { role: 'viewer' });
    await page.goto('/login');
    await signIn(page, 'admin');
    await page.goto('/users');
    await expect(page.getByRole('heading', { name: '사용자' })).toBeVisible();
    await expect(page.getByRole('row').nth(1)).toBeVisible();
    await shot(page, 'users-list');
    await expectAccessible(page);
    await page.goto(`/users/${u.id}`);
    await expect(page.getByRole('tab', { name: '프로필' })).toBeVisible();
    await expect(page.getByRole('textbox', { name: '표시 이름' })).toHaveValue('김민수');
    await shot(page, 'user-detail');
    await expectAccessible(page);
  });
});
