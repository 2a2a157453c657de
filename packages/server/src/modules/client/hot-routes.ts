import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import type { MaybePromise } from '../../core/maybe.ts';
import type { Permission } from '../../core/permissions.ts';
import { IsoDateTime, Nullable, NullableIsoDateTime, LangTag } from '../../core/fields.ts';
import { POPULATIONS, type Population } from '../game-worlds/instance-schemas.ts';
import { ValidationError } from '../../core/errors.ts';
import { errorResponses } from '../../http/schemas.ts';
import { ClientVersionStatusSchema, VERSION_PATTERN } from '../client-versions/schemas.ts';
import { NoticeCategorySchema } from '../notices/schemas.ts';
import type { Caller, ClientService } from './service.ts';

const tags = ['game-client'];
const NullableString = Nullable(Type.String());

const callerQuery = {
  accountId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Whitelisted accounts pass through maintenance' })),
  lang: Type.Optional(Type.String({ ...LangTag, description: 'BCP-47 language of the message (e.g. ko, en-US); the default message when there is none in it' })),
};

/** `channel`, or `platform`, its name in the earlier Gatrix's client API; one of them is required (resolved by channelOf). */
const channelQuery = {
  channel: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'The distribution channel of the build, e.g. steam. Required unless `platform` is given' })),
  platform: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Alias of `channel` (the earlier Gatrix\'s name); when both are given they must be equal' })),
  subChannel: Type.String({ minLength: 1, maxLength: 64, description: 'The sub-channel, e.g. pc' }),
};

/** `latest`, or a dotted version (VERSION_PATTERN without its anchors). */
const VERSION_OR_LATEST = `^(?:latest|${VERSION_PATTERN.slice(1, -1)})$`;

const ClientVersionQuery = Type.Object({
  ...channelQuery,
  version: Type.String({
    minLength: 1,
    maxLength: 64,
    pattern: VERSION_OR_LATEST,
    description: 'The build version, dotted (1.2.3), or `latest` for the newest registered version of this channel and sub-channel',
  }),
  patchVersion: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: VERSION_PATTERN, description: "The client's patch version, compared with minPatchVersion" })),
  ...callerQuery,
});

const CallerQuery = Type.Object(callerQuery);

const NoticesQuery = Type.Object({
  channel: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'The distribution channel of the build, e.g. steam; left out, only notices for every channel' })),
  platform: channelQuery.platform,
  subChannel: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'The sub-channel, e.g. pc; left out, only notices for every sub-channel' })),
  worldId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'The game world the player is in; left out, only notices for every world' })),
  version: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: VERSION_PATTERN, description: 'The build version, dotted (1.2.3); left out, only notices without a version range' })),
  lang: callerQuery.lang,
});

const ClientVersionListQuery = Type.Object(channelQuery);

const ClientVersionAnswer = Type.Object({
  channel: Type.String(),
  subChannel: Type.String(),
  version: Type.String(),
  status: ClientVersionStatusSchema,
  message: NullableString,
  gameServerAddress: Type.String(),
  patchAddress: Type.String(),
  minPatchVersion: NullableString,
  guestModeAllowed: Type.Boolean(),
  externalClickLink: NullableString,
  customPayload: Nullable(Type.Record(Type.String(), Type.Unknown())),
  maintenanceStartsAt: NullableIsoDateTime,
  maintenanceEndsAt: NullableIsoDateTime,
}, {
  title: 'ClientVersionAnswer',
  description: 'What this build may do',
  examples: [
    {
      channel: 'steam',
      subChannel: 'pc',
      version: '1.2.3',
      status: 'ONLINE',
      message: null,
      gameServerAddress: 'game.example.com:7777',
      patchAddress: 'https://patch.example.com/1.2.3/',
      minPatchVersion: '1.2.3.4',
      guestModeAllowed: true,
      externalClickLink: null,
      customPayload: null,
      maintenanceStartsAt: null,
      maintenanceEndsAt: null,
    },
  ],
});

/** A maintenance window scheduled to start later, with its message in the language asked for; null when none is. */
const UpcomingMaintenance = Nullable(
  Type.Object({ startsAt: IsoDateTime, endsAt: NullableIsoDateTime, message: NullableString }),
  { description: 'The next scheduled maintenance window, before it starts (its message in `lang`); null when none is scheduled' },
);

const ClientStatus = Type.Object(
  { maintenance: Type.Boolean(), message: NullableString, startsAt: NullableIsoDateTime, endsAt: NullableIsoDateTime, upcoming: UpcomingMaintenance },
  {
    title: 'ClientStatus',
    description: 'Global maintenance as this caller sees it',
    examples: [
      { maintenance: false, message: null, startsAt: '2026-01-01T02:00:00.000Z', endsAt: '2026-01-01T04:00:00.000Z', upcoming: { startsAt: '2026-01-01T02:00:00.000Z', endsAt: '2026-01-01T04:00:00.000Z', message: 'Server update at 02:00 UTC' } },
    ],
  },
);

