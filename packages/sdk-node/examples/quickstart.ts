// TypeScript: requests and answers are typed (a wrong field or a missing one fails to compile).
import { GatrixClient, GatrixError, type GameWorld, type Page, type User } from '@gatrix/nodejs-sdk';

const client = new GatrixClient({ apiKey: process.env.GATRIX_API_KEY, baseURL: process.env.GATRIX_BASE_URL });

export async function players(): Promise<string[]> {
  const page: Page<User> = await client.users.list({ role: 'player', limit: 10 });
  return page.data.map((user) => user.username);
}

export async function openWorld(worldId: string): Promise<GameWorld | undefined> {
  try {
    const [world] = (await client.worlds.list({ q: worldId })).data;
    return world && (await client.worlds.setMaintenance(world.id, { enabled: false }));
  } catch (err) {
    if (err instanceof GatrixError && err.status === 404) return undefined;
    throw err;
  }
}
