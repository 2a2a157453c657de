/** The audit log: a change with a reason shows up with its before/after diff; free-text filter; CSV export. */
import { readFileSync } from 'node:fs';
import { apiToken, expect, expectAccessible, shot, signIn, test } from './fixtures.ts';

test('a change made with a reason shows its field diff and reason; free text filters; export follows the filter', async ({ page, request }) => {
  const token = await apiToken(request, 'admin');
  const suffix = Date.now().toString(36);
  const worldId = `au-${suffix}`;
  const created = await request.post('/api/v1/game-worlds', { headers: { authorization: `Bearer ${token}` }, data: { worldId, name: `Before ${suffix}` } });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: number };
  const reason = `Renamed for the launch ${suffix}`;
  const patched = await request.patch(`/api/v1/game-worlds/${id}`, { headers: { authorization: `Bearer ${token}`, 'x-audit-reason': reason }, data: { name: `After ${suffix}` } });
  expect(patched.status()).toBe(200);

  await page.goto('/login?redirect=%2Faudit');
  await signIn(page, 'admin');
  await page.getByRole('textbox', { name: 'Search' }).fill(suffix);
  await expect(page).toHaveURL(new RegExp(`q=${suffix}`));
  const rows = page.getByRole('row').filter({ hasText: 'world.' });
  await expect(rows).toHaveCount(2);
  await expect(page.getByText('2 entries match')).toBeVisible();
  await shot(page, 'audit-filtered');
  await expectAccessible(page);

  await rows.filter({ hasText: 'world.update' }).click();
  await expect(page).toHaveURL(/entry=\d+/);
  const drawer = page.getByRole('dialog');
  await expect(drawer.getByTestId('audit-reason')).toHaveText(reason);
  const nameRow = drawer.getByTestId('audit-diff').locator('tr[data-kind="changed"]', { hasText: 'name' });
  await expect(nameRow).toContainText(`Before ${suffix}`);
  await expect(nameRow).toContainText(`After ${suffix}`);
  await expect(drawer.getByText('2 fields changed')).toBeVisible(); // name and updatedAt
  await shot(page, 'audit-entry');
  await expectAccessible(page);
  // The open entry is in the URL: a reload opens it again.
  await page.reload();
  await expect(page.getByRole('dialog').getByTestId('audit-reason')).toHaveText(reason);
  await page.keyboard.press('Escape');
  await expect(page).not.toHaveURL(/entry=/);

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await (await download).path();
  const csv = readFileSync(file, 'utf8');
  expect(csv.split('\r\n')[0]).toContain('id,createdAt,actorType');
  expect(csv).toContain(reason);
  expect(csv.match(/world\.(create|update)/g)).toHaveLength(2);
});

test.describe(() => {
  test.use({ lang: 'ko', theme: 'dark' });
  test('a viewer reads the audit log and an entry of a creation', async ({ page }) => {
    await page.goto('/login?redirect=%2Faudit%3Faction%3Dworld.create');
    await signIn(page, 'viewer');
    const row = page.getByRole('row').filter({ hasText: 'world.create' }).first();
    await row.click();
    await expect(page.getByRole('dialog').getByTestId('audit-diff').locator('tr[data-kind="added"]').first()).toBeVisible();
    await shot(page, 'audit-entry-viewer');
    await expectAccessible(page);
  });
});
