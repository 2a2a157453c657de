import { Type, type Static } from '@sinclair/typebox';
import { PageQuery } from '../../http/schemas.ts';
import { IsoDateTime, Nullable, NullableIsoDateTime, OptionalFields, StringEnum, Timestamps, UpdateBody } from '../../core/fields.ts';

export const WHITELIST_TYPES = ['account', 'ip'] as const;
export type WhitelistType = (typeof WHITELIST_TYPES)[number];
export const WhitelistTypeSchema = StringEnum(WHITELIST_TYPES);

export const WhitelistEntry = Type.Object(
  {
    id: Type.Integer(),
    type: WhitelistTypeSchema,
    value: Type.String({ description: 'An account id, or an IPv4/IPv6 address or CIDR' }),
    memo: Nullable(Type.String()),
    enabled: Type.Boolean(),
    startsAt: NullableIsoDateTime,
    endsAt: NullableIsoDateTime,
    ...Timestamps,
  },
  { title: 'WhitelistEntry' },
);
export type PublicWhitelistEntry = Static<typeof WhitelistEntry>;

const Value = Type.String({ minLength: 1, maxLength: 128 });
const Memo = Nullable(Type.String({ maxLength: 500 }));
const When = Nullable(IsoDateTime);

export const CreateWhitelistBody = Type.Object(
  { type: WhitelistTypeSchema, value: Value, ...OptionalFields({ memo: Memo, enabled: Type.Boolean(), startsAt: When, endsAt: When }) },
  { additionalProperties: false },
);
export type CreateWhitelistInput = Static<typeof CreateWhitelistBody>;

export const UpdateWhitelistBody = UpdateBody(CreateWhitelistBody.properties);
export type UpdateWhitelistInput = Static<typeof UpdateWhitelistBody>;

export const ListWhitelistQuery = Type.Object({
  ...PageQuery,
  type: Type.Optional(WhitelistTypeSchema),
  enabled: Type.Optional(Type.Boolean()),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});
export type ListWhitelistFilter = Static<typeof ListWhitelistQuery>;