const ClientWorlds = Type.Object({
  data: Type.Array(
    Type.Object({
      id: Type.Integer(),
      worldId: Type.String(),
      name: Type.String(),
      description: NullableString,
      displayOrder: Type.Integer(),
      region: NullableString,
      tags: Type.Array(Type.String()),
      customPayload: Nullable(Type.Record(Type.String(), Type.Unknown())),
      maintenance: Type.Boolean(),
      maintenanceMessage: NullableString,
      maintenanceEndsAt: NullableIsoDateTime,
      population: Type.Unsafe<Population | null>({
        type: ['string', 'null'],
        enum: [...POPULATIONS, null],
        description: 'How full its running servers are: low (under 30 % of their capacity), normal (under 70 %), busy (under 95 %), full; null when none is up',
      }),
      upcomingMaintenance: UpcomingMaintenance,
    }, { title: 'ClientGameWorld' }),
  ),
}, {
  title: 'ClientGameWorlds',
  description: 'The visible game worlds, in display order',
  examples: [
    {
      data: [
        {
          id: 3,
          worldId: 'asia-1',
          name: 'Asia 1',
          description: 'The first Asian world',
          displayOrder: 1,
          region: 'ap-northeast-2',
          tags: ['pvp', 'new'],
          customPayload: { capacity: 5000 },
          maintenance: false,
          maintenanceMessage: null,
          maintenanceEndsAt: null,
          population: 'normal',
          upcomingMaintenance: null,
        },
      ],
    },
  ],
});

const ClientVersionList = Type.Object({
  data: Type.Array(
    Type.Object({
      channel: Type.String(),
      subChannel: Type.String(),
      version: Type.String(),
      status: ClientVersionStatusSchema,
      gameServerAddress: Type.String(),
      patchAddress: Type.String(),
      minPatchVersion: NullableString,
      guestModeAllowed: Type.Boolean(),
      externalClickLink: NullableString,
      customPayload: Nullable(Type.Record(Type.String(), Type.Unknown())),
    }, { title: 'ClientVersionListItem' }),
  ),
}, {
  title: 'ClientVersionList',
  description: 'The registered versions of a channel and sub-channel, newest first, each with its own status (before maintenance, patch and whitelist)',
  examples: [
    {
      data: [
        {
          channel: 'steam',
          subChannel: 'pc',
          version: '1.2.3',
          status: 'ONLINE',
          gameServerAddress: 'game.example.com:7777',
          patchAddress: 'https://patch.example.com/1.2.3/',
          minPatchVersion: '1.2.3.4',
          guestModeAllowed: true,
          externalClickLink: null,
          customPayload: null,
        },
      ],
    },
  ],
});

const ClientNotices = Type.Object({
  data: Type.Array(
    Type.Object({
      id: Type.Integer(),
      category: NoticeCategorySchema,
      priority: Type.Integer(),
      lang: Nullable(Type.String({ description: 'The language served (a key of the notice\'s translations), or null for its default title and body' })),
      title: Type.String(),
      body: Type.String(),
      startsAt: NullableIsoDateTime,
      endsAt: NullableIsoDateTime,
      updatedAt: IsoDateTime,
    }, { title: 'ClientNotice' }),
  ),
}, {
  title: 'ClientNotices',
  description: 'The notices for this client now, highest priority first, then the latest start',
  examples: [
    {
      data: [
        {
          id: 4,
          category: 'event',
          priority: 10,
          lang: 'ko',
          title: '경험치 2배 주말',
          body: '금요일부터 일요일까지 모든 월드에서 경험치 2배!',
          startsAt: '2026-01-02T00:00:00.000Z',
          endsAt: '2026-01-05T00:00:00.000Z',
          updatedAt: '2026-01-01T00:00:00.000Z',
        },
      ],
    },
  ],
});

/** `channel`, or its alias `platform`, when either is given; a 400 naming `platform` when both are and they differ. */
function givenChannel(query: { channel?: string; platform?: string }): string | undefined {
  const { channel, platform } = query;
  if (channel !== undefined && platform !== undefined && channel !== platform) throw new ValidationError('query.platform', 'must equal channel when both are given');
  return channel ?? platform;
}

/**
 * The caller, written out rather than as `{ ...query, ip }`: on Node 20 a spread followed by a key the source does not
 * have takes ~1 µs (measured in plain node; docs/performance.md), a twentieth of a game-client answer.
 */
function callerOf(query: { accountId?: string; lang?: string }, ip: string | undefined): Caller {
  return { accountId: query.accountId, lang: query.lang, ip };
}

