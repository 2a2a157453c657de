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

const EventTypes = Type.Object({
  data: Type.Array(
    Type.Object({ event: Type.String(), socketEvent: Nullable(Type.String()), description: Type.String(), example: Type.Unknown() }),
  ),
});

export function webhooksRoutes(app: App, webhooks: WebhooksService): void {
  app.get('/api/v1/event-types', {
    config: { permission: 'webhooks.read' },
    schema: { operationId: 'listEventTypes', summary: 'Every event, its Socket.IO name, and an example envelope', tags, response: { 200: EventTypes, ...errorResponses(401, 403) } },
    handler: () => ({
      data: EVENT_NAMES.map((event) => ({
        event,
        socketEvent: EVENT_CATALOG[event].socketEvent,
        description: EVENT_CATALOG[event].description,
        example: { id: 'evt_0194f3c2a1b0a1b2c3d4e5f6a7b8', event, timestamp: '2026-01-01T00:00:00.000Z', data: EVENT_EXAMPLES[event] },
      })),
    }),
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
    list: { operationId: 'listWebhooks', summary: 'List webhook endpoints' },
    create: {
      operationId: 'createWebhook',
      summary: 'Register an endpoint; without a secret one is generated. The secret is in this response only',
      response: WebhookWithSecret,
      secretOnce: true,
      errors: [400, 401, 403, 415, 422],
    },
    get: { operationId: 'getWebhook', summary: 'Get a webhook endpoint' },
    update: {
      operationId: 'updateWebhook',
      patchOperationId: 'patchWebhook',
      summary: 'Update an endpoint (partial); `active: true` re-enables a disabled one',
      errors: [400, 401, 403, 404, 412, 415],
    },
    delete: { operationId: 'deleteWebhook', summary: 'Delete an endpoint and its deliveries' },
  });

  app.post('/api/v1/webhooks/:id/test', {
    config: { permission: 'webhooks.write' },
    schema: { operationId: 'testWebhook', summary: 'Send a webhook.test event to this endpoint', tags, params: IdParams, response: { 202: Delivery, ...errorResponses(401, 403, 404) } },
    handler: async (request, reply) => reply.code(202).send(await webhooks.test(request.params.id, actorOf(request))),
  });

  app.post('/api/v1/webhooks/:id/rotate-secret', {
    config: { permission: 'webhooks.write', noStore: true },
    schema: {
      operationId: 'rotateWebhookSecret',
      summary: 'New secret (in this response only); the old one keeps signing during the grace period',
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
      tags,
      params: IdParams,
      body: RecoverBody,
      response: { 202: Type.Object({ requeued: Type.Integer() }), ...errorResponses(400, 401, 403, 404, 415) },
    },
    handler: async (request, reply) => reply.code(202).send(await webhooks.recover(request.params.id, request.body.since, request.body.until, actorOf(request))),
  });

  app.get('/api/v1/webhook-deliveries/:id', {
    config: { permission: 'webhooks.read' },
    schema: {
      operationId: 'getWebhookDelivery',
      summary: 'A delivery with its payload and its last 20 attempts',
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
      tags,
      params: IdParams,
      querystring: Type.Object(PageQuery),
      response: { 200: Paginated(Attempt), ...errorResponses(400, 401, 403, 404) },
    },
    handler: (request) => webhooks.attempts(request.params.id, request.query),
  });

  app.post('/api/v1/webhook-deliveries/:id/retry', {
    config: { permission: 'webhooks.write' },
    schema: { operationId: 'retryWebhookDelivery', summary: 'Send a delivery again now', tags, params: IdParams, response: { 202: Delivery, ...errorResponses(400, 401, 403, 404) } },
    handler: async (request, reply) => reply.code(202).send(await webhooks.retry(request.params.id, actorOf(request))),
  });
}
