/**
 * /worlds: create, reorder, a scheduled maintenance that starts and ends by itself (seen live elsewhere), bulk, delete,
 * and the instances world servers register (live players in the list, each instance up or down on the world's page).
 */
import type { APIRequestContext, Page } from '@playwright/test';
import { apiToken, expect, expectAccessible, pickDateTime, shot, signIn, test } from './fixtures.ts';

const suffix = () => Math.random().toString(36).slice(2, 8);

/** Creates a world through the API (setup only; the UI's create form is tested on its own). */
async function createWorld(request: APIRequestContext, worldId: string): Promise<number> {
  const token = await apiToken(request, 'admin');
  const res = await request.post('/api/v1/game-worlds', { headers: { authorization: `Bearer ${token}` }, data: { worldId, name: `World ${worldId}` } });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

/** The worldIds of the rows shown, in order. */
async function rowOrder(page: Page): Promise<string[]> {
  const ids = await page.locator('tbody tr[data-testid^="world-row-"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')!.slice('world-row-'.length)));
  return ids;
}

const status = (page: Page, worldId: string) => page.getByTestId(`status-${worldId}`);

test('create a world with tags and customPayload, then reorder by the arrows and by drag and drop', async ({ page, request }) => {
  const s = suffix();
  const other = `e2e-b-${s}`;
  await createWorld(request, other);
  await signIn(page, 'admin');
  await page.goto('/worlds');
  await page.getByRole('button', { name: 'New world' }).click();
  await expect(page).toHaveURL(/create=true/);
  const drawer = page.getByRole('dialog', { name: 'New game world' });
  const worldId = `e2e-a-${s}`;
  await drawer.getByLabel('worldId').fill(worldId);
  await drawer.getByLabel('Name').fill('Asia E2E');
  await drawer.getByLabel('Region').fill('ap-northeast-2');
  const tags = drawer.getByLabel('Tags');
  await tags.fill('pvp');
  await tags.press('Enter');
  await tags.fill('new');
  await tags.press('Enter');
  const payload = drawer.getByLabel('Custom payload (JSON)');
  await payload.fill('[1, 2]');
  await drawer.getByRole('button', { name: 'Create world' }).click();
  await expect(drawer.getByText('Must be a JSON object (or empty)')).toBeVisible();
  await payload.fill('{ "capacity": 5000 }');
  await drawer.getByRole('button', { name: 'Create world' }).click();
  await expect(drawer).toBeHidden();
  const row = page.getByTestId(`world-row-${worldId}`);
  await expect(row).toBeVisible();
  await expect(row.getByText('pvp')).toBeVisible();
  await expect(status(page, worldId)).toContainText('Open');

  // The new world is last; move it above the other one with the arrow, then back below by dragging.
  let order = await rowOrder(page);
  expect(order.indexOf(worldId)).toBeGreaterThan(order.indexOf(other));
  await page.getByRole('button', { name: `Move ${worldId} up` }).click();
  await expect.poll(async () => {
    order = await rowOrder(page);
    return order.indexOf(worldId) < order.indexOf(other);
  }).toBe(true);
  await page.reload();
  await expect.poll(async () => {
    order = await rowOrder(page);
    return order.indexOf(worldId) === order.indexOf(other) - 1;
  }).toBe(true);
  await page.getByTestId(`world-row-${worldId}`).dragTo(page.getByTestId(`world-row-${other}`));
  await expect.poll(async () => {
    order = await rowOrder(page);
    return order.indexOf(worldId) === order.indexOf(other) + 1;
  }).toBe(true);

  // The saved world carries its payload. An edit made over someone else's change is refused (If-Match), and the
  // form then shows the current values.
  await page.getByRole('link', { name: worldId }).click();
  await expect(page.getByLabel('Custom payload (JSON)')).toHaveValue(/"capacity": 5000/);
  await page.getByLabel('Name').fill('Asia mine');
  const id = /\/worlds\/(\d+)/.exec(page.url())![1];
  const token = await apiToken(request, 'admin');
  const patched = await request.patch(`/api/v1/game-worlds/${id}`, { headers: { authorization: `Bearer ${token}` }, data: { name: 'Asia theirs' } });
  expect(patched.status(), await patched.text()).toBe(200);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toContainText('Changed meanwhile');
  await expect(page.getByLabel('Name')).toHaveValue('Asia theirs');
  await page.goto(`/worlds?q=${worldId}`);
  await expect(page.getByTestId(`world-row-${worldId}`)).toBeVisible();
  await expect(page.getByTestId(`world-row-${other}`)).toBeHidden();
  await shot(page, 'worlds-list');
  await expectAccessible(page);
});

