import { Type, type Static } from '@sinclair/typebox';
import { EXAMPLE_TIME } from '../../events/catalog.ts';
import { PageQuery } from '../../http/schemas.ts';
import { LANG_TAG, Nullable, NullableIsoDateTime, OptionalFields, StringEnum, Timestamps, UpdateBody } from '../../core/fields.ts';
import { VERSION_PATTERN } from '../client-versions/schemas.ts';

/**
 * What a notice is about, for the game client to place or style it: `notice` (general news), `event` (an in-game
 * event), `update` (a new build or patch), `maintenance` (planned downtime), `other`.
 */
export const NOTICE_CATEGORIES = ['notice', 'event', 'update', 'maintenance', 'other'] as const;
export type NoticeCategory = (typeof NOTICE_CATEGORIES)[number];
export const NoticeCategorySchema = StringEnum(NOTICE_CATEGORIES, { description: 'notice, event, update, maintenance or other' });

export const TITLE_MAX = 200;
export const BODY_MAX = 10_000;
const Title = Type.String({ minLength: 1, maxLength: TITLE_MAX });
const Body = Type.String({ minLength: 1, maxLength: BODY_MAX });

/** One language's text of a notice. */
export const NoticeText = Type.Object({ title: Title, body: Body }, { additionalProperties: false });
/** Per-language texts: `{ "ko": { title, body }, "en-US": { … } }`. */
export const Translations = Type.Record(Type.String({ pattern: LANG_TAG }), NoticeText, {
  additionalProperties: false,
  maxProperties: 50,
  description: 'Title and body per BCP-47 language; a client gets the exact tag, else the same language, else the default title and body',
});
export type TranslationsMap = Static<typeof Translations>;

const Target = (what: string) =>
  Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100, uniqueItems: true, description: `Only clients of these ${what}; empty: all` });
const Version = Nullable(Type.String({ minLength: 1, maxLength: 64, pattern: VERSION_PATTERN }));

export const NOTICE_EXAMPLE = {
  id: 4,
  category: 'event',
  priority: 10,
  title: 'Double XP weekend',
  body: 'All worlds earn double XP from Friday to Sunday.',
  translations: { ko: { title: '경험치 2배 주말', body: '금요일부터 일요일까지 모든 월드에서 경험치 2배!' } },
  enabled: true,
  startsAt: '2026-01-02T00:00:00.000Z',
  endsAt: '2026-01-05T00:00:00.000Z',
  channels: ['steam'],
  subChannels: [],
  worldIds: [],
  minVersion: '1.2.0',
  maxVersion: null,
  createdAt: EXAMPLE_TIME,
  updatedAt: EXAMPLE_TIME,
} as const;

export const Notice = Type.Object(
  {
    id: Type.Integer(),
    category: NoticeCategorySchema,
    priority: Type.Integer({ description: 'Higher first' }),
    title: Type.String({ description: 'The default title' }),
    body: Type.String({ description: 'The default body' }),
    translations: Type.Record(Type.String(), Type.Object({ title: Type.String(), body: Type.String() })),
    enabled: Type.Boolean(),
    startsAt: NullableIsoDateTime,
    endsAt: NullableIsoDateTime,
    channels: Type.Array(Type.String()),
    subChannels: Type.Array(Type.String()),
    worldIds: Type.Array(Type.String()),
    minVersion: Nullable(Type.String()),
    maxVersion: Nullable(Type.String()),
    ...Timestamps,
  },
  { title: 'Notice', examples: [NOTICE_EXAMPLE] },
);
export type PublicNotice = Static<typeof Notice>;

/** What a notice is created with besides its default title and body: all optional on create. */
const NoticeSettings = {
  category: NoticeCategorySchema,
  priority: Type.Integer({ minimum: -1_000_000, maximum: 1_000_000, description: 'Higher first; 0 when left out' }),
  translations: Translations,
  enabled: Type.Boolean({ description: 'Shown to game clients (inside its window); true when left out' }),
  startsAt: Nullable(Type.String({ format: 'date-time', maxLength: 40, description: 'Shown from then (inclusive); null: already' })),
  endsAt: Nullable(Type.String({ format: 'date-time', maxLength: 40, description: 'Shown until then (exclusive); null: until disabled or deleted' })),
  channels: Target('channels'),
  subChannels: Target('sub-channels'),
  worldIds: Target('worlds (worldId)'),
  minVersion: Version,
  maxVersion: Version,
};

export const CreateNoticeBody = Type.Object(
  { title: Title, body: Body, ...OptionalFields(NoticeSettings) },
  {
    additionalProperties: false,
    title: 'CreateNoticeBody',
    examples: [
      {
        title: 'Double XP weekend',
        body: 'All worlds earn double XP from Friday to Sunday.',
        translations: { ko: { title: '경험치 2배 주말', body: '금요일부터 일요일까지 모든 월드에서 경험치 2배!' } },
        category: 'event',
        priority: 10,
        startsAt: '2026-01-02T00:00:00.000Z',
        endsAt: '2026-01-05T00:00:00.000Z',
        channels: ['steam'],
        minVersion: '1.2.0',
      },
    ],
  },
);
export type CreateNoticeInput = Static<typeof CreateNoticeBody>;

export const UpdateNoticeBody = UpdateBody(CreateNoticeBody.properties, { title: 'UpdateNoticeBody', examples: [{ enabled: false }] });
export type UpdateNoticeInput = Static<typeof UpdateNoticeBody>;

export const ListNoticesQuery = Type.Object({
  ...PageQuery,
  category: Type.Optional(StringEnum(NOTICE_CATEGORIES, { description: 'Only notices of this category' })),
  enabled: Type.Optional(Type.Boolean({ description: 'Only enabled (true) or disabled (false) notices' })),
  state: Type.Optional(
    StringEnum(['scheduled', 'current', 'ended'], { description: 'Only notices whose window has not started, is open now, or has ended (enabled or not)' }),
  ),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Text found in the default title or body, case-insensitively' })),
});
export type ListNoticesFilter = Static<typeof ListNoticesQuery>;
