/** /maintenance: schedule with the impact shown first, start now, extend, end now; a viewer sees it read-only. */
import { apiToken, expect, expectAccessible, pickDateTime, shot, signIn, test } from './fixtures.ts';

// Global maintenance concerns every spec sharing the server: whatever happens here, leave it ended.
test.afterAll(async ({ request }) => {
  const token = await apiToken(request, 'admin');
  await request.put('/api/v1/maintenance', { headers: { authorization: `Bearer ${token}` }, data: { enabled: false } });
});

test('schedule global maintenance after seeing its impact, start it now, extend it and end it', async ({ page, request }) => {
  const value = `e2e-wl-${Math.random().toString(36).slice(2, 8)}`;
  const token = await apiToken(request, 'admin');
  const res = await request.post('/api/v1/whitelist', { headers: { authorization: `Bearer ${token}` }, data: { type: 'account', value, memo: 'QA lead' } });
  expect(res.status(), await res.text()).toBe(201);

  await signIn(page, 'admin');
  await page.goto('/maintenance');
  await expect(page.getByTestId('global-status')).toHaveText('Not in effect');
  // The impact is computed from the real lists before anything is applied.
  await expect(page.getByTestId('impact-whitelist')).toContainText(/\d+ whitelist entr(y|ies) still get/);
  const impact = page.getByTestId('maintenance-impact');
  await expect(impact).toContainText(value);
  await expect(page.getByTestId('impact-worlds')).toContainText(/\d+ visible worlds? behind maintenance/);

  await page.getByText('Schedule', { exact: true }).click();
  await pickDateTime(page, 'Starts at', new Date(Date.now() + 60 * 60_000));
  await page.getByLabel('Message in ko').fill('전체 점검 중입니다');
  await page.getByLabel('Message in en').fill('Global maintenance');
  await expect(page.getByTestId('maintenance-preview')).toHaveText('전체 점검 중입니다');
  await shot(page, 'maintenance-schedule');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Apply maintenance…' }).click();

  const confirm = page.getByRole('dialog');
  await confirm.getByLabel('Reason').fill('e2e: patch 1.2');
  const go = confirm.getByRole('button', { name: 'Schedule maintenance' });
  await expect(go).toBeDisabled();
  await confirm.getByLabel('Type MAINTENANCE to confirm').fill('MAINTENANCE');
  await go.click();
  await expect(confirm).toBeHidden();
  await expect(page.getByTestId('global-status')).toHaveText('Scheduled');

  await page.getByRole('button', { name: 'Start now' }).first().click();
  await page.getByRole('dialog').getByLabel('Type MAINTENANCE to confirm').fill('MAINTENANCE');
  await page.getByRole('dialog').getByRole('button', { name: 'Start now' }).click();
  await expect(page.getByTestId('global-status')).toHaveText('In effect');

  await page.getByRole('button', { name: 'Extend' }).click();
  await page.getByRole('menuitem', { name: 'Extend by 30 minutes' }).click();
  // A confirmation opened through @mantine/modals: its close button has a name too (the theme's default).
  await expect(page.getByRole('dialog').getByRole('button', { name: 'Close' })).toBeVisible();
  await expect(page.getByRole('dialog')).toHaveCSS('opacity', '1'); // its opening transition is over
  await expectAccessible(page, '[role=dialog]');
  await page.getByRole('dialog').getByRole('button', { name: 'Extend' }).click();
  await expect(page.getByText('Maintenance extended by 30 minutes')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Ends at' })).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
  await shot(page, 'maintenance-active');
  await expectAccessible(page);

  await page.getByRole('button', { name: 'End now' }).click();
  await page.getByRole('dialog').getByLabel('Reason').fill('e2e: done');
  await page.getByRole('dialog').getByRole('button', { name: 'End now' }).click();
  await expect(page.getByTestId('global-status')).toHaveText('Not in effect');
});

test.describe(() => {
  test.use({ lang: 'ko', theme: 'dark' });
  test('a viewer sees global maintenance read-only (Korean, dark)', async ({ page }) => {
    await signIn(page, 'viewer');
    await page.goto('/maintenance');
    await expect(page.getByTestId('global-status')).toBeVisible();
    await expect(page.getByTestId('maintenance-impact')).toBeVisible();
    await expect(page.getByRole('button', { name: '점검 적용…' })).toBeDisabled();
    await shot(page, 'maintenance-viewer');
    await expectAccessible(page);
  });
});
