import { Type, type Static } from '@sinclair/typebox';
import { EXAMPLE_TIME } from '../../events/catalog.ts';
import { Pagination } from '../../http/schemas.ts';
import { MIN_PASSWORD_LENGTH } from '../../core/password-policy.ts';
import { ROLES } from '../../core/permissions.ts';
import { IsoDateTime, Nullable, NullableIsoDateTime, OptionalFields, StringEnum, Timestamps, UpdateBody } from '../../core/fields.ts';

export const USER_STATUSES = ['active', 'pending', 'suspended'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const RoleSchema = StringEnum(ROLES);
export const UserStatusSchema = StringEnum(USER_STATUSES);

const Username = Type.String({ minLength: 3, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });
const Email = Type.String({ format: 'email', maxLength: 254 });
const DisplayName = Type.String({ minLength: 1, maxLength: 128 });
export const Password = Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 256 });

export const USER_EXAMPLE = {
  id: 42,
  username: 'mina.park',
  email: 'mina.park@example.com',
  displayName: 'Mina Park',
  role: 'operator' as const,
  status: 'active' as const,
  lastLoginAt: EXAMPLE_TIME,
  suspendedReason: null,
  suspendedUntil: null,
  createdAt: EXAMPLE_TIME,
  updatedAt: EXAMPLE_TIME,
};

export const User = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    email: Type.String(),
    displayName: Nullable(Type.String()),
    role: RoleSchema,
    status: UserStatusSchema,
    lastLoginAt: NullableIsoDateTime,
    suspendedReason: Nullable(Type.String(), { description: 'Why the account is suspended; null unless `status` is `suspended`.' }),
    suspendedUntil: Nullable(IsoDateTime, { description: 'When a temporary suspension is lifted automatically; null: until lifted by hand.' }),
    ...Timestamps,
  },
  { title: 'User', examples: [USER_EXAMPLE] },
);
export type PublicUser = Static<typeof User>;

export const CreateUserBody = Type.Object(
  { username: Username, email: Email, ...OptionalFields({ displayName: Nullable(DisplayName), role: RoleSchema, status: UserStatusSchema, password: Password }) },
  {
    additionalProperties: false,
    title: 'CreateUserBody',
    examples: [{ username: 'mina.park', email: 'mina.park@example.com', displayName: 'Mina Park', role: 'operator', password: 'a long passphrase 7' }],
  },
);
export type CreateUserInput = Static<typeof CreateUserBody>;

export const UpdateUserBody = UpdateBody(
  { ...CreateUserBody.properties, lastLoginAt: NullableIsoDateTime },
  { title: 'UpdateUserBody', examples: [{ role: 'viewer', status: 'suspended' }] },
);
export type UpdateUserInput = Static<typeof UpdateUserBody>;

export const USER_SORTS = ['id', '-id', 'username', '-username', 'createdAt', '-createdAt', 'lastLoginAt', '-lastLoginAt'] as const;

const Iso = (description: string) => Type.String({ format: 'date-time', maxLength: 40, description });

/** The filters of the user list, also taken by the CSV export and the bulk route's `filter`. */
export const UserFilterFields = {
  role: Type.Optional(StringEnum(ROLES, { description: 'Only users of this role' })),
  status: Type.Optional(StringEnum(USER_STATUSES, { description: 'Only users in this status' })),
  q: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'Prefix search, case-insensitive, on the username or the email; an all-digit value also matches the id exactly.',
    }),
  ),
  createdFrom: Type.Optional(Iso('Created at or after this time (ISO 8601).')),
  createdTo: Type.Optional(Iso('Created before this time (ISO 8601).')),
  lastLoginFrom: Type.Optional(Iso('Last signed in at or after this time; excludes users who never signed in.')),
  lastLoginTo: Type.Optional(Iso('Last signed in before this time; excludes users who never signed in.')),
};
export const UserFilterSchema = Type.Object(UserFilterFields, { additionalProperties: false, title: 'UserFilter' });
export type UserFilter = Static<typeof UserFilterSchema>;

const SortField = StringEnum(USER_SORTS, {
  default: 'id',
  description: 'Order: a field, `-` first for descending; ties in id order. Users who never signed in come last in both `lastLoginAt` orders.',
});

export const ListUsersQuery = Type.Object({
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1, description: 'Page number, from 1 (offset paging); ignored when `cursor` is given.' }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50, description: 'Users per page (1 to 100).' }),
  ...UserFilterFields,
  sort: Type.Optional(SortField),
  cursor: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 400,
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'Keyset paging: the `nextCursor` of the previous page, with the same `sort` and filters (a cursor is bound to them: any other is a 400). Stable under inserts and deletes, unlike `page`, and as fast at any depth.',
    }),
  ),
});
export type ListUsersFilter = Static<typeof ListUsersQuery>;

/** The list's pagination: its total is counted exactly up to GATRIX_USERS_EXACT_TOTAL_MAX (10,000), estimated above. */
const UserPagination = Type.Object(
  {
    ...Pagination.properties,
    total: Type.Integer({ description: 'Users matching the filters, on all pages: exact when `totalExact`, else an estimate (above the exact-count limit, 10,000 by default)' }),
    totalPages: Type.Integer({ description: 'Pages at this limit, from `total` (so an estimate too when `totalExact` is false)' }),
    totalExact: Type.Boolean({ description: 'true: `total` was counted; false: it is an estimate (too many matches to count on every change)' }),
  },
  { title: 'UserPagination' },
);

