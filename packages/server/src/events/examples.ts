import type { PublicClientVersion } from '../modules/client-versions/schemas.ts';
import type { PublicUser } from '../modules/users/schemas.ts';
import type { PublicWhitelistEntry } from '../modules/whitelist/schemas.ts';
import type { PublicGameWorld } from '../modules/game-worlds/schemas.ts';
import type { EventPayloads, MaintenanceWindowPayload } from './catalog.ts';

const AT = '2026-01-01T00:00:00.000Z';

const user: PublicUser = {
  id: 123,
  username: 'player123',
  email: 'player@example.com',
  displayName: null,
  role: 'player',
  status: 'active',
  lastLoginAt: null,
  createdAt: AT,
  updatedAt: AT,
};

const world: PublicGameWorld = {
  id: 1,
  worldId: 'world_001',
  name: '메인 월드',
  description: '기본 게임 월드',
  visible: true,
  maintenance: true,
  maintenanceMessage: '서버 점검 중입니다.',
  maintenanceMessages: { ko: '서버 점검 중입니다.', en: 'Under maintenance.' },
  maintenanceStartsAt: AT,
  maintenanceEndsAt: '2026-01-01T02:00:00.000Z',
  displayOrder: 0,
  region: 'kr',
  tags: ['pvp'],
  customPayload: null,
  createdAt: AT,
  updatedAt: AT,
};

const clientVersion: PublicClientVersion = {
  id: 7,
  channel: 'PC',
  subChannel: 'Steam',
  version: '1.2.0',
  status: 'ONLINE',
  gameServerAddress: 'game.example.com:7000',
  gameServerAddressForWhitelist: null,
  patchAddress: 'https://cdn.example.com/patch',
  patchAddressForWhitelist: null,
  minPatchVersion: '1.0041',
  guestModeAllowed: false,
  externalClickLink: null,
  customPayload: null,
  maintenanceMessage: null,
  maintenanceMessages: {},
  memo: null,
  createdAt: AT,
  updatedAt: AT,
};

const entry: PublicWhitelistEntry = {
  id: 3,
  type: 'ip',
  value: '203.0.113.0/24',
  memo: 'QA office',
  enabled: true,
  startsAt: null,
  endsAt: null,
  createdAt: AT,
  updatedAt: AT,
};

const window: MaintenanceWindowPayload = { message: world.maintenanceMessage, messages: world.maintenanceMessages, startsAt: AT, endsAt: world.maintenanceEndsAt };
const worldData = { id: world.id, worldId: world.worldId, world };

/** One example `data` per event, shown by GET /api/v1/event-types. */
export const EVENT_EXAMPLES: { [E in keyof EventPayloads]: EventPayloads[E] } = {
  'user.created': { userId: user.id, user },
  'user.updated': { userId: user.id, user: { ...user, status: 'suspended' }, changes: { status: { from: 'active', to: 'suspended' } } },
  'user.deleted': { userId: user.id, user },
  'user.login': { userId: user.id, username: user.username, ip: '203.0.113.7', at: AT },
  'world.created': worldData,
  'world.updated': worldData,
  'world.deleted': worldData,
  'world.maintenance_started': { ...worldData, ...window },
  'world.maintenance_ended': { ...worldData, world: { ...world, maintenance: false } },
  'maintenance.started': window,
  'maintenance.ended': window,
  'client_version.created': { id: clientVersion.id, clientVersion },
  'client_version.updated': { id: clientVersion.id, clientVersion },
  'client_version.deleted': { id: clientVersion.id, clientVersion },
  'whitelist.updated': { entry, change: 'created' },
  'webhook.test': { webhookId: 5 },
  'webhook.disabled': { webhookId: 5, url: 'https://partner.example.com/webhook', reason: 'gone' },
};
