import { Type, type Static } from '@sinclair/typebox';
import { jsonColumn } from '../../db/columns.ts';
import { IsoDateTime, Nullable, NullableIsoDateTime } from '../../http/schemas.ts';

/** A BCP-47 language tag such as `ko`, `en-US`, `zh-Hant-TW`. */
export const LANG_TAG = '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$';
export const LangTag = Type.String({ pattern: LANG_TAG, maxLength: 35 });

export const Message = Type.String({ minLength: 1, maxLength: 2000 });

/** Per-language texts: `{ "ko": "…", "en": "…" }`. */
export const Messages = Type.Record(Type.String({ pattern: LANG_TAG }), Message, { additionalProperties: false, maxProperties: 50 });
export type MessagesMap = Static<typeof Messages>;

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

/** Free-form JSON object attached by operators, at most 16 KiB serialized. */
export const CustomPayload = Nullable(Type.Record(Type.String(), Type.Unknown()));
export const CUSTOM_PAYLOAD_MAX_BYTES = 16 * 1024;

/** The customPayload column: JSON text, refused past CUSTOM_PAYLOAD_MAX_BYTES. */
export const customPayloadColumn = (v: Record<string, unknown> | null): string | null => jsonColumn('customPayload', v, CUSTOM_PAYLOAD_MAX_BYTES);
