import { Type, type Static } from '@sinclair/typebox';
import { EXAMPLE_TIME } from '../../events/catalog.ts';
import { PageQuery } from '../../http/schemas.ts';
import { IsoDateTime, LangTag, Nullable, NullableIsoDateTime, OptionalFields, StringEnum, Timestamps, UpdateBody } from '../../core/fields.ts';
import { VERSION_PATTERN } from '../client-versions/schemas.ts';

export const WHITELIST_TYPES = ['account', 'ip'] as const;
export type WhitelistType = (typeof WHITELIST_TYPES)[number];
export const WhitelistTypeSchema = StringEnum(WHITELIST_TYPES);

export const WhitelistEntry = Type.Object(
  {
    id: Type.Integer(),
    type: WhitelistTypeSchema,
    value: Type.String({ description: 'An account id, or an IPv4/IPv6 address or CIDR' }),
    memo: Nullable(Type.String()),
    enabled: Type.Boolean(),
    startsAt: NullableIsoDateTime,
    endsAt: NullableIsoDateTime,
    ...Timestamps,
  },
  {
    title: 'WhitelistEntry',
    examples: [
      { id: 12, type: 'ip', value: '203.0.113.0/24', memo: 'QA office', enabled: true, startsAt: null, endsAt: null, createdAt: EXAMPLE_TIME, updatedAt: EXAMPLE_TIME },
    ],
  },
);
export type PublicWhitelistEntry = Static<typeof WhitelistEntry>;

const Value = Type.String({ minLength: 1, maxLength: 128 });
const Memo = Nullable(Type.String({ maxLength: 500 }));
const When = Nullable(IsoDateTime);

export const CreateWhitelistBody = Type.Object(
  { type: WhitelistTypeSchema, value: Value, ...OptionalFields({ memo: Memo, enabled: Type.Boolean(), startsAt: When, endsAt: When }) },
  { additionalProperties: false, title: 'CreateWhitelistEntryBody', examples: [{ type: 'ip', value: '203.0.113.0/24', memo: 'QA office' }] },
);
export type CreateWhitelistInput = Static<typeof CreateWhitelistBody>;

export const UpdateWhitelistBody = UpdateBody(CreateWhitelistBody.properties, { title: 'UpdateWhitelistEntryBody', examples: [{ enabled: false }] });
export type UpdateWhitelistInput = Static<typeof UpdateWhitelistBody>;

export const ListWhitelistQuery = Type.Object({
  ...PageQuery,
  type: Type.Optional(StringEnum(WHITELIST_TYPES, { description: 'Only account or only ip entries' })),
  enabled: Type.Optional(Type.Boolean({ description: 'Only enabled (true) or disabled (false) entries' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Text found in the value or memo, case-insensitively' })),
});
export type ListWhitelistFilter = Static<typeof ListWhitelistQuery>;

const EXAMPLE_ENTRY = { id: 17, type: 'ip', value: '203.0.113.0/24', memo: 'QA office', enabled: true, startsAt: null, endsAt: null, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' } as const;

export const WhitelistImportBody = Type.Object(
  {
    text: Type.String({
      maxLength: 1_000_000,
      description: 'One entry per line (at most 10,000 lines): an account id or an IPv4/IPv6 address or CIDR, then optionally `# description` or `, description`',
    }),
    dryRun: Type.Boolean({ description: 'true: check and report only, write nothing' }),
    defaults: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          startsAt: Type.Optional(When),
          endsAt: Type.Optional(When),
          description: Type.Optional(Memo),
        },
        { additionalProperties: false, description: "Applied to every line; a line's own description replaces `description`" },
      ),
    ),
  },
  {
    additionalProperties: false,
    title: 'WhitelistImportRequest',
    examples: [{ text: '10.0.0.7/24 # QA office\nplayer-42, streamer', dryRun: true, defaults: { enabled: true, endsAt: '2026-02-01T00:00:00.000Z' } }],
  },
);
export type WhitelistImportInput = Static<typeof WhitelistImportBody>;

const ImportLineSchema = Type.Object({
  line: Type.Integer({ description: '1-based line number in `text`' }),
  input: Type.String(),
  ok: Type.Boolean(),
  action: Type.Optional(StringEnum(['create', 'skip'], { description: '`skip`: already whitelisted, or a repeat of an earlier line' })),
  entry: Type.Optional(Type.Object({ id: Type.Optional(Type.Integer()), type: WhitelistTypeSchema, value: Type.String(), memo: Nullable(Type.String()) })),
  error: Type.Optional(Type.Object({ field: Type.String(), detail: Type.String() })),
  warnings: Type.Optional(Type.Array(Type.String())),
});

export const WhitelistImportResult = Type.Object(
  {
    dryRun: Type.Boolean(),
    written: Type.Boolean(),
    counts: Type.Object({ lines: Type.Integer(), valid: Type.Integer(), invalid: Type.Integer(), created: Type.Integer(), skipped: Type.Integer(), warnings: Type.Integer() }),
    results: Type.Array(ImportLineSchema),
  },
  {
    title: 'WhitelistImportResult',
    examples: [
      {
        dryRun: false,
        written: true,
        counts: { lines: 2, valid: 2, invalid: 0, created: 1, skipped: 1, warnings: 2 },
        results: [
          { line: 1, input: '10.0.0.7/24 # QA office', ok: true, action: 'create', entry: { id: 18, type: 'ip', value: '10.0.0.0/24', memo: 'QA office' }, warnings: ['normalized from 10.0.0.7/24'] },
          { line: 2, input: 'player-42', ok: true, action: 'skip', entry: { type: 'account', value: 'player-42', memo: null }, warnings: ['already exists as entry #3'] },
        ],
      },
    ],
  },
);

/** The 422 of a real import with invalid lines: a problem (code whitelist_import_invalid) with every line's result. */
export const WhitelistImportRejected = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    requestId: Type.String(),
    errors: Type.Array(Type.Object({ path: Type.String(), message: Type.String() })),
    ...WhitelistImportResult.properties,
  },
  {
    title: 'WhitelistImportRejected',
    description: 'RFC 9457 problem details with the per-line results; nothing was written',
  },
);

