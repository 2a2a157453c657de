/** Monitoring: time-series charts, the per-route table (window and sort in the URL), /metrics, server errors. */
import { apiToken, expect, expectAccessible, shot, signIn, test } from './fixtures.ts';

test('charts are drawn, routes are listed and sorted from the URL, /metrics opens, errors are listed', async ({ page, request }) => {
  const token = await apiToken(request, 'admin');
  for (let i = 0; i < 3; i++) await request.get('/api/v1/audit-logs?limit=1', { headers: { authorization: `Bearer ${token}` } });
  await page.goto('/login?redirect=%2Fmonitoring%3Fwindow%3D15m');
  await signIn(page, 'admin');
  await expect(page.locator('[data-chart=chart] canvas')).toHaveCount(6);
  await expect(page.getByText('Requests and server errors')).toBeVisible();
  await shot(page, 'monitoring-charts');
  await expectAccessible(page);

  await page.getByRole('button', { name: 'View /metrics' }).click();
  await expect(page.getByTestId('prometheus-text')).toContainText('gatrix_http_request_duration_seconds_bucket');
  await page.keyboard.press('Escape');

  await page.getByRole('tab', { name: 'Routes' }).click();
  await expect(page).toHaveURL(/tab=routes/);
  const audit = page.getByRole('row').filter({ hasText: '/api/v1/audit-logs' }).first();
  await expect(audit).toBeVisible();
  expect(Number((await audit.getByRole('cell').nth(1).textContent())?.replace(/\D/g, ''))).toBeGreaterThanOrEqual(3);
  await page.getByRole('columnheader', { name: 'p95' }).click();
  await expect(page).toHaveURL(/sort=/);
  await page.locator('label', { hasText: '1 hour' }).click();
  await expect(page).toHaveURL(/routes=1h/);
  // The rows drawn (the table is virtualised: a route may be scrolled out of it) are in p95 order, as the URL says.
  const descending = /sort=-p95/.test(page.url());
  await expect
    .poll(async () => {
      const p95 = (await page.getByRole('row').locator('td:nth-child(6)').allTextContents()).map(toMs).filter((v) => v !== undefined);
      return p95.length > 1 && p95.every((v, i) => i === 0 || (descending ? p95[i - 1] >= v : p95[i - 1] <= v));
    })
    .toBe(true);
  await shot(page, 'monitoring-routes');
  await expectAccessible(page);

  // Open server errors: this shared server has no legitimate way to fail, so the list is its empty state.
  await page.getByRole('tab', { name: 'Server errors' }).click();
  await expect(page).toHaveURL(/tab=errors/);
  await expect(page.getByText('No open server errors').or(page.locator('[data-error-group]').first())).toBeVisible();
  await page.locator('label', { hasText: 'Resolved' }).click();
  await expect(page).toHaveURL(/status=resolved/);
});

/** `12 ms`, `1.5 s`, `0.42 ms` (as the routes table writes a duration) in ms; undefined for `—`. */
function toMs(text: string): number | undefined {
  const m = /([\d.]+)\s*(ms|s)/.exec(text);
  return m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : undefined;
}

test.describe(() => {
  test.use({ lang: 'ko', theme: 'dark' });
  test('a viewer sees the charts and routes but not the server errors', async ({ page }) => {
    await page.goto('/login?redirect=%2Fmonitoring%3Ftab%3Derrors');
    await signIn(page, 'viewer');
    await expect(page.getByText('서버 오류는 관리자만 볼 수 있습니다 (monitoring.admin 권한).')).toBeVisible();
    await page.getByRole('tab', { name: '차트' }).click();
    await expect(page.locator('[data-chart=chart] canvas').first()).toBeVisible();
    await shot(page, 'monitoring-viewer');
    await expectAccessible(page);
  });
});
