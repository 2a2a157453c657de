import { Type, type Static } from '@sinclair/typebox';
import { EXAMPLE_TIME } from '../../events/catalog.ts';
import { PageQuery } from '../../http/schemas.ts';
import { Nullable, NullableIsoDateTime, CustomPayload, Message, Messages, OptionalFields, Timestamps, UpdateBody } from '../../core/fields.ts';

const WorldId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });
const Tag = Type.String({ minLength: 1, maxLength: 32 });
const Tags = Type.Array(Tag, { maxItems: 20, uniqueItems: true });

export const GAME_WORLD_EXAMPLE = {
  id: 3,
  worldId: 'asia-1',
  name: 'Asia 1',
  description: 'The first Asian world',
  visible: true,
  maintenance: false,
  maintenanceMessage: null,
  maintenanceMessages: {},
  maintenanceStartsAt: null,
  maintenanceEndsAt: null,
  displayOrder: 1,
  region: 'ap-northeast-2',
  tags: ['pvp', 'new'],
  customPayload: { capacity: 5000 },
  createdAt: EXAMPLE_TIME,
  updatedAt: EXAMPLE_TIME,
};

export const GameWorld = Type.Object(
  {
    id: Type.Integer(),
    worldId: Type.String(),
    name: Type.String(),
    description: Nullable(Type.String()),
    visible: Type.Boolean(),
    maintenance: Type.Boolean({ description: 'Maintenance is in effect now (a scheduled window that has not started is false)' }),
    maintenanceMessage: Nullable(Type.String()),
    maintenanceMessages: Type.Record(Type.String(), Type.String()),
    maintenanceStartsAt: NullableIsoDateTime,
    maintenanceEndsAt: NullableIsoDateTime,
    displayOrder: Type.Integer(),
    region: Nullable(Type.String()),
    tags: Type.Array(Type.String()),
    customPayload: Nullable(Type.Record(Type.String(), Type.Unknown())),
    ...Timestamps,
  },
  { title: 'GameWorld', examples: [GAME_WORLD_EXAMPLE] },
);
export type PublicGameWorld = Static<typeof GameWorld>;

/** What a world is created with and may change, besides its worldId and name: all optional on create. */
const WorldSettings = {
  description: Nullable(Type.String({ maxLength: 2000 })),
  visible: Type.Boolean(),
  maintenance: Type.Boolean({ description: 'true starts maintenance now, false ends it (use /maintenance for windows)' }),
  maintenanceMessage: Nullable(Message),
  maintenanceMessages: Messages,
  displayOrder: Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 }),
  region: Nullable(Type.String({ minLength: 1, maxLength: 64 })),
  tags: Tags,
  customPayload: CustomPayload,
};

export const CreateWorldBody = Type.Object(
  { worldId: WorldId, name: Type.String({ minLength: 1, maxLength: 128 }), ...OptionalFields(WorldSettings) },
  {
    additionalProperties: false,
    title: 'CreateGameWorldBody',
    examples: [{ worldId: 'asia-1', name: 'Asia 1', region: 'ap-northeast-2', tags: ['pvp', 'new'], visible: true, customPayload: { capacity: 5000 } }],
  },
);
export type CreateWorldInput = Static<typeof CreateWorldBody>;

export const UpdateWorldBody = UpdateBody(CreateWorldBody.properties, { title: 'UpdateGameWorldBody', examples: [{ visible: false, tags: ['pvp'] }] });
export type UpdateWorldInput = Static<typeof UpdateWorldBody>;

export const WorldOrderBody = Type.Object(
  { ids: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 1000, uniqueItems: true, description: 'World ids, first shown first' }) },
  { additionalProperties: false, title: 'GameWorldOrderBody', examples: [{ ids: [3, 1, 2] }] },
);

export const ListWorldsQuery = Type.Object({
  ...PageQuery,
  visible: Type.Optional(Type.Boolean({ description: 'Only visible (true) or hidden (false) worlds' })),
  maintenance: Type.Optional(Type.Boolean({ description: 'Only worlds in maintenance now (true) or not (false)' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Text found in the worldId or name' })),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'Only worlds with this tag' })),
});
export type ListWorldsFilter = Static<typeof ListWorldsQuery>;
