/**
 * Named request and response types of the API, taken from the types generated from the server's OpenAPI
 * document (src/generated/openapi.ts), so they cannot drift from what the server validates and returns.
 */
import type { EventEnvelope, EventName } from './generated/events.js';
import type { operations } from './generated/openapi.js';

export type OperationId = keyof operations;

/** The JSON body the server answers `K` with, for status `S`. */
export type ResponseOf<K extends OperationId, S extends number = 200> = operations[K] extends { responses: infer R }
  ? S extends keyof R
    ? R[S] extends { content: { 'application/json': infer T } }
      ? T
      : never
    : never
  : never;

/** The JSON request body of `K`. */
export type BodyOf<K extends OperationId> = operations[K] extends { requestBody?: infer B }
  ? NonNullable<B> extends { content: { 'application/json': infer T } }
    ? T
    : never
  : never;

/** The query parameters of `K`. */
export type QueryOf<K extends OperationId> = operations[K] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export interface Pagination {
  page: number;
  limit: number;
  total: number;
  totalPages: number;
}

/** One page of a list: `{ data, pagination: { page, limit, total, totalPages } }`. */
export interface Page<T> {
  data: T[];
  pagination: Pagination;
  /** On lists with keyset paging (users): the `cursor` of the next page, null on the last. */
  nextCursor?: string | null;
}

// Users
export type User = ResponseOf<'getUser'>;
export type UserListParams = QueryOf<'listUsers'>;
export type UserCreateParams = BodyOf<'createUser'>;
export type UserUpdateParams = BodyOf<'updateUser'>;
/** A page of users with the keyset cursor of the next page (`null` on the last). */
export type UserPage = ResponseOf<'listUsers'>;
export type UserBulkParams = BodyOf<'bulkUsers'>;
export type UserBulkResult = ResponseOf<'bulkUsers'>;
export type UserSuspendParams = BodyOf<'suspendUser'>;
export type UserSession = ResponseOf<'listUserSessions'>['data'][number];

// Authentication
export type LoginParams = BodyOf<'login'>;
export type TokenResponse = ResponseOf<'login'>;
export type RefreshResponse = ResponseOf<'refreshToken'>;
export type ChangePasswordParams = BodyOf<'changePassword'>;

// API keys
export type ApiKey = ResponseOf<'getApiKey'>;
export type CreatedApiKey = ResponseOf<'createApiKey', 201>;
export type ApiKeyListParams = QueryOf<'listApiKeys'>;
export type ApiKeyCreateParams = BodyOf<'createApiKey'>;

// Audit log
export type AuditLog = ResponseOf<'listAuditLogs'>['data'][number];
export type AuditLogListParams = QueryOf<'listAuditLogs'>;

// Game worlds
export type GameWorld = ResponseOf<'getGameWorld'>;
export type GameWorldListParams = QueryOf<'listGameWorlds'>;
/** A world as the list gives it: with `live` players, capacity and instance counts. */
export type GameWorldListItem = ResponseOf<'listGameWorlds'>['data'][number];
export type WorldInstance = ResponseOf<'listWorldInstances'>['data'][number];
export type InstanceHeartbeat = BodyOf<'heartbeatWorldInstance'>;
export type InstanceHeartbeatAnswer = ResponseOf<'heartbeatWorldInstance'>;
export type GameWorldCreateParams = BodyOf<'createGameWorld'>;
export type GameWorldUpdateParams = BodyOf<'updateGameWorld'>;
export type GameWorldMaintenanceParams = BodyOf<'setGameWorldMaintenance'>;

// Global maintenance
export type GlobalMaintenance = ResponseOf<'getMaintenance'>;
export type MaintenanceParams = BodyOf<'setMaintenance'>;

// Whitelist
export type WhitelistEntry = ResponseOf<'getWhitelistEntry'>;
export type WhitelistListParams = QueryOf<'listWhitelistEntries'>;
export type WhitelistImportParams = BodyOf<'importWhitelistEntries'>;
export type WhitelistImportResult = ResponseOf<'importWhitelistEntries'>;
export type WhitelistTestParams = BodyOf<'testWhitelist'>;
export type WhitelistTestResult = ResponseOf<'testWhitelist'>;
export type WhitelistCreateParams = BodyOf<'createWhitelistEntry'>;
export type WhitelistUpdateParams = BodyOf<'updateWhitelistEntry'>;

// Client versions
export type ClientVersion = ResponseOf<'getClientVersion'>;
export type ClientVersionListParams = QueryOf<'listClientVersions'>;
export type ClientVersionCreateParams = BodyOf<'createClientVersion'>;
export type ClientVersionUpdateParams = BodyOf<'updateClientVersion'>;

// Game-client API
export type ClientVersionQuery = QueryOf<'getClientVersionStatus'>;
export type ClientVersionAnswer = ResponseOf<'getClientVersionStatus'>;
export type ClientCallerParams = QueryOf<'getClientStatus'>;
export type ClientStatus = ResponseOf<'getClientStatus'>;
export type ClientGameWorld = ResponseOf<'listClientGameWorlds'>['data'][number];
export type ClientVersionListQuery = QueryOf<'listClientVersionsForClient'>;
export type ClientVersionListItem = ResponseOf<'listClientVersionsForClient'>['data'][number];
export type ClientNoticesQuery = QueryOf<'listClientNotices'>;
export type ClientNotice = ResponseOf<'listClientNotices'>['data'][number];

// Notices
export type Notice = ResponseOf<'getNotice'>;
export type NoticeListParams = QueryOf<'listNotices'>;
export type NoticeCreateParams = BodyOf<'createNotice'>;
export type NoticeUpdateParams = BodyOf<'updateNotice'>;

// Game servers
export type ServerSnapshot = ResponseOf<'getServerSnapshot'>;

// Webhooks
export type Webhook = ResponseOf<'getWebhook'>;
export type WebhookWithSecret = ResponseOf<'createWebhook', 201>;
export type WebhookListParams = QueryOf<'listWebhooks'>;
export type WebhookCreateParams = BodyOf<'createWebhook'>;
export type WebhookUpdateParams = BodyOf<'updateWebhook'>;
export type WebhookDelivery = ResponseOf<'testWebhook', 202>;
export type WebhookDeliveryWithAttempts = ResponseOf<'getWebhookDelivery'>;
export type WebhookDeliveryListParams = QueryOf<'listWebhookDeliveries'>;
export type WebhookRecoverParams = BodyOf<'recoverWebhookDeliveries'>;
export type WebhookRecoverResult = ResponseOf<'recoverWebhookDeliveries', 202>;
export type WebhookHealth = ResponseOf<'getWebhookHealth'>;
export type WebhookBulkRetryParams = BodyOf<'retryWebhookDeliveries'>;
export type WebhookBulkRetryResult = ResponseOf<'retryWebhookDeliveries', 202>;
export type EventType = ResponseOf<'listEventTypes'>['data'][number];

// Event feed
/** One event of the feed: the envelope webhooks carry, narrowed by `event`. */
export type FeedEvent = { [E in EventName]: EventEnvelope<E> }[EventName];
export type EventFeedPage = Omit<ResponseOf<'listEvents'>, 'data'> & { data: FeedEvent[] };
/** `types`: a comma-separated string or a list of event names, `prefix.*` or `*`. */
export type EventListParams = Omit<QueryOf<'listEvents'>, 'types'> & { types?: string | readonly string[] };
export type EventIterParams = Omit<EventListParams, 'newest'>;