test('a scheduled maintenance with ko and en messages starts and ends by itself, and another operator sees it live', async ({ page, secondPage, request }) => {
  const worldId = `e2e-m-${suffix()}`;
  const id = await createWorld(request, worldId);
  await signIn(secondPage, 'operator');
  await secondPage.goto(`/worlds?q=${worldId}`);
  await expect(status(secondPage, worldId)).toContainText('Open');

  await signIn(page, 'admin');
  await page.goto(`/worlds/${id}?tab=maintenance`);
  await expect(page.getByRole('tab', { name: 'Maintenance' })).toHaveAttribute('aria-selected', 'true');
  await page.getByText('Schedule', { exact: true }).click();
  const start = new Date(Date.now() + 15_000);
  await pickDateTime(page, 'Starts at', start);
  await pickDateTime(page, 'Ends at', new Date(start.getTime() + 8_000));
  await page.getByLabel('Message in ko').fill('서버 점검 중입니다');
  await page.getByLabel('Message in en').fill('Server maintenance');
  // The preview resolves each language's message as the game-client API does.
  await expect(page.getByTestId('maintenance-preview')).toHaveText('서버 점검 중입니다');
  await page.getByRole('combobox', { name: 'Client language' }).click();
  await page.getByRole('option', { name: 'en', exact: true }).click();
  await expect(page.getByTestId('maintenance-preview')).toHaveText('Server maintenance');
  await page.getByLabel('Reason').fill('e2e: scheduled window');
  await shot(page, 'world-maintenance-form');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Apply maintenance' }).click();

  await expect(status(page, worldId)).toContainText('Scheduled maintenance');
  // Live: the second operator's list follows without a reload.
  await expect(status(secondPage, worldId)).toContainText('Maintenance', { timeout: 45_000 });
  await expect(status(secondPage, worldId)).not.toContainText('Scheduled');
  await expect(status(page, worldId)).not.toContainText('Scheduled', { timeout: 45_000 });
  await expect(status(page, worldId)).toContainText('Open', { timeout: 45_000 });
  await expect(status(secondPage, worldId)).toContainText('Open', { timeout: 45_000 });
});

test('bulk maintenance on two worlds shows each result, and a world is deleted by typing its worldId', async ({ page, request }) => {
  const s = suffix();
  const a = `e2e-x-${s}`;
  const b = `e2e-y-${s}`;
  await createWorld(request, a);
  await createWorld(request, b);
  await signIn(page, 'admin');
  await page.goto(`/worlds?q=${s}`);
  await page.getByLabel(`Select ${a}`).check();
  await page.getByLabel(`Select ${b}`).check();
  await page.getByRole('button', { name: 'Maintenance for 2 worlds…' }).click();
  const drawer = page.getByRole('dialog', { name: 'Maintenance for 2 worlds' });
  await drawer.getByLabel('Default message').fill('Patch in progress');
  await drawer.getByLabel('Reason').fill('e2e: bulk');
  await drawer.getByRole('button', { name: 'Apply to 2 worlds' }).click();
  await expect(drawer.getByTestId(`bulk-result-${a}`)).toContainText('Applied');
  await expect(drawer.getByTestId(`bulk-result-${b}`)).toContainText('Applied');
  await shot(page, 'worlds-bulk-results');
  await drawer.getByRole('button', { name: 'Cancel' }).click();
  await expect(status(page, a)).toContainText('Maintenance');
  await expect(status(page, b)).toContainText('Maintenance');

  await page.getByRole('button', { name: `Actions for ${a}` }).click();
  await page.getByRole('menuitem', { name: 'Delete…' }).click();
  const confirm = page.getByRole('dialog');
  await confirm.getByLabel('Reason').fill('e2e: cleanup');
  const button = confirm.getByRole('button', { name: 'Delete world' });
  await expect(button).toBeDisabled();
  await confirm.getByLabel(`Type ${a} to confirm`).fill(a);
  await button.click();
  await expect(page.getByTestId(`world-row-${a}`)).toBeHidden();
  await expect(page.getByTestId(`world-row-${b}`)).toBeVisible();
});

