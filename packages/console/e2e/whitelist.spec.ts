/** /whitelist through the real UI: paste many lines, fix, dry run, import; overlap warning; test access; export; viewer. */
import { readFileSync } from 'node:fs';
import type { APIRequestContext } from '@playwright/test';
import { expect, expectAccessible, shot, signIn, test, USERS } from './fixtures.ts';

const rand = () => Math.floor(Math.random() * 250) + 1;

async function adminToken(request: APIRequestContext): Promise<string> {
  const r = await request.post('/api/v1/auth/login', { data: { username: USERS.admin.username, password: USERS.admin.password } });
  expect(r.status()).toBe(200);
  return ((await r.json()) as { accessToken: string }).accessToken;
}

test('an admin pastes 50 lines, fixes the 2 bad ones in place, sees the overlap in the dry run, imports, tests access and exports', async ({ page, request }) => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const [a, b] = [rand(), rand()];
  const token = await adminToken(request);
  const existing = await request.post('/api/v1/whitelist', { headers: { authorization: `Bearer ${token}` }, data: { type: 'ip', value: `10.${a}.${b}.0/24`, memo: `office ${suffix}` } });
  expect(existing.status()).toBe(201);
  const existingId = ((await existing.json()) as { id: number }).id;

  // 50 lines: accounts, addresses in another network, one address inside the existing /24, an IPv6 CIDR, 2 bad lines.
  const lines = Array.from({ length: 50 }, (_, i) => (i % 2 ? `wl-${suffix}-${i}, tester ${i}` : `172.${a}.${b}.${i}`));
  lines[6] = '300.1.2.3 # typo';
  lines[22] = `10.${a}.${b}.9/40`;
  lines[30] = `10.${a}.${b}.5 # inside the office`;
  lines[40] = `2001:DB8:${suffix.length}::/48`;

  await signIn(page, 'admin');
  await page.goto('/whitelist');
  await page.getByRole('tab', { name: 'Paste many' }).click();
  await expect(page).toHaveURL(/tab=paste/);
  await page.getByLabel('Entries, one per line').fill(lines.join('\n'));

  // Instant, client-side: the two bad lines, by line number, with what is wrong; importing needs them fixed.
  await expect(page.getByText('2 invalid')).toBeVisible();
  await expect(page.locator('tr[data-line="7"][data-outcome="error"]')).toContainText('Not an IPv4 or IPv6 address or CIDR');
  await expect(page.locator('tr[data-line="23"][data-outcome="error"]')).toBeVisible();
  await expect(page.getByText('Fix or remove the invalid lines first.')).toBeVisible();
  await expect(page.getByRole('button', { name: /^Import/ })).toBeDisabled();
  await shot(page, 'whitelist-paste-errors');

  // Fix line 7 where it is shown; line 23 with its own input and the replace button.
  await page.getByLabel('Fix line 7').fill(`172.${a}.${b}.200 # typo`);
  await page.getByLabel('Fix line 7').press('Enter');
  await page.getByLabel('Fix line 23').fill(`10.${a}.${b + 1 > 255 ? 1 : b + 1}.0/24`);
  await page.getByRole('button', { name: 'Replace line 23' }).click();
  await expect(page.getByText('0 invalid')).toBeVisible();
  await expect(page.getByLabel('Entries, one per line')).toHaveValue(new RegExp(`172\\.${a}\\.${b}\\.200 # typo`));

  // The server's dry run: per-line results; 10.a.b.5 lies inside the existing 10.a.b.0/24.
  await page.getByRole('button', { name: 'Dry run' }).click();
  await expect(page.getByText('Checked by the server (dry run).')).toBeVisible();
  await expect(page.locator('tr[data-line="31"]')).toContainText(`Overlaps existing entry #${existingId}`);
  await expect(page.locator('tr[data-line="41"]')).toContainText('Normalised from');
  await expectAccessible(page);
  await shot(page, 'whitelist-paste-dry-run');
  await page.getByRole('button', { name: 'Import 50 entries' }).click();
  await expect(page.getByText('50 entries added, 0 skipped.').first()).toBeVisible();

  // The entries list shows them, filtered through the URL; a reload keeps the view.
  await page.getByRole('tab', { name: 'Entries' }).click();
  await page.getByRole('searchbox').or(page.getByPlaceholder('Search value or description')).fill(`wl-${suffix}-1`);
  await expect(page).toHaveURL(new RegExp(`q=wl-${suffix}-1`));
  await page.reload();
  await expect(page.getByText(`wl-${suffix}-1`, { exact: true })).toBeVisible();
  await expect(page.getByText('tester 1', { exact: true })).toBeVisible();
  await expectAccessible(page);
  await shot(page, 'whitelist-entries');

  // Delete one, with a reason.
  await page.getByRole('button', { name: `Delete wl-${suffix}-1`, exact: true }).click();
  await page.getByLabel('Reason').fill('e2e cleanup');
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText(`wl-${suffix}-1`, { exact: true })).toHaveCount(0);

  // Test access: the operator's own IP is offered; an imported account is allowed, a stranger is refused.
  await page.getByRole('tab', { name: 'Test access' }).click();
  await expect(page.getByText(/Your IP: \S+/)).toBeVisible();
  await page.getByLabel('Account ID').fill(`wl-${suffix}-3`);
  await page.getByLabel('IP address').fill('192.0.2.77');
  await page.getByRole('button', { name: 'Test', exact: true }).click();
  await expect(page.getByText('Allowed: gets through maintenance')).toBeVisible();
  await expect(page.getByTestId('test-result')).toContainText(`wl-${suffix}-3`);
  await expect(page.getByText('GET /api/v1/client/status')).toBeVisible();
  await shot(page, 'whitelist-test-allowed');
  await page.getByLabel('Account ID').fill(`nobody-${suffix}`);
  await page.getByRole('button', { name: 'Test', exact: true }).click();
  await expect(page.getByText('Not whitelisted: maintenance applies')).toBeVisible();
  await expect(page.getByText('No entry matches this account or IP.')).toBeVisible();
  await page.getByLabel('IP address').fill(`10.${a}.${b}.5`);
  await page.getByRole('button', { name: 'Test', exact: true }).click();
  await expect(page.getByText('Allowed: gets through maintenance')).toBeVisible();
  await expect(page.getByTestId('test-result')).toContainText(`10.${a}.${b}.0/24`);
  await expectAccessible(page);

  // Export: the CSV the server streams, with the imported entries.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^whitelist-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync((await file.path())!, 'utf8');
  expect(csv).toContain(`"wl-${suffix}-3","tester 3"`);
  expect(csv).toContain(`"10.${a}.${b}.5","inside the office"`);
});

