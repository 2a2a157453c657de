import { Type, type Static } from '@sinclair/typebox';
import { IsoDateTime, Message, Messages, Nullable, NullableIsoDateTime } from '../../core/fields.ts';

export const MaintenanceBody = Type.Object(
  {
    enabled: Type.Boolean(),
    message: Type.Optional(Nullable(Message)),
    messages: Type.Optional(Messages),
    startsAt: Type.Optional(Nullable(IsoDateTime)),
    endsAt: Type.Optional(Nullable(IsoDateTime)),
  },
  { additionalProperties: false },
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
  { title: 'GlobalMaintenance' },
);
export type PublicGlobalMaintenance = Static<typeof GlobalMaintenance>;


/** The maintenance window an event carries (maintenance.started, world.maintenance_started, …). */
export const MaintenanceWindowSchema = Type.Object({
  message: Nullable(Type.String()),
  messages: Messages,
  startsAt: NullableIsoDateTime,
  endsAt: NullableIsoDateTime,
});
