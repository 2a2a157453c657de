// Compiled by test/package.test.ts against the built package (dist/cjs types): the require style of the integration guide's sample (docs/integration-guide.md), typed.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the integration guide's CommonJS style, on purpose
import GatrixClient = require('@gatrix/nodejs-sdk');
import { verifyWebhook as namedVerify, type User } from '@gatrix/nodejs-sdk';

const { GatrixError, verifyWebhook } = GatrixClient;

export async function cjsConsumer(): Promise<void> {
  const client = new GatrixClient({ apiKey: process.env.GATRIX_API_KEY, baseURL: 'https://api.gatrix.com', timeout: 5000 });
  const named: GatrixClient.GatrixClient = client;
  const users = await client.users.list({ page: 1, limit: 10 });
  const first: User | undefined = users.data[0];
  const alsoUser: GatrixClient.User | undefined = first;
  const world = await named.worlds.create({ worldId: 'world_001', name: '메인 월드' });
  void world.maintenance;
  // @ts-expect-error apiKey is a string
  new GatrixClient({ apiKey: 42 });
  try {
    await client.versions.list({ channel: 'PC', subChannel: 'Steam' });
  } catch (err) {
    if (err instanceof GatrixError) void err.requestId;
  }
  void [alsoUser, verifyWebhook === namedVerify];
}