test('an admin adds an entry with a window through the form; invalid values are refused on the field', async ({ page }) => {
  const suffix = Math.random().toString(36).slice(2, 8);
  await signIn(page, 'admin');
  await page.goto('/whitelist');
  await page.getByRole('button', { name: 'Add entry' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('IP / CIDR').click();
  await dialog.getByLabel('IP address or CIDR').fill('10.0.0.300');
  await dialog.getByRole('button', { name: 'Add entry' }).click();
  await expect(dialog.getByText('Not an IPv4 or IPv6 address or CIDR')).toBeVisible();
  await dialog.getByLabel('IP address or CIDR').fill(`198.51.100.${rand()}/32`);
  await dialog.getByLabel('Description').fill(`form ${suffix}`);
  await dialog.getByLabel('From').fill('2030-01-01T09:00');
  await dialog.getByLabel('Until').fill('2030-01-02T09:00');
  await shot(page, 'whitelist-form');
  await dialog.getByRole('button', { name: 'Add entry' }).click();
  await expect(dialog).toHaveCount(0);
  await page.getByPlaceholder('Search value or description').fill(`form ${suffix}`);
  const row = page.getByRole('row').filter({ hasText: `form ${suffix}` });
  await expect(row).toContainText('Scheduled');
  await expect(row).toContainText('2030-01-01');
});

test('a viewer sees the whitelist read-only', async ({ page }) => {
  await signIn(page, 'viewer');
  await page.goto('/whitelist');
  await expect(page.getByRole('heading', { name: 'Whitelist' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add entry' })).toBeDisabled();
  await page.getByRole('tab', { name: 'Paste many' }).click();
  await expect(page.getByLabel('Entries, one per line')).toHaveAttribute('readonly', '');
  await expect(page.getByRole('button', { name: 'Dry run' })).toBeDisabled();
  await page.getByRole('tab', { name: 'Test access' }).click();
  await expect(page.getByRole('button', { name: 'Test', exact: true })).toBeDisabled();
  await expectAccessible(page);
  await shot(page, 'whitelist-viewer');
});

test.describe(() => {
  test.use({ lang: 'ko', theme: 'dark' });
  test('Korean, dark: the paste check and the entries', async ({ page }) => {
    await signIn(page, 'admin');
    await page.goto('/whitelist?tab=paste');
    await page.getByLabel('항목 (한 줄에 하나씩)').fill('player-ko, 테스트\n10.9.9.9/8\n300.0.0.1\n10.200.0.1');
    await expect(page.getByText('오류 1')).toBeVisible();
    await expect(page.getByText('10.9.9.9/8에서 정규화됨')).toBeVisible();
    await expectAccessible(page);
    await shot(page, 'whitelist-paste');
    await page.getByRole('tab', { name: '항목' }).click();
    await expect(page.getByRole('columnheader', { name: '적용 기간' })).toBeVisible();
    await shot(page, 'whitelist-entries');
  });
});
