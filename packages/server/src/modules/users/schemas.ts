import { Type, type Static } from '@sinclair/typebox';
import { PageQuery } from '../../http/schemas.ts';
import { MIN_PASSWORD_LENGTH } from '../../core/password-policy.ts';
import { ROLES } from '../../core/permissions.ts';
import { Nullable, NullableIsoDateTime, OptionalFields, StringEnum, Timestamps, UpdateBody } from '../../core/fields.ts';

export const USER_STATUSES = ['active', 'pending', 'suspended'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const RoleSchema = StringEnum(ROLES);
export const UserStatusSchema = StringEnum(USER_STATUSES);

const Username = Type.String({ minLength: 3, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });
const Email = Type.String({ format: 'email', maxLength: 254 });
const DisplayName = Type.String({ minLength: 1, maxLength: 128 });
export const Password = Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 256 });

export const User = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    email: Type.String(),
    displayName: Nullable(Type.String()),
    role: RoleSchema,
    status: UserStatusSchema,
    lastLoginAt: NullableIsoDateTime,
    ...Timestamps,
  },
  { title: 'User' },
);
export type PublicUser = Static<typeof User>;

export const CreateUserBody = Type.Object(
  { username: Username, email: Email, ...OptionalFields({ displayName: Nullable(DisplayName), role: RoleSchema, status: UserStatusSchema, password: Password }) },
  { additionalProperties: false },
);
export type CreateUserInput = Static<typeof CreateUserBody>;

export const UpdateUserBody = UpdateBody({ ...CreateUserBody.properties, lastLoginAt: NullableIsoDateTime });
export type UpdateUserInput = Static<typeof UpdateUserBody>;

export const USER_SORTS = ['id', '-id', 'username', '-username', 'createdAt', '-createdAt', 'lastLoginAt', '-lastLoginAt'] as const;

export const ListUsersQuery = Type.Object({
  ...PageQuery,
  role: Type.Optional(RoleSchema),
  status: Type.Optional(UserStatusSchema),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  sort: Type.Optional(StringEnum(USER_SORTS, { default: 'id' })),
});
export type ListUsersFilter = Static<typeof ListUsersQuery>;
