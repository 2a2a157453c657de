// Partner-service quick start: the integration guide's calls, plus paging, updates, errors and maintenance.
const GatrixClient = require('@gatrix/nodejs-sdk');
const { GatrixError } = GatrixClient;

const client = new GatrixClient({
  apiKey: process.env.GATRIX_API_KEY,
  baseURL: process.env.GATRIX_BASE_URL, // e.g. https://api.gatrix.com
  timeout: 5000,
});

async function main() {
  // Users: one page, a create, a partial update, then every player across all pages.
  const users = await client.users.list({ page: 1, limit: 10 });
  console.log(`users: ${users.pagination.total} in all, ${users.data.length} on page 1`);

  const user = await client.users.create({ username: 'player123', email: 'player@example.com' });
  await client.users.update(user.id, { status: 'active', lastLoginAt: new Date().toISOString() });

  for await (const player of client.users.iterate({ role: 'player' })) {
    console.log(`player ${player.id} ${player.username}`);
  }

  // Errors are GatrixErrors with the status, a stable code, the invalid fields and the request id.
  try {
    await client.users.create({ username: 'player123', email: 'another@example.com' });
  } catch (err) {
    if (!(err instanceof GatrixError) || err.status !== 409) throw err;
    console.log(`conflict: ${err.code} on ${err.errors.map((e) => e.path).join(', ')} (request ${err.requestId})`);
  }

  // Game worlds and their maintenance.
  const world = await client.worlds.create({ worldId: 'world_001', name: '메인 월드' });
  await client.worlds.setMaintenance(world.id, {
    enabled: true,
    message: '서버 점검 중입니다. 2시간 후 정상화 예정입니다.',
    endsAt: new Date(Date.now() + 2 * 3600 * 1000).toISOString(),
  });

  // Client versions of one channel, in version order.
  const versions = await client.versions.list({ channel: 'PC', subChannel: 'Steam' });
  console.log(`PC/Steam versions: ${versions.data.map((v) => `${v.version} ${v.status}`).join(', ') || 'none'}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
