/** The dashboard: real figures from the time series after API traffic, charts drawn, tiles linking to their lists. */
import { apiToken, expect, expectAccessible, shot, signIn, test } from './fixtures.ts';

test('after API traffic the tiles show real figures and charts, and a tile opens the list behind it', async ({ page, request }) => {
  const token = await apiToken(request, 'admin');
  for (let i = 0; i < 5; i++) expect((await request.get('/api/v1/users?limit=5', { headers: { authorization: `Bearer ${token}` } })).status()).toBe(200);
  await page.goto('/login?redirect=%2F%3Fwindow%3D15m');
  await signIn(page, 'admin');
  await expect(page).toHaveURL(/\?window=15m/);
  const requests = page.locator('[data-tile="Request rate"]');
  // The time series is written every second in this run; the tile re-reads it every 30 s or on reload.
  await expect
    .poll(
      async () => {
        await page.reload();
        return Number((await requests.locator('[data-value]').textContent({ timeout: 20_000 }))?.replace(/[^\d.]/g, '') || 0);
      },
      { timeout: 45_000, intervals: [1_000, 2_000, 3_000] },
    )
    .toBeGreaterThan(0);
  await expect(requests.locator('[data-chart=sparkline] canvas')).toBeVisible();
  await expect(page.getByText('Global maintenance')).toBeVisible();
  await shot(page, 'dashboard-15m');
  await expectAccessible(page);
  // The window is in the URL; the error tile leads to the error list.
  await page.locator('label', { hasText: '24 hours' }).click();
  await expect(page).toHaveURL(/window=24h/);
  await page.locator('[data-tile="Error rate (5xx)"]').click();
  await expect(page).toHaveURL(/\/monitoring\?.*tab=errors/);
  await page.goBack();
  await page.locator('[data-tile="Webhook success"]').click();
  await expect(page).toHaveURL(/\/webhooks$/);
});

test.describe(() => {
  test.use({ lang: 'ko', theme: 'dark' });
  test('a viewer sees the dashboard read-only: server errors are for admins', async ({ page }) => {
    await page.goto('/login');
    await signIn(page, 'viewer');
    await expect(page.getByRole('heading', { name: '대시보드' })).toBeVisible();
    await expect(page.getByText('서버 오류는 관리자만 볼 수 있습니다.')).toBeVisible();
    await expect(page.locator('[data-chart=sparkline] canvas').first()).toBeVisible();
    await shot(page, 'dashboard-viewer');
    await expectAccessible(page);
  });
});
