import { Type, type Static } from '@sinclair/typebox';
import { EXAMPLE_TIME } from '../../events/catalog.ts';
import { IsoDateTime, Message, Messages, Nullable, NullableIsoDateTime } from '../../core/fields.ts';

export const MaintenanceBody = Type.Object(
  {
    enabled: Type.Boolean({ description: 'true starts (or schedules, with startsAt) maintenance; false ends it now' }),
    message: Type.Optional(Nullable(Message)),
    messages: Type.Optional(Messages),
    startsAt: Type.Optional(Nullable(IsoDateTime)),
    endsAt: Type.Optional(Nullable(IsoDateTime)),
  },
  {
    additionalProperties: false,
    title: 'MaintenanceBody',
    examples: [{ enabled: true, message: 'Server update in progress', messages: { ko: '서버 점검 중입니다', en: 'Server update in progress' }, startsAt: '2026-01-01T02:00:00.000Z', endsAt: '2026-01-01T04:00:00.000Z' }],
  },
);
export type MaintenanceInput = Static<typeof MaintenanceBody>;

export const GlobalMaintenance = Type.Object(
  {
    enabled: Type.Boolean({ description: 'Maintenance was asked for, now or in a window' }),
    active: Type.Boolean({ description: 'Maintenance is in effect now' }),
    message: Nullable(Type.String()),
    messages: Type.Record(Type.String(), Type.String()),
    startsAt: NullableIsoDateTime,
    endsAt: NullableIsoDateTime,
    updatedAt: IsoDateTime,
  },
  {
    title: 'GlobalMaintenance',
    examples: [
      {
        enabled: true,
        active: false,
        message: 'Server update in progress',
        messages: { ko: '서버 점검 중입니다', en: 'Server update in progress' },
        startsAt: '2026-01-01T02:00:00.000Z',
        endsAt: '2026-01-01T04:00:00.000Z',
        updatedAt: EXAMPLE_TIME,
      },
    ],
  },
);
export type PublicGlobalMaintenance = Static<typeof GlobalMaintenance>;


/** The maintenance window an event carries (maintenance.started, world.maintenance_started, …). */
export const MaintenanceWindowSchema = Type.Object({
  message: Nullable(Type.String()),
  messages: Messages,
  startsAt: NullableIsoDateTime,
  endsAt: NullableIsoDateTime,
});
