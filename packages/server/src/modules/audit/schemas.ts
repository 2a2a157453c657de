import { Type, type Static } from '@sinclair/typebox';
import { IsoDateTime, PageQuery } from '../../http/schemas.ts';

export const ACTOR_TYPES = ['user', 'api_key', 'system'] as const;

export const AuditLog = Type.Object(
  {
    id: Type.Integer(),
    actorType: Type.Union(ACTOR_TYPES.map((t) => Type.Literal(t))),
    actorId: Type.Union([Type.Integer(), Type.Null()]),
    actorName: Type.Union([Type.String(), Type.Null()]),
    action: Type.String(),
    targetType: Type.String(),
    targetId: Type.Union([Type.String(), Type.Null()]),
    before: Type.Unknown(),
    after: Type.Unknown(),
    ip: Type.Union([Type.String(), Type.Null()]),
    requestId: Type.Union([Type.String(), Type.Null()]),
    createdAt: IsoDateTime,
  },
  { title: 'AuditLog' },
);
export type PublicAuditLog = Static<typeof AuditLog>;

export const ListAuditLogsQuery = Type.Object({
  ...PageQuery,
  actorType: Type.Optional(Type.Union(ACTOR_TYPES.map((t) => Type.Literal(t)))),
  actorId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Exact action, or a prefix ending in `.*`' })),
  targetType: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  targetId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  requestId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  from: Type.Optional(IsoDateTime),
  to: Type.Optional(IsoDateTime),
});
export type ListAuditLogsFilter = Static<typeof ListAuditLogsQuery>;
