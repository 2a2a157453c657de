import { Type, type Static } from '@sinclair/typebox';
import { IsoDateTime, PageQuery } from '../../http/schemas.ts';
import { CustomPayload, Message, Messages } from '../maintenance/schemas.ts';

export const CLIENT_VERSION_STATUSES = [
  'ONLINE',
  'OFFLINE',
  'MAINTENANCE',
  'FORCED_UPDATE',
  'RECOMMENDED_UPDATE',
  'UNDER_REVIEW',
  'BLOCKED_PATCH_ALLOWED',
] as const;
export type ClientVersionStatus = (typeof CLIENT_VERSION_STATUSES)[number];
export const ClientVersionStatusSchema = Type.Union(CLIENT_VERSION_STATUSES.map((s) => Type.Literal(s)));

const Channel = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });
/** A dotted version such as `1.2.3` or `1.0041`. */
export const VERSION_PATTERN = '^[0-9]+(\\.[0-9]+){0,5}$';
const Version = Type.String({ minLength: 1, maxLength: 64, pattern: VERSION_PATTERN });
const Address = Type.String({ minLength: 1, maxLength: 512 });
const NullableAddress = Type.Union([Address, Type.Null()]);
const Link = Type.Union([Type.String({ maxLength: 2048, pattern: '^https?://' }), Type.Null()]);
const Memo = Type.Union([Type.String({ maxLength: 2000 }), Type.Null()]);

export const ClientVersion = Type.Object(
  {
    id: Type.Integer(),
    channel: Type.String(),
    subChannel: Type.String(),
    version: Type.String(),
    status: ClientVersionStatusSchema,
    gameServerAddress: Type.String(),
    gameServerAddressForWhitelist: Type.Union([Type.String(), Type.Null()]),
    patchAddress: Type.String(),
    patchAddressForWhitelist: Type.Union([Type.String(), Type.Null()]),
    minPatchVersion: Type.Union([Type.String(), Type.Null()]),
    guestModeAllowed: Type.Boolean(),
    externalClickLink: Type.Union([Type.String(), Type.Null()]),
    customPayload: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    maintenanceMessage: Type.Union([Type.String(), Type.Null()]),
    maintenanceMessages: Type.Record(Type.String(), Type.String()),
    memo: Type.Union([Type.String(), Type.Null()]),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
  },
  { title: 'ClientVersion' },
);
export type PublicClientVersion = Static<typeof ClientVersion>;

const Fields = {
  channel: Channel,
  subChannel: Channel,
  version: Version,
  status: ClientVersionStatusSchema,
  gameServerAddress: Address,
  gameServerAddressForWhitelist: NullableAddress,
  patchAddress: Address,
  patchAddressForWhitelist: NullableAddress,
  minPatchVersion: Type.Union([Version, Type.Null()]),
  guestModeAllowed: Type.Boolean(),
  externalClickLink: Link,
  customPayload: CustomPayload,
  maintenanceMessage: Type.Union([Message, Type.Null()]),
  maintenanceMessages: Messages,
  memo: Memo,
};

export const CreateClientVersionBody = Type.Object(
  {
    channel: Fields.channel,
    subChannel: Fields.subChannel,
    version: Fields.version,
    status: Fields.status,
    gameServerAddress: Fields.gameServerAddress,
    patchAddress: Fields.patchAddress,
    gameServerAddressForWhitelist: Type.Optional(Fields.gameServerAddressForWhitelist),
    patchAddressForWhitelist: Type.Optional(Fields.patchAddressForWhitelist),
    minPatchVersion: Type.Optional(Fields.minPatchVersion),
    guestModeAllowed: Type.Optional(Fields.guestModeAllowed),
    externalClickLink: Type.Optional(Fields.externalClickLink),
    customPayload: Type.Optional(Fields.customPayload),
    maintenanceMessage: Type.Optional(Fields.maintenanceMessage),
    maintenanceMessages: Type.Optional(Fields.maintenanceMessages),
    memo: Type.Optional(Fields.memo),
  },
  { additionalProperties: false },
);
export type CreateClientVersionInput = Static<typeof CreateClientVersionBody>;

export const UpdateClientVersionBody = Type.Partial(CreateClientVersionBody, { additionalProperties: false, minProperties: 1 });
export type UpdateClientVersionInput = Static<typeof UpdateClientVersionBody>;

export const ListClientVersionsQuery = Type.Object({
  ...PageQuery,
  channel: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  subChannel: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  status: Type.Optional(ClientVersionStatusSchema),
});
export type ListClientVersionsFilter = Static<typeof ListClientVersionsQuery>;
