import { Type, type Static } from '@sinclair/typebox';
import { PageQuery } from '../../http/schemas.ts';
import { IsoDateTime, Nullable, NullableIsoDateTime, OptionalFields, StringEnum, Timestamps, UpdateBody } from '../../core/fields.ts';

/** An event name, a `prefix.*` pattern or `*`. */
const EventFilter = Type.String({ minLength: 1, maxLength: 64, pattern: '^(\\*|[a-z_]+(\\.[a-z_]+)*(\\.\\*)?)$' });
const HeaderName = '^[A-Za-z0-9!#$%&\'*+.^_`|~-]{1,64}$';
const Headers = Type.Record(Type.String({ pattern: HeaderName }), Type.String({ maxLength: 1024, pattern: '^[^\\r\\n]*$' }), {
  additionalProperties: false,
  maxProperties: 20,
});

export const Webhook = Type.Object(
  {
    id: Type.Integer(),
    url: Type.String(),
    events: Type.Array(Type.String()),
    active: Type.Boolean(),
    description: Nullable(Type.String()),
    headers: Type.Record(Type.String(), Type.String()),
    disabledReason: Nullable(Type.String(), { description: '`gone` (the endpoint answered 410) or `failing` (it failed for too long)' }),
    failingSince: NullableIsoDateTime,
    secretRotationEndsAt: Nullable(IsoDateTime, { description: 'Until then the previous secret signs too' }),
    ...Timestamps,
  },
  { title: 'Webhook' },
);
export type PublicWebhook = Static<typeof Webhook>;

export const WebhookWithSecret = Type.Intersect([Webhook, Type.Object({ secret: Type.String({ description: 'Shown only in this response' }) })], {
  title: 'WebhookWithSecret',
});

export const CreateWebhookBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048 }),
    events: Type.Array(EventFilter, { minItems: 1, maxItems: 100, uniqueItems: true }),
    ...OptionalFields({
      secret: Type.String({ minLength: 8, maxLength: 256 }),
      active: Type.Boolean(),
      description: Nullable(Type.String({ maxLength: 2000 })),
      headers: Headers,
    }),
  },
  { additionalProperties: false },
);
export type CreateWebhookInput = Static<typeof CreateWebhookBody>;

/** The secret is not updated here: POST /webhooks/:id/rotate-secret replaces it. */
export const UpdateWebhookBody = UpdateBody(Type.Omit(CreateWebhookBody, ['secret']).properties);
export type UpdateWebhookInput = Static<typeof UpdateWebhookBody>;

export const ListWebhooksQuery = Type.Object({ ...PageQuery, active: Type.Optional(Type.Boolean()) });
export type ListWebhooksFilter = Static<typeof ListWebhooksQuery>;

export const DELIVERY_STATUSES = ['pending', 'delivering', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const Delivery = Type.Object(
  {
    id: Type.Integer(),
    webhookId: Type.Integer(),
    eventId: Type.String(),
    event: Type.String(),
    status: StringEnum(DELIVERY_STATUSES),
    attempts: Type.Integer(),
    nextAttemptAt: NullableIsoDateTime,
    lastStatusCode: Nullable(Type.Integer()),
    lastError: Nullable(Type.String()),
    createdAt: IsoDateTime,
    deliveredAt: NullableIsoDateTime,
  },
  { title: 'WebhookDelivery' },
);
export type PublicDelivery = Static<typeof Delivery>;

export const Attempt = Type.Object(
  {
    attempt: Type.Integer(),
    requestHeaders: Type.Record(Type.String(), Type.String()),
    responseStatus: Nullable(Type.Integer()),
    responseHeaders: Nullable(Type.Record(Type.String(), Type.String())),
    responseBody: Nullable(Type.String(), { description: 'The first 20 KB' }),
    durationMs: Type.Integer(),
    error: Nullable(Type.String()),
    createdAt: IsoDateTime,
  },
  { title: 'WebhookAttempt' },
);
export type PublicAttempt = Static<typeof Attempt>;

export const DeliveryWithAttempts = Type.Intersect(
  [
    Delivery,
    Type.Object({
      payload: Type.Unknown(),
      attemptsLog: Type.Array(Attempt, { description: 'The last 20 attempts, oldest first; GET /webhook-deliveries/:id/attempts pages through all of them' }),
    }),
  ],
  { title: 'WebhookDeliveryDetail' },
);

export const ListDeliveriesQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(StringEnum(DELIVERY_STATUSES)),
  event: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  from: Type.Optional(IsoDateTime),
  to: Type.Optional(IsoDateTime),
});
export type ListDeliveriesFilter = Static<typeof ListDeliveriesQuery>;

export const RecoverBody = Type.Object({ since: IsoDateTime, until: Type.Optional(IsoDateTime) }, { additionalProperties: false });
