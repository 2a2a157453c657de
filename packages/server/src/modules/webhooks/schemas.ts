import { Type, type Static } from '@sinclair/typebox';
import { EXAMPLE_TIME } from '../../events/catalog.ts';
import { PageQuery } from '../../http/schemas.ts';
import { IsoDateTime, Nullable, NullableIsoDateTime, OptionalFields, StringEnum, Timestamps, UpdateBody } from '../../core/fields.ts';

/** An event name, a `prefix.*` pattern or `*`. */
const EventFilter = Type.String({ minLength: 1, maxLength: 64, pattern: '^(\\*|[a-z_]+(\\.[a-z_]+)*(\\.\\*)?)$' });
const HeaderName = '^[A-Za-z0-9!#$%&\'*+.^_`|~-]{1,64}$';
const Headers = Type.Record(Type.String({ pattern: HeaderName }), Type.String({ maxLength: 1024, pattern: '^[^\\r\\n]*$' }), {
  additionalProperties: false,
  maxProperties: 20,
});

const WEBHOOK_EXAMPLE = {
  id: 4,
  url: 'https://hooks.example.com/gatrix',
  events: ['user.*', 'maintenance.started'],
  active: true,
  description: 'Ops alerts',
  headers: { 'X-Team': 'live-ops' },
  disabledReason: null,
  failingSince: null,
  secretRotationEndsAt: null,
  createdAt: EXAMPLE_TIME,
  updatedAt: EXAMPLE_TIME,
};

const DELIVERY_EXAMPLE = {
  id: 981,
  webhookId: 4,
  eventId: 'evt_0194f3c2a1b0a1b2c3d4e5f6a7b8',
  event: 'user.created',
  status: 'delivered' as const,
  attempts: 1,
  nextAttemptAt: null,
  lastStatusCode: 200,
  lastError: null,
  createdAt: EXAMPLE_TIME,
  deliveredAt: EXAMPLE_TIME,
};

const ATTEMPT_EXAMPLE = {
  attempt: 1,
  requestHeaders: { 'content-type': 'application/json', 'x-gatrix-event': 'user.created' },
  responseStatus: 200,
  responseHeaders: { 'content-type': 'text/plain' },
  responseBody: 'ok',
  durationMs: 84,
  error: null,
  createdAt: EXAMPLE_TIME,
};

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
  { title: 'Webhook', examples: [WEBHOOK_EXAMPLE] },
);
export type PublicWebhook = Static<typeof Webhook>;

export const WebhookWithSecret = Type.Intersect([Webhook, Type.Object({ secret: Type.String({ description: 'Shown only in this response' }) })], {
  title: 'WebhookWithSecret',
  examples: [{ ...WEBHOOK_EXAMPLE, secret: 'whsec_5b1f0c8e2d7a4f96b3e0c1d2a8f7e6b5' }],
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
  {
    additionalProperties: false,
    title: 'CreateWebhookBody',
    examples: [{ url: 'https://hooks.example.com/gatrix', events: ['user.*', 'maintenance.started'], description: 'Ops alerts', headers: { 'X-Team': 'live-ops' } }],
  },
);
export type CreateWebhookInput = Static<typeof CreateWebhookBody>;

/** The secret is not updated here: POST /webhooks/:id/rotate-secret replaces it. */
export const UpdateWebhookBody = UpdateBody(Type.Omit(CreateWebhookBody, ['secret']).properties, { title: 'UpdateWebhookBody', examples: [{ active: true }] });
export type UpdateWebhookInput = Static<typeof UpdateWebhookBody>;

export const ListWebhooksQuery = Type.Object({ ...PageQuery, active: Type.Optional(Type.Boolean({ description: 'Only active (true) or disabled (false) endpoints' })) });
export type ListWebhooksFilter = Static<typeof ListWebhooksQuery>;

export const DELIVERY_STATUSES = ['pending', 'delivering', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** Every status but delivered: the few deliveries that the due index (status, next_attempt_at) keeps apart from the many delivered. */
export const UNDELIVERED_STATUSES = DELIVERY_STATUSES.filter((s) => s !== 'delivered');

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
  { title: 'WebhookDelivery', examples: [DELIVERY_EXAMPLE] },
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
  { title: 'WebhookAttempt', examples: [ATTEMPT_EXAMPLE] },
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
  {
    title: 'WebhookDeliveryDetail',
    examples: [
      {
        ...DELIVERY_EXAMPLE,
        payload: { id: DELIVERY_EXAMPLE.eventId, event: 'user.created', timestamp: EXAMPLE_TIME, data: { userId: 42 } },
        attemptsLog: [ATTEMPT_EXAMPLE],
      },
    ],
  },
);

export const ListDeliveriesQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(StringEnum(DELIVERY_STATUSES, { description: 'Only deliveries in this status' })),
  event: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Only deliveries of this event name' })),
  from: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Deliveries created at or after this time (RFC 3339)' })),
  to: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Deliveries created before this time (RFC 3339)' })),
});
export type ListDeliveriesFilter = Static<typeof ListDeliveriesQuery>;

export const RecoverBody = Type.Object(
  { since: IsoDateTime, until: Type.Optional(IsoDateTime) },
  { additionalProperties: false, title: 'RecoverDeliveriesBody', examples: [{ since: '2026-01-01T00:00:00.000Z', until: '2026-01-02T00:00:00.000Z' }] },
);

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
  {
    additionalProperties: false,
    title: 'WebhookBulkRetryRequest',
    examples: [{ status: 'failed', eventType: 'user.created', since: '2026-01-01T00:00:00.000Z', until: '2026-01-02T00:00:00.000Z' }],
  },
);
export type BulkRetryInput = Static<typeof BulkRetryBody>;

export const BulkRetryResult = Type.Object({ retried: Type.Integer({ description: 'Deliveries put back in the queue, due now' }) }, { title: 'WebhookBulkRetryResult', examples: [{ retried: 7 }] });
