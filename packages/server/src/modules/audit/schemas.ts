import { Type, type Static } from '@sinclair/typebox';
import { PageQuery } from '../../http/schemas.ts';
import { IsoDateTime, Nullable, StringEnum } from '../../core/fields.ts';

export const ACTOR_TYPES = ['user', 'api_key', 'system'] as const;

const EXAMPLE_ENTRY = {
  id: 812,
  actorType: 'user',
  actorId: 3,
  actorName: 'alice',
  action: 'whitelist.update',
  targetType: 'whitelist',
  targetId: '17',
  before: { id: 17, type: 'ip', value: '203.0.113.0/24', memo: 'QA office', enabled: true, startsAt: null, endsAt: null },
  after: { id: 17, type: 'ip', value: '203.0.113.0/24', memo: 'QA office', enabled: false, startsAt: null, endsAt: null },
  ip: '198.51.100.4',
  requestId: '0194f3c2-a1b0-7a1b-8c3d-4e5f6a7b8c9d',
  reason: 'QA finished; closing the office range',
  createdAt: '2026-01-01T00:00:00.000Z',
} as const;

export const AuditLog = Type.Object(
  {
    id: Type.Integer(),
    actorType: StringEnum(ACTOR_TYPES),
    actorId: Nullable(Type.Integer()),
    actorName: Nullable(Type.String()),
    action: Type.String(),
    targetType: Type.String(),
    targetId: Nullable(Type.String()),
    before: Type.Unknown({ description: "The target's public representation before the change (null for a creation); credentials never appear" }),
    after: Type.Unknown({ description: 'After the change (null for a deletion), or what an action did (e.g. counts)' }),
    ip: Nullable(Type.String()),
    requestId: Nullable(Type.String()),
    reason: Nullable(Type.String({ description: 'Why, as the caller said in the X-Audit-Reason header' })),
    createdAt: IsoDateTime,
  },
  { title: 'AuditLog', examples: [EXAMPLE_ENTRY] },
);
export type PublicAuditLog = Static<typeof AuditLog>;

export const AuditLogPage = Type.Object(
  {
    data: Type.Array(AuditLog),
    pagination: Type.Object({ page: Type.Integer(), limit: Type.Integer(), total: Type.Integer(), totalPages: Type.Integer() }),
  },
  { title: 'AuditLogPage', examples: [{ data: [EXAMPLE_ENTRY], pagination: { page: 1, limit: 50, total: 1, totalPages: 1 } }] },
);

const filters = {
  actorType: Type.Optional(StringEnum(ACTOR_TYPES, { description: 'Who acted: a user, an API key or the system' })),
  actorId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'The user or API key id' })),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Exact action, or a prefix ending in `.*`' })),
  targetType: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'e.g. `user`, `whitelist`, `webhook`' })),
  targetId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "The target's id" })),
  requestId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Every entry one request wrote' })),
  q: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Free text: entries whose action, target, actor name, reason or before/after JSON contain it, case-insensitively (ASCII case on SQLite)',
    }),
  ),
  from: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Entries at or after this time' })),
  to: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Entries before this time' })),
};

export const ListAuditLogsQuery = Type.Object({
  page: Type.Integer({ ...PageQuery.page, description: 'Page number, from 1' }),
  limit: Type.Integer({ ...PageQuery.limit, description: 'Entries per page, at most 100' }),
  ...filters,
});
export type ListAuditLogsFilter = Static<typeof ListAuditLogsQuery>;

export const ExportAuditLogsQuery = Type.Object(filters);
export type AuditLogsFilter = Static<typeof ExportAuditLogsQuery>;
