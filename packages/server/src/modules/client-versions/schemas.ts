import { Type, type Static } from '@sinclair/typebox';
import { EXAMPLE_TIME } from '../../events/catalog.ts';
import { PageQuery } from '../../http/schemas.ts';
import { Nullable, StringEnum, CustomPayload, Message, Messages, Timestamps } from '../../core/fields.ts';

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
export const ClientVersionStatusSchema = StringEnum(CLIENT_VERSION_STATUSES);

const Channel = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });
/** A dotted version such as `1.2.3` or `1.0041`. */
export const VERSION_PATTERN = '^[0-9]+(\\.[0-9]+){0,5}$';
const Version = Type.String({ minLength: 1, maxLength: 64, pattern: VERSION_PATTERN });
const Address = Type.String({ minLength: 1, maxLength: 512 });
const NullableAddress = Nullable(Address);
const Link = Nullable(Type.String({ maxLength: 2048, pattern: '^https?://' }));
const Memo = Nullable(Type.String({ maxLength: 2000 }));

export const ClientVersion = Type.Object(
  {
    id: Type.Integer(),
    channel: Type.String(),
    subChannel: Type.String(),
    version: Type.String(),
    status: ClientVersionStatusSchema,
    gameServerAddress: Type.String(),
    gameServerAddressForWhitelist: Nullable(Type.String()),
    patchAddress: Type.String(),
    patchAddressForWhitelist: Nullable(Type.String()),
    minPatchVersion: Nullable(Type.String()),
    guestModeAllowed: Type.Boolean(),
    externalClickLink: Nullable(Type.String()),
    customPayload: Nullable(Type.Record(Type.String(), Type.Unknown())),
    maintenanceMessage: Nullable(Type.String()),
    maintenanceMessages: Type.Record(Type.String(), Type.String()),
    memo: Nullable(Type.String()),
    ...Timestamps,
  },
  {
    title: 'ClientVersion',
    examples: [
      {
        id: 5,
        channel: 'steam',
        subChannel: 'pc',
        version: '1.2.3',
        status: 'ONLINE',
        gameServerAddress: 'game.example.com:7777',
        gameServerAddressForWhitelist: 'qa.game.example.com:7777',
        patchAddress: 'https://patch.example.com/1.2.3/',
        patchAddressForWhitelist: null,
        minPatchVersion: '1.2.3.4',
        guestModeAllowed: true,
        externalClickLink: null,
        customPayload: null,
        maintenanceMessage: null,
        maintenanceMessages: {},
        memo: 'Winter update',
        createdAt: EXAMPLE_TIME,
        updatedAt: EXAMPLE_TIME,
      },
    ],
  },
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
  minPatchVersion: Nullable(Version),
  guestModeAllowed: Type.Boolean(),
  externalClickLink: Link,
  customPayload: CustomPayload,
  maintenanceMessage: Nullable(Message),
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
  {
    additionalProperties: false,
    title: 'CreateClientVersionBody',
    examples: [
      {
        channel: 'steam',
        subChannel: 'pc',
        version: '1.2.3',
        status: 'ONLINE',
        gameServerAddress: 'game.example.com:7777',
        patchAddress: 'https://patch.example.com/1.2.3/',
        minPatchVersion: '1.2.3.4',
        memo: 'Winter update',
      },
    ],
  },
);
export type CreateClientVersionInput = Static<typeof CreateClientVersionBody>;

export const UpdateClientVersionBody = Type.Partial(CreateClientVersionBody, {
  additionalProperties: false,
  minProperties: 1,
  title: 'UpdateClientVersionBody',
  examples: [{ status: 'FORCED_UPDATE' }],
});
export type UpdateClientVersionInput = Static<typeof UpdateClientVersionBody>;

export const ListClientVersionsQuery = Type.Object({
  ...PageQuery,
  channel: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Only versions of this channel' })),
  subChannel: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Only versions of this sub-channel' })),
  status: Type.Optional(StringEnum(CLIENT_VERSION_STATUSES, { description: 'Only versions in this status' })),
});
export type ListClientVersionsFilter = Static<typeof ListClientVersionsQuery>;
