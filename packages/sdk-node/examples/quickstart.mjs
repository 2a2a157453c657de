// The same client from an ES module: named imports and top-level await.
import { GatrixClient, GatrixError } from '@gatrix/nodejs-sdk';

const client = new GatrixClient({ apiKey: process.env.GATRIX_API_KEY, baseURL: process.env.GATRIX_BASE_URL });

const world = await client.worlds.create({ worldId: 'world_esm', name: 'ESM World' });
console.log(`world ${world.id} ${world.worldId}`);

try {
  await client.worlds.get(999999);
} catch (err) {
  if (!(err instanceof GatrixError)) throw err;
  console.log(`missing: ${err.status} ${err.code}`);
}