test('world servers registered by heartbeats: live players in the list, each instance up or down on the world page', async ({ page, request }) => {
  const worldId = `e2e-i-${suffix()}`;
  await createWorld(request, worldId);
  const token = await apiToken(request, 'admin');
  const beat = async (instanceId: string, address: string, players: number) => {
    const res = await request.put(`/api/v1/game-worlds/${worldId}/instances/${instanceId}`, {
      headers: { authorization: `Bearer ${token}` },
      data: { address, region: 'ap-northeast-2', capacity: 1000, players, status: 'online', version: '1.4.2' },
    });
    expect(res.status(), await res.text()).toBe(200);
  };
  await beat('asia-gone', '10.0.3.9:7777', 10);
  // Two servers keep heartbeating (every 2 s, the TTL is 5 s); asia-gone stops and is marked down.
  const alive = () => Promise.all([beat('asia-a', '10.0.3.17:7777', 734), beat('asia-b', '10.0.3.18:7777', 500)]);
  await alive();
  const keepAlive = setInterval(() => void alive().catch(() => undefined), 2000);
  try {
    await expect
      .poll(async () => {
        const res = await request.get(`/api/v1/game-worlds/${worldId}/instances`, { headers: { authorization: `Bearer ${token}` } });
        return ((await res.json()) as { data: { instanceId: string; up: boolean }[] }).data.find((i) => i.instanceId === 'asia-gone')?.up;
      }, { timeout: 60_000 })
      .toBe(false);

    await signIn(page, 'operator');
    await page.goto(`/worlds?q=${worldId}`);
    const players = page.getByTestId(`players-${worldId}`);
    await expect(players).toContainText('1,234 / 2,000');
    await expect(players).toContainText('2 up · 1 down');
    await shot(page, 'worlds-list-players');

    await page.getByRole('link', { name: worldId }).click();
    await page.getByRole('tab', { name: 'Instances' }).click();
    await expect(page).toHaveURL(/tab=instances/);
    await expect(page.getByTestId('instances-summary')).toHaveText('1,234 players on 2 up instances; 1 down');
    const a = page.getByTestId('instance-row-asia-a');
    await expect(a).toContainText('10.0.3.17:7777');
    await expect(a).toContainText('734 / 1,000');
    await expect(a).toContainText('Online');
    await expect(a).toContainText('Up');
    await expect(page.getByTestId('instance-row-asia-gone')).toContainText('Down');
    // Up ones first.
    const order = await page.locator('tbody tr[data-testid^="instance-row-"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')));
    expect(order).toEqual(['instance-row-asia-a', 'instance-row-asia-b', 'instance-row-asia-gone']);
    await shot(page, 'world-instances');
    await expectAccessible(page);
  } finally {
    clearInterval(keepAlive);
  }
});

test.describe(() => {
  test.use({ lang: 'ko', theme: 'dark' });
  test('a viewer sees the worlds read-only (Korean, dark)', async ({ page, request }) => {
    const worldId = `e2e-v-${suffix()}`;
    await createWorld(request, worldId);
    await signIn(page, 'viewer');
    await page.goto('/worlds');
    await expect(page.getByTestId(`world-row-${worldId}`)).toBeVisible();
    await expect(page.getByRole('button', { name: '새 월드' })).toBeDisabled();
    await expect(page.getByRole('switch', { name: `게임 클라이언트에 표시: ${worldId}` })).toBeDisabled();
    await expect(page.getByRole('button', { name: `${worldId} 위로 이동` })).toBeDisabled();
    await shot(page, 'worlds-list-viewer');
    await expectAccessible(page);
    await page.getByRole('link', { name: worldId }).click();
    await page.getByRole('tab', { name: '점검' }).click();
    await expect(page.getByRole('button', { name: '점검 적용' })).toBeDisabled();
    await shot(page, 'world-maintenance-viewer');
    await expectAccessible(page);
    await page.getByRole('tab', { name: '인스턴스' }).click();
    await expect(page.getByText('이 월드에 등록된 서버가 아직 없습니다', { exact: false })).toBeVisible();
    await shot(page, 'world-instances-viewer');
    await expectAccessible(page);
  });
});
