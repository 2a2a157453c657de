/**
 * Live events: the latest events from the event feed when the page opens (history), then changes made through the API
 * appear without a reload; scrolling pauses; copy JSON; jump to the entity.
 */
import type { APIRequestContext } from '@playwright/test';
import { apiToken, expect, expectAccessible, shot, signIn, test } from './fixtures.ts';

async function createWorld(request: APIRequestContext, token: string, worldId: string): Promise<number> {
  const r = await request.post('/api/v1/game-worlds', { headers: { authorization: `Bearer ${token}` }, data: { worldId, name: `World ${worldId}` } });
  expect(r.status(), await r.text()).toBe(201);
  return ((await r.json()) as { id: number }).id;
}
async function renameWorld(request: APIRequestContext, token: string, id: number, name: string): Promise<void> {
  const r = await request.patch(`/api/v1/game-worlds/${id}`, { headers: { authorization: `Bearer ${token}` }, data: { name } });
  expect(r.status(), await r.text()).toBe(200);
}

test('events arrive live, scrolling pauses with a count, resume, copy JSON, jump to the world', async ({ page, request, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const token = await apiToken(request, 'admin');
  const worldId = `ev-${Date.now().toString(36)}`;
  const history = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/events');
  await page.goto(`/login?redirect=${encodeURIComponent(`/events?world=${worldId}`)}`);
  await signIn(page, 'admin');
  await expect(page.getByText('Connected', { exact: true })).toBeVisible();
  // The buffer starts with the history the feed answered (other specs' events).
  const earlier = ((await (await history).json()) as { data: unknown[] }).data.length;
  await expect(page.getByText(new RegExp(`^${earlier} events? kept`))).toBeVisible();
  const log = page.getByRole('log');
  const rows = log.locator('[data-event]');

  const id = await createWorld(request, token, worldId);
  await expect(rows.first()).toHaveAttribute('data-event', 'world_created');
  await expect(rows.first()).toContainText(worldId);
  // Enough events to scroll, all about this world (the filter in the URL keeps other specs' events out).
  for (let i = 1; i <= 20; i++) await renameWorld(request, token, id, `World ${worldId} v${i}`);
  await expect(rows).not.toHaveCount(0);
  await expect(page.getByText(new RegExp(`^${earlier + 21} events kept`))).toBeVisible();

  await log.evaluate((el) => el.scrollTo({ top: 300 }));
  await expect(page.getByTestId('paused')).toHaveText('Paused · 0 new');
  for (let i = 21; i <= 23; i++) await renameWorld(request, token, id, `World ${worldId} v${i}`);
  await expect(page.getByTestId('paused')).toHaveText('Paused · 3 new');
  await shot(page, 'events-paused');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByTestId('paused')).toBeHidden();
  const top = rows.first();
  await expect(top).toHaveAttribute('data-event', 'world_updated');

  await top.getByRole('button', { name: 'Show JSON' }).click();
  await expect(top.locator('pre')).toContainText(`"worldId": "${worldId}"`);
  await top.getByRole('button', { name: 'Copy JSON' }).click();
  await expect(top.getByRole('button', { name: 'Copied' })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(JSON.parse(copied)).toMatchObject({ event: 'world_updated', data: { worldId, world: { name: `World ${worldId} v23` } } });
  await shot(page, 'events-expanded');

  await top.getByRole('link', { name: 'Open what it is about' }).click();
  await expect(page).toHaveURL(new RegExp(`/worlds/${id}$`));
  await page.goBack();
  await expect(page).toHaveURL(/\/events\?world=/);
});

test('history: events made before the page opened are there at once, in order, and live ones come above them', async ({ page, request }) => {
  const token = await apiToken(request, 'admin');
  const worldId = `evh-${Date.now().toString(36)}`;
  const id = await createWorld(request, token, worldId);
  await renameWorld(request, token, id, `World ${worldId} v1`);
  await page.goto(`/login?redirect=${encodeURIComponent(`/events?world=${worldId}`)}`);
  await signIn(page, 'operator');
  const rows = page.getByRole('log').locator('[data-event]');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toHaveAttribute('data-event', 'world_updated');
  await expect(rows.nth(1)).toHaveAttribute('data-event', 'world_created');
  await expect(page.getByText('Connected', { exact: true })).toBeVisible();
  await renameWorld(request, token, id, `World ${worldId} v2`);
  await expect(rows).toHaveCount(3);
  await rows.nth(0).getByRole('button', { name: 'Show JSON' }).click();
  await expect(rows.nth(0).locator('pre')).toContainText(`World ${worldId} v2`);
  await shot(page, 'events-history');
  await expectAccessible(page);
});

test.describe(() => {
  test.use({ lang: 'ko', theme: 'dark' });
  test('a viewer hears world events, filtered by type in the URL', async ({ page, request }) => {
    const token = await apiToken(request, 'admin');
    const worldId = `evk-${Date.now().toString(36)}`;
    await page.goto('/login?redirect=%2Fevents%3Ftype%3Dworld_*');
    await signIn(page, 'viewer');
    await expect(page.getByText('연결됨', { exact: true })).toBeVisible();
    await expect(page.getByRole('combobox', { name: '이벤트 유형' })).toHaveValue('world_* 전체');
    await createWorld(request, token, worldId);
    const row = page.getByRole('log').locator('[data-event]', { hasText: worldId });
    await expect(row).toHaveAttribute('data-event', 'world_created');
    await shot(page, 'events-viewer');
    await expectAccessible(page);
  });
});
