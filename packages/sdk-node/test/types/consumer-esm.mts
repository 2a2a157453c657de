// Compiled by test/package.test.ts against the built package (dist/esm types): what an ESM TypeScript user writes.
import GatrixDefault, { GatrixClient, GatrixError, GatrixTimeoutError, verifyWebhook, EVENT_CATALOG, type GatrixSocket, type Page, type User, type WebhookEvent } from '@gatrix/nodejs-sdk';

export async function esmConsumer(): Promise<void> {
  const client: GatrixClient = new GatrixDefault({ apiKey: 'key', baseURL: 'http://localhost:3000', timeout: 5000 });

  const users: Page<User> = await client.users.list({ page: 1, limit: 10, role: 'player' });
  const role: 'admin' | 'operator' | 'viewer' | 'player' = users.data[0].role;
  const user = await client.users.create({ username: 'player123', email: 'player@example.com' });
  const lastLogin: string | null = user.lastLoginAt;
  // @ts-expect-error role is one of the API's roles
  await client.users.list({ role: 'superuser' });
  // @ts-expect-error username is required
  await client.users.create({ email: 'player@example.com' });
  // @ts-expect-error ids are numbers
  await client.users.get('1');
  // @ts-expect-error not a field of a user
  await client.users.update(1, { nickname: 'x' });

  for await (const world of client.worlds.iterate({ visible: true })) {
    const worldId: string = world.worldId;
    await client.worlds.setMaintenance(world.id, { enabled: true, message: worldId });
  }
  const versions = await client.versions.list({ channel: 'PC', subChannel: 'Steam' });
  const status: 'ONLINE' | 'OFFLINE' | 'MAINTENANCE' | 'FORCED_UPDATE' | 'RECOMMENDED_UPDATE' | 'UNDER_REVIEW' | 'BLOCKED_PATCH_ALLOWED' = versions.data[0].status;

  const socket: GatrixSocket = client.realtime.connect({ events: ['world_created'] });
  socket.on('world_created', (data) => {
    const ids: [number, string, string] = [data.id, data.worldId, data.eventId];
    void ids;
  });
  socket.on('user_registered', (data) => void data.user.username);
  // @ts-expect-error not an event Gatrix sends
  socket.on('world_exploded', () => undefined);
  // @ts-expect-error user_login carries no worldId
  socket.on('user_login', (data) => void data.worldId);
  // @ts-expect-error not an event name
  client.realtime.connect({ events: ['nothing'] });

  const event: WebhookEvent = verifyWebhook('{}', {}, 'secret', { toleranceSeconds: 60 });
  if (event.event === 'user.created') void event.data.user.email;
  // @ts-expect-error world events have no user
  if (event.event === 'world.created') void event.data.user;
  const socketName: 'user_registered' = EVENT_CATALOG['user.created'].socketEvent;

  try {
    await client.apiKeys.create({ name: 'k', type: 'server' });
  } catch (err) {
    if (err instanceof GatrixTimeoutError) void err.timeout;
    else if (err instanceof GatrixError) void [err.status, err.code, err.detail, err.requestId, err.errors.map((e) => e.path)];
  }
  void [role, lastLogin, status, socketName];
}
