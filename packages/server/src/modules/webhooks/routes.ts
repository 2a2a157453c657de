import { Type } from '@sinclair/typebox';
import { EVENT_CATALOG, EVENT_EXAMPLES, EVENT_NAMES } from '../../events/catalog.ts';
import { actorOf } from '../../http/auth.ts';
import { resourceRoutes } from '../../http/resource-routes.ts';
import { errorResponses, IdParams, PageQuery, Paginated } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { Attempt, BulkRetryBody, BulkRetryResult, WebhookHealthList, WebhookHealthSchema, CreateWebhookBody, Delivery, DeliveryWithAttempts, ListDeliveriesQuery, ListWebhooksQuery, RecoverBody, UpdateWebhookBody, Webhook, WebhookWithSecret } from './schemas.ts';
import type { WebhooksService } from './service.ts';
import { Nullable } from '../../core/fields.ts';

const tags = ['webhooks'];

const IdParamsDoc = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'The webhook endpoint id' }) });


const eventTypes = () =>
  EVENT_NAMES.map((event) => ({
    event,
    socketEvent: EVENT_CATALOG[event].socketEvent,
    description: EVENT_CATALOG[event].description,
    example: { id: 'evt_0194f3c2a1b0a1b2c3d4e5f6a7b8', event, timestamp: '2026-01-01T00:00:00.000Z', data: EVENT_EXAMPLES[event] },
  }));

