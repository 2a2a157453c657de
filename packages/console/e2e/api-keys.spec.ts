/** /api-keys: a key is shown exactly once at creation, the list shows only its prefix, filters live in the URL, revoke asks for a reason. */
import { expect, expectAccessible, shot, signIn, test } from './fixtures.ts';

test('an admin creates a key, sees it once, filters the list and revokes the key', async ({ page }) => {
  const name = `e2e-key-${Math.random().toString(36).slice(2, 8)}`;
  await signIn(page, 'admin');
  await page.goto('/api-keys');
  await expect(page.getByRole('heading', { name: 'API keys' })).toBeVisible();

  await page.getByRole('button', { name: 'Create API key' }).click();
  const form = page.getByRole('dialog', { name: 'New API key' });
  await form.getByRole('button', { name: 'Create key' }).click();
  await expect(form.getByText('Enter a name.')).toBeVisible();
  await form.getByLabel('Name').fill(name);
  await form.getByRole('button', { name: 'Create key' }).click();

  const shown = page.getByRole('dialog', { name: `API key created: ${name}` });
  await expect(shown.getByText('You will not see it again', { exact: false })).toBeVisible();
  const key = (await shown.getByTestId('secret-once').textContent())!.trim();
  expect(key).toMatch(/^gtx_server_/);
  await shot(page, 'api-keys-created');
  // Closing needs the acknowledgement; Escape does nothing.
  const done = shown.getByRole('button', { name: 'Done' });
  await expect(done).toBeDisabled();
  await page.keyboard.press('Escape');
  await expect(shown).toBeVisible();
  await shown.getByLabel('I have copied it and stored it safely').check();
  await done.click();
  await expect(shown).toBeHidden();

  const row = page.getByRole('row').filter({ hasText: name });
  const prefix = key.slice(0, key.indexOf('_', 4) + 7);
  await expect(row).toContainText(prefix);
  await expect(row).toContainText('Never');
  await expect(page.getByText(key)).toHaveCount(0);
  await shot(page, 'api-keys-list');
  await expectAccessible(page);
  // Reopening the screen never shows the key again.
  await page.reload();
  await expect(row).toBeVisible();
  expect(await page.content()).not.toContain(key);

  // "Unused for 30 days" is a server filter in the URL: a key made just now is not in it; reload keeps the filter.
  await page.getByRole('combobox', { name: 'Unused for' }).click();
  await page.getByRole('option', { name: '30 days or more' }).click();
  await expect(page).toHaveURL(/unused=30/);
  await expect(row).toBeHidden();
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Unused for' })).toHaveValue('30 days or more');
  await expect(row).toBeHidden();
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(row).toBeVisible();

  // Revoke: names the key, asks for a reason and the typed name.
  await row.getByRole('button', { name: `Revoke ${name}` }).click();
  const confirm = page.getByRole('dialog', { name: `Confirm: revoke API key ${name}` });
  await confirm.getByLabel('Reason').fill('e2e: rotated');
  const revoke = confirm.getByRole('button', { name: 'Revoke key' });
  await expect(revoke).toBeDisabled();
  await confirm.getByLabel(`Type ${name} to confirm`).fill(name);
  await revoke.click();
  await expect(confirm).toBeHidden();
  await expect(row).toBeHidden();
  await page.getByLabel('Show revoked').check();
  await expect(page).toHaveURL(/revoked=true/);
  await expect(row).toContainText('Revoked');
  await expect(row.getByRole('button', { name: `Revoke ${name}` })).toHaveCount(0);
});

test.describe(() => {
  test.use({ lang: 'ko', theme: 'dark' });
  test('a viewer reads the keys but cannot create or revoke (Korean, dark)', async ({ page }) => {
    await signIn(page, 'viewer');
    await page.goto('/api-keys');
    await expect(page.getByRole('heading', { name: 'API 키' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'API 키 만들기' })).toBeDisabled();
    await expect(page.getByRole('columnheader', { name: '마지막 사용' })).toBeVisible();
    await expect(page.getByRole('button', { name: /폐기$/ }).and(page.locator(':enabled'))).toHaveCount(0);
    await shot(page, 'api-keys-viewer');
    await expectAccessible(page);
  });
});
