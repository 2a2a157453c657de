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

const HEALTH_EXAMPLE = {
  webhookId: 4,
  active: true,
  disabledReason: null,
  failingSince: null,
  successRate1h: 0.98,
  successRate24h: 0.995,
  attempts1h: 50,
  attempts24h: 1200,
  deliveries: { pending: 2, delivering: 1, delivered: 1190, failed: 7 },
  queueDepth: 3,
  lastSuccess: { at: '2026-01-01T00:00:00.000Z', statusCode: 200 },
  lastFailure: { at: '2025-12-31T23:40:00.000Z', statusCode: 503, error: null },
};

export const WebhookHealthSchema = Type.Object(
  {
    webhookId: Type.Integer(),
    active: Type.Boolean(),
    disabledReason: Nullable(Type.String({ description: '`gone` or `failing` when Gatrix disabled the endpoint' })),
    failingSince: NullableIsoDateTime,
    successRate1h: Nullable(Type.Number({ description: '2xx attempts / attempts over the last hour, 0 to 1; null with no attempts' })),
    successRate24h: Nullable(Type.Number({ description: 'The same over the last 24 hours' })),
    attempts1h: Type.Integer(),
    attempts24h: Type.Integer(),
    deliveries: Type.Object(
      { pending: Type.Integer(), delivering: Type.Integer(), delivered: Type.Integer(), failed: Type.Integer() },
      { description: 'Retained deliveries (GATRIX_WEBHOOK_RETENTION_DAYS) by status' },
    ),
    queueDepth: Type.Integer({ description: 'pending + delivering' }),
    lastSuccess: Nullable(Type.Object({ at: IsoDateTime, statusCode: Type.Integer() })),
    lastFailure: Nullable(Type.Object({ at: IsoDateTime, statusCode: Nullable(Type.Integer()), error: Nullable(Type.String()) })),
  },
  { title: 'WebhookHealth', examples: [HEALTH_EXAMPLE] },
);
export type WebhookHealth = Static<typeof WebhookHealthSchema>;

export const WebhookHealthList = Type.Object({ data: Type.Array(WebhookHealthSchema) }, { title: 'WebhookHealthList', examples: [{ data: [HEALTH_EXAMPLE] }] });

export const RETRYABLE_STATUSES = ['failed', 'delivered', 'pending'] as const;

export const BulkRetryBody = Type.Object(
  {
    status: Type.Optional(StringEnum(RETRYABLE_STATUSES, { default: 'failed', description: 'Which deliveries to send again (default `failed`); one being delivered is never touched' })),
    eventType: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Only deliveries of this event' })),
    since: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Only deliveries created at or after this time' })),
    until: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Only deliveries created before this time' })),
  },
  { additionalProperties: false, title: 'WebhookBulkRetryRequest' },
);
export type BulkRetryInput = Static<typeof BulkRetryBody>;

export const BulkRetryResult = Type.Object({ retried: Type.Integer({ description: 'Deliveries put back in the queue, due now' }) }, { title: 'WebhookBulkRetryResult', examples: [{ retried: 7 }] });