/** The channel of a query: `channel` or its alias `platform`; a 400 naming the field when neither is given or they differ. */
function channelOf(query: { channel?: string; platform?: string }): string {
  const resolved = givenChannel(query);
  if (resolved === undefined) throw new ValidationError('query.channel', "must have required property 'channel' (or its alias 'platform')");
  return resolved;
}

/**
 * A game-client GET route, declared once: routes.ts registers it with Fastify and fast-path.ts answers it in
 * front of Fastify, both from this table (the same path, permission, query schema and answer).
 */
export interface HotRoute<Q extends TObject = TObject> {
  url: string;
  permission: Permission;
  schema: { operationId: string; summary: string; description: string; tags: string[]; querystring: Q; response: Record<number, TSchema> };
  /**
   * The answer to a query the schema accepted, as JSON text from the in-memory cache (a promise only while a
   * snapshot (re)loads). Throws what the route answers as a problem (e.g. version_not_found).
   */
  answer(client: ClientService, query: Static<Q>, ip: string | undefined): MaybePromise<string>;
}

/** Keeps each route's answer typed by its own query schema inside the one list. */
const hotRoute = <Q extends TObject>(route: HotRoute<Q>): HotRoute => route as unknown as HotRoute;

/** The game-client API: what every game client calls at start-up (docs/client-api.md). */
export const CLIENT_HOT_ROUTES: readonly HotRoute[] = [
  hotRoute({
    url: '/api/v1/client/client-version',
    permission: 'client.read',
    schema: {
      operationId: 'getClientVersionStatus',
      summary: 'What this game client build may do: status, addresses and message (docs/client-api.md)',
      description:
        'The status of this channel, subChannel and version (forced update, maintenance…), the addresses to use and the message in `lang`. A whitelisted accountId or address passes through maintenance. 404 when the version is not registered.',
      tags,
      querystring: ClientVersionQuery,
      response: { 200: ClientVersionAnswer, ...errorResponses(400, 401, 403, 404) },
    },
    answer: (client, query, ip) => client.clientVersion({ ...query, channel: channelOf(query) }, ip),
  }),
  hotRoute({
    url: '/api/v1/client/client-versions',
    permission: 'client.read',
    schema: {
      operationId: 'listClientVersionsForClient',
      summary: 'The registered versions of a channel and sub-channel, newest first (docs/client-api.md)',
      description:
        'Every registered version of this channel (or its alias `platform`) and subChannel, newest first by version order, with what a client needs to pick a build: its own status, addresses, minPatchVersion, guestModeAllowed, externalClickLink, customPayload. Whitelist addresses, messages, memos and ids are left out; GET /client/client-version answers what one build may do for this caller. An unknown channel answers an empty list.',
      tags,
      querystring: ClientVersionListQuery,
      response: { 200: ClientVersionList, ...errorResponses(400, 401, 403) },
    },
    answer: (client, query) => client.versionList(channelOf(query), query.subChannel),
  }),
  hotRoute({
    url: '/api/v1/client/status',
    permission: 'client.read',
    schema: {
      operationId: 'getClientStatus',
      summary: 'Global maintenance as this caller sees it',
      description: 'Whether global maintenance is in effect for this caller (whitelisted accounts and addresses pass through), and its message in `lang`.',
      tags,
      querystring: CallerQuery,
      response: { 200: ClientStatus, ...errorResponses(400, 401, 403) },
    },
    answer: (client, query, ip) => client.status(callerOf(query, ip)),
  }),
  hotRoute({
    url: '/api/v1/client/game-worlds',
    permission: 'client.read',
    schema: {
      operationId: 'listClientGameWorlds',
      summary: 'Visible game worlds in display order, with maintenance as this caller sees it',
      description: 'Hidden worlds are left out; each world says whether it is in maintenance for this caller, with its message in `lang`.',
      tags,
      querystring: CallerQuery,
      response: { 200: ClientWorlds, ...errorResponses(400, 401, 403) },
    },
    answer: (client, query, ip) => client.worlds(callerOf(query, ip)),
  }),
  hotRoute({
    url: '/api/v1/client/notices',
    permission: 'client.read',
    schema: {
      operationId: 'listClientNotices',
      summary: 'The service notices this game client gets now, in its language (docs/client-api.md)',
      description:
        'Enabled notices inside their window that target this client: each of channel (or its alias `platform`), subChannel, worldId and version must be one the notice names, or the notice names none of that kind (a parameter left out matches only notices that name none). Highest priority first, then the latest start; each in `lang` by the maintenance-message rule, naming the language served.',
      tags,
      querystring: NoticesQuery,
      response: { 200: ClientNotices, ...errorResponses(400, 401, 403) },
    },
    answer: (client, query) => client.notices({ ...query, channel: givenChannel(query) }),
  }),
];
