/** /notices through the real UI: create a notice with a Korean translation and targeting, preview it, see what a game client gets; viewer read-only. */
import { apiToken, expect, expectAccessible, shot, signIn, test } from './fixtures.ts';

test('an operator creates a notice, previews it, and a game client gets it through /client/notices', async ({ page, request }) => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const title = `Double XP ${suffix}`;
  await signIn(page, 'operator');
  await page.goto('/notices');
  await expect(page.getByRole('heading', { name: 'Notices' })).toBeVisible();
  await page.getByRole('button', { name: 'New notice' }).click();
  const dialog = page.getByRole('dialog', { name: 'New notice' });
  await dialog.getByRole('textbox', { name: 'Title', exact: true }).fill(title);
  await dialog.getByRole('textbox', { name: 'Text', exact: true }).fill('Double XP in every world this weekend.');

  // A Korean translation in its own tab.
  await dialog.getByRole('button', { name: 'Add language' }).click();
  await dialog.getByRole('tab', { name: 'New language' }).click();
  await dialog.getByRole('textbox', { name: 'Language', exact: true }).first().fill('ko');
  await dialog.getByLabel('Title (ko)').fill(`경험치 2배 ${suffix}`);
  await dialog.getByLabel('Text (ko)').fill('이번 주말 모든 월드에서 경험치 2배!');

  await dialog.getByRole('combobox', { name: 'Category' }).click();
  await page.getByRole('option', { name: 'Event' }).click();
  await dialog.getByLabel('Priority').fill('7');
  const channels = dialog.getByRole('combobox', { name: 'Channels', exact: true });
  await channels.fill('steam');
  await channels.press('Enter');

  // The preview follows the form: a client on another channel does not get it; one on steam in Korean does.
  const preview = dialog.getByTestId('notice-preview');
  await expect(preview).toContainText('its channel is not one of those listed');
  await dialog.getByRole('textbox', { name: 'Channel', exact: true }).fill('steam');
  await dialog.getByRole('combobox', { name: 'Language' }).click();
  await page.getByRole('option', { name: 'ko', exact: true }).click();
  await expect(preview).toContainText(`경험치 2배 ${suffix}`);
  await expect(preview).toContainText('In ko');
  await expectAccessible(page);
  await shot(page, 'notices-form');

  await dialog.getByLabel('Reason').fill('weekend event');
  await dialog.getByRole('button', { name: 'New notice' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(title, { exact: true })).toBeVisible();
  await expect(page.getByText('Channels: steam')).toBeVisible();

  // Filters live in the URL.
  await page.getByRole('combobox', { name: 'Category' }).click();
  await page.getByRole('option', { name: 'Event' }).click();
  await expect(page).toHaveURL(/category=event/);
  await expect(page.getByText(title, { exact: true })).toBeVisible();
  await expectAccessible(page);
  await shot(page, 'notices');

  // What a game client gets, through the game-client API with a client key.
  const admin = await apiToken(request, 'admin');
  const key = await request.post('/api/v1/api-keys', { headers: { authorization: `Bearer ${admin}` }, data: { name: `notices e2e ${suffix}`, type: 'client' } });
  expect(key.status()).toBe(201);
  const clientKey = ((await key.json()) as { key: string }).key;
  const ask = async (query: string) => {
    const r = await request.get(`/api/v1/client/notices?${query}`, { headers: { 'x-api-key': clientKey } });
    expect(r.status()).toBe(200);
    return ((await r.json()) as { data: { title: string; lang: string | null; category: string; priority: number }[] }).data;
  };
  const ko = (await ask('channel=steam&lang=ko-KR')).find((n) => n.title === `경험치 2배 ${suffix}`);
  expect(ko).toMatchObject({ lang: 'ko', category: 'event', priority: 7 });
  expect((await ask('platform=steam&lang=fr')).some((n) => n.title === title)).toBe(true);
  expect((await ask('channel=ios')).some((n) => n.title === title)).toBe(false);
});

test('a viewer sees notices read-only', async ({ page }) => {
  await signIn(page, 'viewer');
  await page.goto('/notices');
  await expect(page.getByRole('heading', { name: 'Notices' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'New notice' })).toBeDisabled();
  await expectAccessible(page);
  await shot(page, 'notices-viewer');
});

test.describe(() => {
  test.use({ lang: 'ko', theme: 'dark' });
  test('Korean, dark: the list and the form', async ({ page }) => {
    await signIn(page, 'admin');
    await page.goto('/notices');
    await expect(page.getByRole('heading', { name: '공지' })).toBeVisible();
    await page.getByRole('button', { name: '새 공지' }).click();
    await expect(page.getByRole('dialog', { name: '새 공지' }).getByText('게임 클라이언트가 받는 내용')).toBeVisible();
    await expectAccessible(page);
    await shot(page, 'notices-form');
  });
});