export const UserPage = Type.Object(
  {
    data: Type.Array(User),
    pagination: UserPagination,
    nextCursor: Nullable(Type.String(), { description: 'Pass as `cursor` for the page after this one; null on the last page.' }),
  },
  {
    title: 'UserPage',
    description: 'A page of users',
    examples: [{ data: [USER_EXAMPLE], pagination: { page: 1, limit: 50, total: 1, totalPages: 1, totalExact: true }, nextCursor: null }],
  },
);
export type UserPageType = Static<typeof UserPage>;

/** The most users one bulk request acts on (by ids, or matched by its filter). */
export const BULK_MAX = 10_000;

const Reason = Type.String({ minLength: 1, maxLength: 500, description: 'Why (1 to 500 characters); kept in the audit entry of each change.' });

export const BulkUsersBody = Type.Object(
  {
    action: StringEnum(['setStatus', 'setRole', 'delete'] as const, { description: 'What to do to each user.' }),
    ids: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), {
        minItems: 1,
        maxItems: BULK_MAX,
        uniqueItems: true,
        description: 'The users to act on (at most 10,000). Give `ids` or `filter`, not both.',
      }),
    ),
    filter: Type.Optional(
      Type.Object(UserFilterFields, {
        additionalProperties: false,
        title: 'UserFilter',
        description: 'Every user the list would show with these filters ("select all matching"); refused when more than 10,000 match.',
      }),
    ),
    status: Type.Optional(StringEnum(USER_STATUSES, { description: 'The new status; required by `setStatus`.' })),
    role: Type.Optional(StringEnum(ROLES, { description: 'The new role; required by `setRole`.' })),
    until: Type.Optional(
      Iso('Only with `setStatus` to `suspended`: when the suspensions end on their own (ISO 8601, in the future); without it, until unsuspended.'),
    ),
    reason: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 500,
        description:
          'Why (1 to 500 characters). Prefer the `X-Audit-Reason` header, which wins when both are given; this field is the fallback. Kept in the audit `reason` of each change, and the suspension reason for `setStatus` to `suspended`.',
      }),
    ),
  },
  {
    additionalProperties: false,
    title: 'BulkUsersRequest',
    examples: [{ action: 'setStatus', ids: [123, 124], status: 'suspended', reason: 'Chargeback fraud ring, ticket OPS-4411' }],
  },
);
export type BulkUsersInput = Static<typeof BulkUsersBody>;

export const BulkItemResult = Type.Object(
  {
    id: Type.Integer(),
    ok: Type.Boolean(),
    error: Type.Optional(Type.Object({ code: Type.String(), detail: Type.String() }, { title: 'BulkItemError' })),
  },
  { title: 'BulkItemResult' },
);
export type BulkItemResultType = Static<typeof BulkItemResult>;

export const BulkUsersResult = Type.Object(
  { total: Type.Integer(), succeeded: Type.Integer(), failed: Type.Integer(), results: Type.Array(BulkItemResult) },
  {
    title: 'UserBulkResult',
    examples: [
      {
        total: 2,
        succeeded: 1,
        failed: 1,
        results: [
          { id: 123, ok: true },
          { id: 1, ok: false, error: { code: 'own_account', detail: 'You cannot act on your own account in bulk' } },
        ],
      },
    ],
  },
);
export type BulkUsersResultType = Static<typeof BulkUsersResult>;

export const SuspendUserBody = Type.Object(
  {
    reason: Reason,
    until: Type.Optional(Iso('When the suspension ends on its own (ISO 8601, in the future); without it, until unsuspended.')),
  },
  {
    additionalProperties: false,
    title: 'SuspendUserRequest',
    examples: [{ reason: 'Harassment in world chat, ticket OPS-4412', until: '2026-01-08T00:00:00.000Z' }],
  },
);
export type SuspendUserInput = Static<typeof SuspendUserBody>;

export const TemporaryPassword = Type.Object(
  { temporaryPassword: Type.String({ description: 'Shown this once; the server keeps only its hash.' }) },
  { title: 'TemporaryPassword', examples: [{ temporaryPassword: 'q3VtR8xYp2LmN7wKz4Hs9DfB' }] },
);

export const UserSession = Type.Object(
  {
    id: Type.String({ description: 'The session id (its refresh-token family); not a credential.' }),
    createdAt: IsoDateTime,
    expiresAt: IsoDateTime,
    lastUsedAt: Nullable(IsoDateTime, { description: 'When its refresh token was last used; null: never refreshed.' }),
  },
  { title: 'UserSession' },
);
export type UserSessionType = Static<typeof UserSession>;

export const UserSessionList = Type.Object(
  { data: Type.Array(UserSession) },
  {
    title: 'UserSessionList',
    examples: [{ data: [{ id: 'Zk3h8Qe1xYb2Lm0p', createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-31T00:00:00.000Z', lastUsedAt: null }] }],
  },
);

export const ExportUsersQuery = Type.Object({
  ...UserFilterFields,
  sort: Type.Optional(SortField),
  bom: Type.Optional(Type.Boolean({ default: false, description: 'Start the file with a UTF-8 byte order mark (for spreadsheet programs that need one to read UTF-8).' })),
});
export type ExportUsersFilter = Static<typeof ExportUsersQuery>;