export const WhitelistTestBody = Type.Object(
  {
    accountId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'The account id a game client would send' })),
    ip: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "The client IP; the caller's own address when left out" })),
    clientVersion: Type.Optional(
      Type.Object(
        {
          channel: Type.String({ minLength: 1, maxLength: 64, description: 'The distribution channel of the build, e.g. steam' }),
          subChannel: Type.String({ minLength: 1, maxLength: 64, description: 'The sub-channel, e.g. pc' }),
          version: Type.String({ minLength: 1, maxLength: 64, description: 'The build version, dotted (1.2.3)' }),
          patchVersion: Type.Optional(
            Type.String({ minLength: 1, maxLength: 64, pattern: VERSION_PATTERN, description: "The client's patch version, compared with minPatchVersion" }),
          ),
        },
        { additionalProperties: false, description: 'Also resolve this client version as GET /client/client-version would' },
      ),
    ),
    lang: Type.Optional(Type.String({ ...LangTag, description: 'BCP-47 language the game client asks its messages in (e.g. ko, en-US)' })),
  },
  {
    additionalProperties: false,
    title: 'WhitelistTestRequest',
    examples: [{ accountId: 'player-42', ip: '203.0.113.9', clientVersion: { channel: 'steam', subChannel: 'pc', version: '1.2.3', patchVersion: '1.2.3.4' }, lang: 'ko' }],
  },
);
export type WhitelistTestInput = Static<typeof WhitelistTestBody>;

export const WhitelistTestResult = Type.Object(
  {
    callerIp: Type.String({ description: 'The address the server sees for the caller of this request (after TRUST_PROXY)' }),
    ip: Nullable(Type.String({ description: 'The address tested' })),
    accountId: Nullable(Type.String()),
    allowed: Type.Boolean({ description: 'Whether an entry in effect matches: maintenance is bypassed' }),
    matched: Type.Array(
      Type.Object({
        entry: WhitelistEntry,
        matchedBy: StringEnum(['account', 'ip']),
        inEffect: Type.Boolean(),
        why: Type.String({ description: '`in effect`, `disabled`, `not started` or `ended`' }),
      }),
    ),
    decisions: Type.Object({
      status: Type.Unknown({ description: 'What GET /client/status answers this caller' }),
      gameWorlds: Type.Unknown({ description: 'What GET /client/game-worlds answers this caller' }),
      clientVersion: Type.Unknown({ description: 'What GET /client/client-version answers for `clientVersion`, or null when not asked; a problem when unknown' }),
    }),
  },
  {
    title: 'WhitelistTestResult',
    examples: [
      {
        callerIp: '203.0.113.9',
        ip: '203.0.113.9',
        accountId: null,
        allowed: true,
        matched: [{ entry: EXAMPLE_ENTRY, matchedBy: 'ip', inEffect: true, why: 'in effect' }],
        decisions: { status: { maintenance: false, message: null, startsAt: null, endsAt: null }, gameWorlds: { data: [] }, clientVersion: null },
      },
    ],
  },
);
