import { Type, type Static } from '@sinclair/typebox';
import { EXAMPLE_TIME } from '../../events/catalog.ts';
import { PageQuery } from '../../http/schemas.ts';
import { API_KEY_TYPES } from '../../core/permissions.ts';
import { IsoDateTime, Nullable, NullableIsoDateTime, StringEnum } from '../../core/fields.ts';

export const ApiKeyTypeSchema = StringEnum(API_KEY_TYPES);

const API_KEY_EXAMPLE = {
  id: 7,
  name: 'matchmaker (prod)',
  type: 'server' as const,
  prefix: 'gx_srv_3f9a',
  createdBy: 1,
  expiresAt: null,
  lastUsedAt: EXAMPLE_TIME,
  revokedAt: null,
  createdAt: EXAMPLE_TIME,
};

export const ApiKey = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    type: ApiKeyTypeSchema,
    prefix: Type.String({ description: 'The first characters of the key, to recognise it' }),
    createdBy: Nullable(Type.Integer()),
    expiresAt: NullableIsoDateTime,
    lastUsedAt: NullableIsoDateTime,
    revokedAt: NullableIsoDateTime,
    createdAt: IsoDateTime,
  },
  { title: 'ApiKey', examples: [API_KEY_EXAMPLE] },
);
export type PublicApiKey = Static<typeof ApiKey>;

export const CreatedApiKey = Type.Intersect(
  [ApiKey, Type.Object({ key: Type.String({ description: 'The key itself, shown only in this response' }) })],
  { title: 'CreatedApiKey', examples: [{ ...API_KEY_EXAMPLE, lastUsedAt: null, key: 'gx_srv_3f9a6c0d2b8e41f7a5c9d3e1b0f4a7c2' }] },
);

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    type: ApiKeyTypeSchema,
    expiresAt: Type.Optional(Nullable(IsoDateTime, { description: 'When the key stops working; null or absent: never' })),
  },
  { additionalProperties: false, title: 'CreateApiKeyBody', examples: [{ name: 'matchmaker (prod)', type: 'server', expiresAt: null }] },
);
export type CreateApiKeyInput = Static<typeof CreateApiKeyBody>;

export const ListApiKeysQuery = Type.Object({
  ...PageQuery,
  type: Type.Optional(StringEnum(API_KEY_TYPES, { description: 'Only keys of this type' })),
  includeRevoked: Type.Optional(Type.Boolean({ default: false, description: 'Also list revoked keys' })),
  unusedForDays: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 3650,
      description: 'Only keys not used for this many days: last used before then, or never used and created before then',
    }),
  ),
});
export type ListApiKeysFilter = Static<typeof ListApiKeysQuery>;
