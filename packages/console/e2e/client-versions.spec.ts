/** /client-versions through the real UI: create, copy, bulk status change, the preview compared with the client API; viewer. */
import type { APIRequestContext, Page } from '@playwright/test';
import { expect, expectAccessible, shot, signIn, test, USERS } from './fixtures.ts';

async function adminToken(request: APIRequestContext): Promise<string> {
  const r = await request.post('/api/v1/auth/login', { data: { username: USERS.admin.username, password: USERS.admin.password } });
  expect(r.status()).toBe(200);
  return ((await r.json()) as { accessToken: string }).accessToken;
}

async function choose(page: Page, label: string, option: string) {
  await page.getByRole('combobox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

test('an admin creates a version, copies it, changes both statuses at once and previews the exact client answer', async ({ page, request }) => {
  const channel = `e2e${Math.random().toString(36).slice(2, 8)}`;
  const token = await adminToken(request);
  const key = await request.post('/api/v1/api-keys', { headers: { authorization: `Bearer ${token}` }, data: { name: `client ${channel}`, type: 'client' } });
  expect(key.status()).toBe(201);
  const clientKey = ((await key.json()) as { key: string }).key;

  await signIn(page, 'admin');
  await page.goto('/client-versions');
  await page.getByRole('button', { name: 'Add version' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Channel', exact: true }).fill(channel);
  await dialog.getByRole('textbox', { name: 'Sub-channel', exact: true }).fill('pc');
  await dialog.getByRole('textbox', { name: 'Version', exact: true }).fill('1.0.x');
  await dialog.getByRole('textbox', { name: 'Game server address', exact: true }).fill('game.example.com:7777');
  await dialog.getByRole('textbox', { name: 'Patch address', exact: true }).fill('https://patch.example.com/1.0.0/');
  await dialog.getByRole('textbox', { name: 'Minimum patch version', exact: true }).fill('1.0.0.5');
  await dialog.getByRole('textbox', { name: 'Maintenance message', exact: true }).fill('Back soon');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog.getByText('A dotted version such as 1.2.3')).toBeVisible();
  await dialog.getByRole('textbox', { name: 'Version', exact: true }).fill('1.0.0');
  await choose(page, 'Status', 'Online');
  await shot(page, 'client-versions-form');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toHaveCount(0);

  // The grid: the channel's row, the pc column, the version with its status.
  const cell = page.locator(`[data-cell="${channel}/pc"]`);
  await expect(cell).toContainText('1.0.0');
  await expect(cell).toContainText('Online');
  await expectAccessible(page);
  await shot(page, 'client-versions-grid');

  // The list, filtered through the URL; copy is a create prefilled from the row.
  await page.locator('label').filter({ hasText: /^List$/ }).click();
  await expect(page).toHaveURL(/view=list/);
  await page.goto(`/client-versions?view=list&channel=${channel}`);
  await page.getByRole('button', { name: `Copy ${channel}/pc 1.0.0` }).click();
  await expect(dialog.getByRole('textbox', { name: 'Channel', exact: true })).toHaveValue(channel);
  await expect(dialog.getByRole('textbox', { name: 'Minimum patch version', exact: true })).toHaveValue('1.0.0.5');
  await expect(dialog.getByRole('textbox', { name: 'Version', exact: true })).toHaveValue('');
  await dialog.getByRole('textbox', { name: 'Version', exact: true }).fill('1.0.1');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('row').filter({ hasText: '1.0.1' })).toBeVisible();

  // Bulk: both to Maintenance, with a result per version.
  await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
  await choose(page, 'New status', 'Maintenance');
  await page.getByRole('button', { name: 'Change status' }).click();
  const results = page.getByTestId('bulk-results');
  await expect(results.getByText('Changed')).toHaveCount(2);
  await expect(page.getByText('2 changed, 0 failed.')).toBeVisible();
  await shot(page, 'client-versions-bulk');
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).last().click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByRole('row').filter({ hasText: 'Maintenance' })).toHaveCount(2);
  await expectAccessible(page);
  await shot(page, 'client-versions-list');

  // Back online, then preview 1.0.1 with an old patch in Korean: the same JSON the client route answers.
  const id = (await (await request.get(`/api/v1/client-versions?channel=${channel}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { data: { id: number; version: string }[] };
  const v101 = id.data.find((v) => v.version === '1.0.1')!;
  expect((await request.patch(`/api/v1/client-versions/${v101.id}`, { headers: { authorization: `Bearer ${token}` }, data: { status: 'ONLINE' } })).status()).toBe(200);
  await page.getByRole('button', { name: `Preview ${channel}/pc 1.0.1` }).click();
  await expect(page).toHaveURL(new RegExp(`view=preview.*pvChannel=${channel}`));
  await page.getByLabel('Patch version').fill('1.0.0.1');
  await page.getByLabel('Client language').fill('ko');
  await page.getByRole('button', { name: 'Show the answer' }).click();
  await expect(page.getByTestId('preview-status')).toHaveText('Forced update');
  const shown = JSON.parse((await page.getByTestId('preview-json').textContent())!) as unknown;
  const direct = await request.get(`/api/v1/client/client-version?channel=${channel}&subChannel=pc&version=1.0.1&patchVersion=1.0.0.1&lang=ko`, { headers: { 'x-api-key': clientKey } });
  expect(direct.status()).toBe(200);
  expect(shown).toEqual(await direct.json());
  await expectAccessible(page);
  await shot(page, 'client-versions-preview');

  // A recent patch gets ONLINE, again exactly as the client route says.
  await page.getByLabel('Patch version').fill('1.0.0.5');
  await page.getByRole('button', { name: 'Show the answer' }).click();
  await expect(page.getByTestId('preview-status')).toHaveText('Online');
  const direct2 = await request.get(`/api/v1/client/client-version?channel=${channel}&subChannel=pc&version=1.0.1&patchVersion=1.0.0.5&lang=ko`, { headers: { 'x-api-key': clientKey } });
  expect(JSON.parse((await page.getByTestId('preview-json').textContent())!)).toEqual(await direct2.json());

  // Delete needs the version typed.
  await page.goto(`/client-versions?view=list&channel=${channel}`);
  await page.getByRole('button', { name: `Delete ${channel}/pc 1.0.1` }).click();
  const confirm = page.getByRole('dialog');
  await expect(confirm.getByRole('button', { name: 'Delete' })).toBeDisabled();
  await confirm.getByLabel('Type 1.0.1 to confirm').fill('1.0.1');
  await confirm.getByLabel('Reason').fill('e2e cleanup');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('row').filter({ hasText: '1.0.1' })).toHaveCount(0);
});

test('a viewer sees client versions read-only', async ({ page }) => {
  await signIn(page, 'viewer');
  await page.goto('/client-versions?view=list');
  await expect(page.getByRole('heading', { name: 'Client versions' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add version' })).toBeDisabled();
  await expect(page.getByRole('checkbox', { name: 'Select all on this page' })).toHaveCount(0);
  await page.goto('/client-versions?view=preview&pvChannel=x&pvSubChannel=y&pvVersion=1');
  await expect(page.getByRole('button', { name: 'Show the answer' })).toBeDisabled();
  await expectAccessible(page);
  await shot(page, 'client-versions-viewer');
});

test.describe(() => {
  test.use({ lang: 'ko', theme: 'dark' });
  test('Korean, dark: the grid and the list', async ({ page }) => {
    await signIn(page, 'admin');
    await page.goto('/client-versions');
    await expect(page.getByRole('heading', { name: '클라이언트 버전' })).toBeVisible();
    await expect(page.getByTestId('version-grid').or(page.getByText('클라이언트 버전이 없습니다.', { exact: false }))).toBeVisible();
    await expectAccessible(page);
    await shot(page, 'client-versions-grid');
    await page.goto('/client-versions?view=list');
    await expect(page.getByRole('columnheader', { name: '서브 채널' })).toBeVisible();
    await shot(page, 'client-versions-list');
  });
});