export function webhooksRoutes(app: App, webhooks: WebhooksService): void {
  // Built here, once the features' events have filled the catalog: the example is its first event.
  const EventTypes = Type.Object(
    {
      data: Type.Array(
        Type.Object(
          { event: Type.String(), socketEvent: Nullable(Type.String()), description: Type.String(), example: Type.Unknown({ description: 'An example webhook envelope' }) },
          { title: 'EventType' },
        ),
      ),
    },
    { title: 'EventTypeList', description: 'Every event of the catalog', examples: [{ data: eventTypes().slice(0, 1) }] },
  );
  app.get('/api/v1/event-types', {
    config: { permission: 'webhooks.read' },
    schema: {
      operationId: 'listEventTypes',
      summary: 'Every event, its Socket.IO name, and an example envelope',
      description: 'The event catalog: what webhooks can subscribe to (by name, `prefix.*` or `*`) and what sockets receive; socketEvent is null for webhook-only events.',
      tags,
      response: { 200: EventTypes, ...errorResponses(401, 403) },
    },
    handler: () => ({ data: eventTypes() }),
  });

  app.get('/api/v1/webhooks/health', {
    config: { permission: 'webhooks.read' },
    schema: {
      operationId: 'listWebhookHealth',
      summary: 'Health of every webhook endpoint',
      description:
        'Per endpoint: attempt success rates over the last hour and day, retained deliveries by status, queue depth, the last success and ' +
        'failure, and whether Gatrix disabled it and why.',
      tags,
      response: { 200: WebhookHealthList, ...errorResponses(401, 403, 429) },
    },
    handler: async () => ({ data: await webhooks.healthAll() }),
  });

  app.get('/api/v1/webhooks/:id/health', {
    config: { permission: 'webhooks.read' },
    schema: {
      operationId: 'getWebhookHealth',
      summary: "One webhook endpoint's health",
      description: 'Attempt success rates over the last hour and day, deliveries by status, queue depth, last success and failure, disabled flag and reason.',
      tags,
      params: IdParamsDoc,
      response: { 200: WebhookHealthSchema, ...errorResponses(400, 401, 403, 404, 429) },
    },
    handler: (request) => webhooks.health(request.params.id),
  });

  app.post('/api/v1/webhooks/:id/deliveries/retry', {
    config: { permission: 'webhooks.write' },
    schema: {
      operationId: 'retryWebhookDeliveries',
      summary: "Send an endpoint's deliveries again, by filter",
      description:
        'Every delivery of the endpoint with the given status (default `failed`), event and creation time range goes back to the queue, due now, ' +
        'with its attempt history kept (as POST /webhook-deliveries/:id/retry does for one). One transaction, audited as `webhook.retry_bulk`.',
      tags,
      params: IdParamsDoc,
      body: BulkRetryBody,
      response: { 202: BulkRetryResult, ...errorResponses(400, 401, 403, 404, 415, 429) },
    },
    handler: async (request, reply) => reply.code(202).send(await webhooks.retryMany(request.params.id, request.body, actorOf(request))),
  });

  resourceRoutes(app, {
    path: '/api/v1/webhooks',
    tags,
    permissions: { read: 'webhooks.read', write: 'webhooks.write' },
    schemas: { item: Webhook, query: ListWebhooksQuery, create: CreateWebhookBody, update: UpdateWebhookBody },
    service: webhooks,
    list: { operationId: 'listWebhooks', summary: 'List webhook endpoints', description: 'Registered endpoints, without their secrets; `active: false` ones were disabled by an operator or by failing (see disabledReason).' },
    create: {
      operationId: 'createWebhook',
      summary: 'Register an endpoint; without a secret one is generated. The secret is in this response only',
      description: 'The URL must be public http(s) (private and local addresses are refused). The secret signs every delivery; it is shown in this answer only.',
      response: WebhookWithSecret,
      secretOnce: true,
      errors: [400, 401, 403, 415, 422],
    },
    get: { operationId: 'getWebhook', summary: 'Get a webhook endpoint' },
    update: {
      operationId: 'updateWebhook',
      patchOperationId: 'patchWebhook',
      summary: 'Update an endpoint (partial); `active: true` re-enables a disabled one',
      description: 'Changes the fields sent; the secret is changed only by rotate-secret. If-Match makes the change conditional (412 when stale).',
      errors: [400, 401, 403, 404, 412, 415],
    },
    delete: { operationId: 'deleteWebhook', summary: 'Delete an endpoint and its deliveries' },
  });

  app.post('/api/v1/webhooks/:id/test', {
    config: { permission: 'webhooks.write' },
    schema: {
      operationId: 'testWebhook',
      summary: 'Send a webhook.test event to this endpoint',
      description: 'Queues one webhook.test delivery to this endpoint only and answers it (202); follow it with GET /webhook-deliveries/{id}.',
      tags,
      params: IdParams,
      response: { 202: Delivery, ...errorResponses(401, 403, 404) },
    },
    handler: async (request, reply) => reply.code(202).send(await webhooks.test(request.params.id, actorOf(request))),
  });

  app.post('/api/v1/webhooks/:id/rotate-secret', {
    config: { permission: 'webhooks.write', noStore: true },
    schema: {
      operationId: 'rotateWebhookSecret',
      summary: 'New secret (in this response only); the old one keeps signing during the grace period',
      description: 'Until secretRotationEndsAt deliveries carry both signatures, so the receiver can switch without losing any.',
      tags,
      params: IdParams,
      response: { 200: WebhookWithSecret, ...errorResponses(401, 403, 404) },
    },
    handler: (request) => webhooks.rotateSecret(request.params.id, actorOf(request)),
  });

  app.get('/api/v1/webhooks/:id/deliveries', {
    config: { permission: 'webhooks.read' },
    schema: {
      operationId: 'listWebhookDeliveries',
      summary: 'Deliveries to this endpoint, newest first',
      description: 'One delivery per event sent to the endpoint, with its status, attempts and last answer.',
      tags,
      params: IdParams,
      querystring: ListDeliveriesQuery,
      response: { 200: Paginated(Delivery), ...errorResponses(400, 401, 403, 404) },
    },
    handler: (request) => webhooks.deliveries(request.params.id, request.query),
  });

  app.post('/api/v1/webhooks/:id/recover', {
    config: { permission: 'webhooks.write' },
    schema: {
      operationId: 'recoverWebhookDeliveries',
      summary: 'Re-queue the failed deliveries created in [since, until)',
      description: 'After an outage of the receiver: failed deliveries of that time are sent again; answers how many.',
      tags,
      params: IdParams,
      body: RecoverBody,
      response: {
        202: Type.Object({ requeued: Type.Integer({ description: 'Deliveries queued again' }) }, { title: 'RecoverDeliveriesResult', description: 'How many deliveries were queued again', examples: [{ requeued: 17 }] }),
        ...errorResponses(400, 401, 403, 404, 415),
      },
    },
    handler: async (request, reply) => reply.code(202).send(await webhooks.recover(request.params.id, request.body.since, request.body.until, actorOf(request))),
  });

  app.get('/api/v1/webhook-deliveries/:id', {
    config: { permission: 'webhooks.read' },
    schema: {
      operationId: 'getWebhookDelivery',
      summary: 'A delivery with its payload and its last 20 attempts',
      description: 'The payload as sent and, per attempt, the request headers, the answer status, headers and first 20 KB of body.',
      tags,
      params: IdParams,
      response: { 200: DeliveryWithAttempts, ...errorResponses(401, 403, 404) },
    },
    handler: (request) => webhooks.delivery(request.params.id),
  });

  app.get('/api/v1/webhook-deliveries/:id/attempts', {
    config: { permission: 'webhooks.read' },
    schema: {
      operationId: 'listWebhookDeliveryAttempts',
      summary: "A delivery's attempts, oldest first",
      description: 'Every attempt of the delivery, a page at a time (the delivery itself shows the last 20).',
      tags,
      params: IdParams,
      querystring: Type.Object(PageQuery),
      response: { 200: Paginated(Attempt), ...errorResponses(400, 401, 403, 404) },
    },
    handler: (request) => webhooks.attempts(request.params.id, request.query),
  });

  app.post('/api/v1/webhook-deliveries/:id/retry', {
    config: { permission: 'webhooks.write' },
    schema: {
      operationId: 'retryWebhookDelivery',
      summary: 'Send a delivery again now',
      description: 'Queues the delivery for an attempt now, whatever its status; answers it (202).',
      tags,
      params: IdParams,
      response: { 202: Delivery, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => reply.code(202).send(await webhooks.retry(request.params.id, actorOf(request))),
  });
}
