import { Type, type Static } from '@sinclair/typebox';
import { PageQuery } from '../../http/schemas.ts';
import { Nullable, NullableIsoDateTime, CustomPayload, Message, Messages, OptionalFields, Timestamps, UpdateBody } from '../../core/fields.ts';

const WorldId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });
const Tag = Type.String({ minLength: 1, maxLength: 32 });
const Tags = Type.Array(Tag, { maxItems: 20, uniqueItems: true });

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
  { title: 'GameWorld' },
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
  { additionalProperties: false },
);
export type CreateWorldInput = Static<typeof CreateWorldBody>;

export const UpdateWorldBody = UpdateBody(CreateWorldBody.properties);
export type UpdateWorldInput = Static<typeof UpdateWorldBody>;

export const WorldOrderBody = Type.Object(
  { ids: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 1000, uniqueItems: true }) },
  { additionalProperties: false },
);

export const ListWorldsQuery = Type.Object({
  ...PageQuery,
  visible: Type.Optional(Type.Boolean()),
  maintenance: Type.Optional(Type.Boolean()),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  tag: Type.Optional(Tag),
});
export type ListWorldsFilter = Static<typeof ListWorldsQuery>;
