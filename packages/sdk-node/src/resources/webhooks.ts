import { pathId, type RequestOptions } from '../core.js';
import type {
  WebhookBulkRetryParams,
  WebhookBulkRetryResult,
  WebhookHealth,
  EventType,
  Page,
  Webhook,
  WebhookCreateParams,
  WebhookDelivery,
  WebhookDeliveryListParams,
  WebhookDeliveryWithAttempts,
  WebhookListParams,
  WebhookRecoverParams,
  WebhookRecoverResult,
  WebhookUpdateParams,
  WebhookWithSecret,
} from '../types.js';
import { Resource } from './resource.js';

/** `/api/v1/webhooks`: endpoints that receive signed event deliveries, and those deliveries. */
export class Webhooks extends Resource {
  /** One page. Filter: `active`. */
  list(params: WebhookListParams = {}, options?: RequestOptions): Promise<Page<Webhook>> {
    return this.request('GET', '/api/v1/webhooks', { query: params, options });
  }

  iterate(params: WebhookListParams = {}, options?: RequestOptions): AsyncGenerator<Webhook, void, undefined> {
    return this.paginate((p, o) => this.list(p, o), params, options);
  }

  get(id: number, options?: RequestOptions): Promise<Webhook> {
    return this.request('GET', `/api/v1/webhooks/${pathId(id)}`, { options });
  }

  /**
   * Registers an endpoint for `events` (names, `prefix.*` or `*`). Without `secret` one is generated
   * (`whsec_…`); the answer is the only place the secret is shown.
   */
  create(params: WebhookCreateParams, options?: RequestOptions): Promise<WebhookWithSecret> {
    return this.request('POST', '/api/v1/webhooks', { body: params, options });
  }

  /** Partial update; `{ active: true }` re-enables an endpoint Gatrix disabled. */
  update(id: number, params: WebhookUpdateParams, options?: RequestOptions): Promise<Webhook> {
    return this.request('PUT', `/api/v1/webhooks/${pathId(id)}`, { body: params, options });
  }

  /** Deletes the endpoint and its deliveries. */
  delete(id: number, options?: RequestOptions): Promise<void> {
    return this.request('DELETE', `/api/v1/webhooks/${pathId(id)}`, { options });
  }

  /** Queues a `webhook.test` delivery to this endpoint. */
  test(id: number, options?: RequestOptions): Promise<WebhookDelivery> {
    return this.request('POST', `/api/v1/webhooks/${pathId(id)}/test`, { options });
  }

  /** A new secret (in this answer only); the old one keeps signing too for the grace period. */
  rotateSecret(id: number, options?: RequestOptions): Promise<WebhookWithSecret> {
    return this.request('POST', `/api/v1/webhooks/${pathId(id)}/rotate-secret`, { options });
  }

  /** Deliveries to this endpoint, newest first. Filters: `status`, `event`, `from`, `to`. */
  deliveries(id: number, params: WebhookDeliveryListParams = {}, options?: RequestOptions): Promise<Page<WebhookDelivery>> {
    return this.request('GET', `/api/v1/webhooks/${pathId(id)}/deliveries`, { query: params, options });
  }

  iterateDeliveries(id: number, params: WebhookDeliveryListParams = {}, options?: RequestOptions): AsyncGenerator<WebhookDelivery, void, undefined> {
    return this.paginate((p, o) => this.deliveries(id, p, o), params, options);
  }

  /** One delivery with its payload and every attempt (status, headers, body excerpt, duration, error). */
  getDelivery(deliveryId: number, options?: RequestOptions): Promise<WebhookDeliveryWithAttempts> {
    return this.request('GET', `/api/v1/webhook-deliveries/${pathId(deliveryId)}`, { options });
  }

  /** Sends one delivery again now. */
  retry(deliveryId: number, options?: RequestOptions): Promise<WebhookDelivery> {
    return this.request('POST', `/api/v1/webhook-deliveries/${pathId(deliveryId)}/retry`, { options });
  }

  /** Re-queues every failed delivery of this endpoint created in `[since, until)`. */
  recover(id: number, params: WebhookRecoverParams, options?: RequestOptions): Promise<WebhookRecoverResult> {
    return this.request('POST', `/api/v1/webhooks/${pathId(id)}/recover`, { body: params, options });
  }

  /** Sends again the endpoint's deliveries matching a filter (`status`, default `failed`; `eventType`; `since`/`until`). */
  retryDeliveries(id: number, params: WebhookBulkRetryParams = {}, options?: RequestOptions): Promise<WebhookBulkRetryResult> {
    return this.request('POST', `/api/v1/webhooks/${pathId(id)}/deliveries/retry`, { body: params, options });
  }

  /** Success rates over 1 h / 24 h, deliveries by status, queue depth, last success and failure. */
  health(id: number, options?: RequestOptions): Promise<WebhookHealth> {
    return this.request('GET', `/api/v1/webhooks/${pathId(id)}/health`, { options });
  }

  /** The health of every endpoint. */
  async healthAll(options?: RequestOptions): Promise<WebhookHealth[]> {
    return (await this.request<{ data: WebhookHealth[] }>('GET', '/api/v1/webhooks/health', { options })).data;
  }

  /** Every event: its webhook name, Socket.IO name, description and an example envelope. */
  async eventTypes(options?: RequestOptions): Promise<EventType[]> {
    const result = await this.request<{ data: EventType[] }>('GET', '/api/v1/event-types', { options });
    return result.data;
  }
}
