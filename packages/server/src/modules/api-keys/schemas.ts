import { Type, type Static } from '@sinclair/typebox';
import { PageQuery } from '../../http/schemas.ts';
import { API_KEY_TYPES } from '../../core/permissions.ts';
import { IsoDateTime, Nullable, NullableIsoDateTime, StringEnum } from '../../core/fields.ts';

export const ApiKeyTypeSchema = StringEnum(API_KEY_TYPES);

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
  { title: 'ApiKey' },
);
export type PublicApiKey = Static<typeof ApiKey>;

export const CreatedApiKey = Type.Intersect(
  [ApiKey, Type.Object({ key: Type.String({ description: 'The key itself, shown only in this response' }) })],
  { title: 'CreatedApiKey' },
);

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    type: ApiKeyTypeSchema,
    expiresAt: Type.Optional(Nullable(IsoDateTime)),
  },
  { additionalProperties: false },
);
export type CreateApiKeyInput = Static<typeof CreateApiKeyBody>;

export const ListApiKeysQuery = Type.Object({
  ...PageQuery,
  type: Type.Optional(ApiKeyTypeSchema),
  includeRevoked: Type.Optional(Type.Boolean({ default: false })),
});
export type ListApiKeysFilter = Static<typeof ListApiKeysQuery>;
