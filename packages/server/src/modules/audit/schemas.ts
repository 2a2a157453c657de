import { Type, type Static } from '@sinclair/typebox';
import { PageQuery } from '../../http/schemas.ts';
import { IsoDateTime, Nullable, StringEnum } from '../../core/fields.ts';

export const ACTOR_TYPES = ['user', 'api_key', 'system'] as const;

export const AuditLog = Type.Object(
  {
    id: Type.Integer(),
    actorType: StringEnum(ACTOR_TYPES),
    actorId: Nullable(Type.Integer()),
    actorName: Nullable(Type.String()),
    action: Type.String(),
    targetType: Type.String(),
    targetId: Nullable(Type.String()),
    before: Type.Unknown(),
    after: Type.Unknown(),
    ip: Nullable(Type.String()),
    requestId: Nullable(Type.String()),
    createdAt: IsoDateTime,
  },
  { title: 'AuditLog' },
);
export type PublicAuditLog = Static<typeof AuditLog>;

export const ListAuditLogsQuery = Type.Object({
  ...PageQuery,
  actorType: Type.Optional(StringEnum(ACTOR_TYPES)),
  actorId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Exact action, or a prefix ending in `.*`' })),
  targetType: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  targetId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  requestId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  from: Type.Optional(IsoDateTime),
  to: Type.Optional(IsoDateTime),
});
export type ListAuditLogsFilter = Static<typeof ListAuditLogsQuery>;
