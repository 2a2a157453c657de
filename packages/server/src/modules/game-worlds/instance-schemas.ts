import { Type, type Static } from '@sinclair/typebox';
import { EXAMPLE_TIME } from '../../events/catalog.ts';
import { IsoDateTime, Nullable, NullableIsoDateTime, StringEnum } from '../../core/fields.ts';

/**
 * What a world server says of itself. `starting`: booting, not taking players yet; `online`: taking players;
 * `draining`: finishing its sessions, taking no new players; `stopping`: about to exit. A status is the
 * server's own word: whether it is up (heard from within the TTL) is Gatrix's, in `up`.
 */
export const INSTANCE_STATUSES = ['starting', 'online', 'draining', 'stopping'] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];

const InstanceId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$', description: 'The instance, unique within its world (e.g. a host name or pod name)' });
const Tag = Type.String({ minLength: 1, maxLength: 32 });

export const InstanceParams = Type.Object({
  worldId: Type.String({ minLength: 1, maxLength: 64, description: 'The world\'s worldId (e.g. asia-1), not its numeric id' }),
  instanceId: InstanceId,
});
export const WorldInstancesParams = Type.Object({ worldId: InstanceParams.properties.worldId });

export const HeartbeatBody = Type.Object(
  {
    address: Type.String({ minLength: 1, maxLength: 255, description: 'Where game clients connect, e.g. host:port' }),
    region: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }))),
    capacity: Type.Integer({ minimum: 0, maximum: 10_000_000, description: 'Players this instance can hold' }),
    players: Type.Integer({ minimum: 0, maximum: 10_000_000, description: 'Players on it now' }),
    status: StringEnum(INSTANCE_STATUSES, { description: 'starting, online (taking players), draining (no new players) or stopping' }),
    version: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64, description: 'The server build' }))),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 20, uniqueItems: true })),
  },
  {
    additionalProperties: false,
    title: 'InstanceHeartbeat',
    examples: [{ address: '10.0.3.17:7777', region: 'ap-northeast-2', capacity: 2000, players: 734, status: 'online', version: '1.4.2', tags: ['pvp'] }],
  },
);
export type HeartbeatInput = Static<typeof HeartbeatBody>;

export const WORLD_INSTANCE_EXAMPLE = {
  worldId: 'asia-1',
  instanceId: 'asia-1-a',
  address: '10.0.3.17:7777',
  region: 'ap-northeast-2',
  capacity: 2000,
  players: 734,
  status: 'online' as InstanceStatus,
  version: '1.4.2',
  tags: ['pvp'],
  up: true,
  registeredAt: EXAMPLE_TIME,
  lastSeenAt: EXAMPLE_TIME,
  downAt: null,
};

export const WorldInstance = Type.Object(
  {
    worldId: Type.String(),
    instanceId: Type.String(),
    address: Type.String(),
    region: Nullable(Type.String()),
    capacity: Type.Integer(),
    players: Type.Integer(),
    status: StringEnum(INSTANCE_STATUSES),
    version: Nullable(Type.String()),
    tags: Type.Array(Type.String()),
    up: Type.Boolean({ description: 'Heard from within GATRIX_INSTANCE_TTL; false once marked down' }),
    registeredAt: IsoDateTime,
    lastSeenAt: Type.String({ format: 'date-time', description: 'Its last heartbeat, as written (heartbeats that change nothing may be coalesced: docs/operations.md)' }),
    downAt: NullableIsoDateTime,
  },
  { title: 'WorldInstance', examples: [WORLD_INSTANCE_EXAMPLE] },
);
export type PublicWorldInstance = Static<typeof WorldInstance>;

export const WorldInstanceList = Type.Object(
  { data: Type.Array(WorldInstance) },
  { title: 'WorldInstanceList', description: 'The instances of the world, up ones first, by instanceId', examples: [{ data: [WORLD_INSTANCE_EXAMPLE] }] },
);

/** The live figures of a world, summed over its up instances (the admin world list carries them). */
export const WorldLive = Type.Object(
  {
    players: Type.Integer({ description: 'Players on its up instances' }),
    capacity: Type.Integer({ description: 'Capacity of its up instances' }),
    instancesUp: Type.Integer(),
    instancesDown: Type.Integer({ description: 'Instances marked down and not yet pruned' }),
  },
  { title: 'GameWorldLive', examples: [{ players: 734, capacity: 2000, instancesUp: 1, instancesDown: 0 }] },
);
export type WorldLiveFigures = Static<typeof WorldLive>;
export const NO_INSTANCES: WorldLiveFigures = { players: 0, capacity: 0, instancesUp: 0, instancesDown: 0 };

/** The coarse crowding a game client sees instead of raw numbers (docs/client-api.md). */
export const POPULATIONS = ['low', 'normal', 'busy', 'full'] as const;
export type Population = (typeof POPULATIONS)[number];

/** players / capacity of the up instances: below 30 % low, below 70 % normal, below 95 % busy, else full; null with no capacity up. */
export function populationOf(live: Pick<WorldLiveFigures, 'players' | 'capacity'>): Population | null {
  if (live.capacity <= 0) return null;
  const ratio = live.players / live.capacity;
  return ratio < 0.3 ? 'low' : ratio < 0.7 ? 'normal' : ratio < 0.95 ? 'busy' : 'full';
}
