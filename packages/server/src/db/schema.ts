import type { Generated } from 'kysely';

/**
 * The database as Kysely sees it. Times are ISO-8601 UTC strings and booleans are 0/1 integers on both
 * SQLite and PostgreSQL, so one code path serves both dialects (docs/decisions/0002-one-schema-two-dialects.md).
 */
export interface Database {
  users: UsersTable;
  api_keys: ApiKeysTable;
  refresh_tokens: RefreshTokensTable;
  audit_logs: AuditLogsTable;
  outbox_events: OutboxEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  game_worlds: GameWorldsTable;
  global_maintenance: GlobalMaintenanceTable;
  whitelist_entries: WhitelistEntriesTable;
  client_versions: ClientVersionsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  webhook_nodes: WebhookNodesTable;
  key_checks: KeyChecksTable;
  metric_minutes: MetricMinutesTable;
  world_instances: WorldInstancesTable;
  notices: NoticesTable;
  table_revisions: TableRevisionsTable;
}

/** A cached table's revision, moved by the database's own triggers on every write (migration 0015). */
export interface TableRevisionsTable {
  name: string;
  /** bigint: PostgreSQL returns it as a string. */
  revision: number | string;
}

/** A running server of a game world, kept by its heartbeats (modules/game-worlds/instances.ts). */
export interface WorldInstancesTable {
  /** game_worlds.id */
  world_id: number;
  instance_id: string;
  address: string;
  region: string | null;
  capacity: number;
  players: number;
  status: string;
  version: string | null;
  /** JSON array of strings. */
  tags: string;
  /** 1 while it heartbeats within GATRIX_INSTANCE_TTL, 0 once the sweep marked it down. */
  up: number;
  registered_at: string;
  last_seen_at: string;
  down_at: string | null;
}

/** One node's request, webhook, queue and socket figures for one minute (src/monitoring/timeseries.ts). */
export interface MetricMinutesTable {
  node_id: string;
  /** The minute's start, ISO-8601 UTC. */
  minute: string;
  requests: number;
  /** 5xx answers. */
  errors: number;
  /** JSON: the latency histogram's non-empty buckets, `{ "<bucket>": count }`. */
  latency: string;
  webhooks_delivered: number;
  webhooks_failed: number;
  queue_depth: number;
  sockets: number;
  updated_at: string;
}

/** What proves a node runs with the keys the database was set up with (src/app/keys.ts). */
export interface KeyChecksTable {
  name: 'jwt' | 'encryption';
  /** HMAC-SHA256 of a fixed text under the key; null until the first start records it from the secrets it opens. */
  check_value: string | null;
  created_at: string;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  email: string;
  display_name: string | null;
  role: string;
  status: string;
  password_hash: string | null;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
  /** Bumped to lift the account's failed-login lockout (modules/auth/login-limiter.ts). */
  lockout_epoch: Generated<number>;
  /** Why the account is suspended (null unless status is `suspended`). */
  suspended_reason: string | null;
  /** When a temporary suspension ends; null: until lifted by hand. */
  suspended_until: string | null;
}

export interface ApiKeysTable {
  id: Generated<number>;
  name: string;
  type: string;
  prefix: string;
  key_hash: string;
  created_by: number | null;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

export interface RefreshTokensTable {
  id: Generated<number>;
  user_id: number;
  family_id: string;
  token_hash: string;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

export interface AuditLogsTable {
  id: Generated<number>;
  actor_type: string;
  actor_id: number | null;
  actor_name: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  before: string | null;
  after: string | null;
  ip: string | null;
  request_id: string | null;
  /** The X-Audit-Reason the request gave, decoded. */
  reason: string | null;
  created_at: string;
}

export interface OutboxEventsTable {
  seq: Generated<number>;
  id: string;
  type: string;
  payload: string;
  created_at: string;
  /** Set when a node has fanned the event out to webhooks and sockets. */
  dispatched_at: string | null;
  /** The event's place in the feed (GET /api/v1/events), given when it is dispatched, in commit order. */
  feed_position: number | null;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  method: string;
  path: string;
  body_hash: string;
  status_code: number | null;
  /** Sealed (core/secret-box.ts): it may hold a credential shown only once. */
  response_body: string | null;
  created_at: string;
}

/** The maintenance columns shared by a game world and the global maintenance row. */
export interface MaintenanceColumns {
  maintenance_enabled: number;
  maintenance: number;
  maintenance_message: string | null;
  /** JSON object {lang: text}. */
  maintenance_messages: string;
  maintenance_starts_at: string | null;
  maintenance_ends_at: string | null;
}

export interface GameWorldsTable extends MaintenanceColumns {
  id: Generated<number>;
  world_id: string;
  name: string;
  description: string | null;
  visible: number;
  display_order: number;
  region: string | null;
  /** JSON array of strings. */
  tags: string;
  /** JSON object or null. */
  custom_payload: string | null;
  created_at: string;
  updated_at: string;
}

export interface GlobalMaintenanceTable extends MaintenanceColumns {
  id: number;
  updated_at: string;
}

export interface WhitelistEntriesTable {
  id: Generated<number>;
  type: string;
  value: string;
  memo: string | null;
  enabled: number;
  starts_at: string | null;
  ends_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ClientVersionsTable {
  id: Generated<number>;
  channel: string;
  sub_channel: string;
  version: string;
  status: string;
  game_server_address: string;
  game_server_address_for_whitelist: string | null;
  patch_address: string;
  patch_address_for_whitelist: string | null;
  min_patch_version: string | null;
  guest_mode_allowed: number;
  external_click_link: string | null;
  /** JSON object or null. */
  custom_payload: string | null;
  maintenance_message: string | null;
  /** JSON object {lang: text}. */
  maintenance_messages: string;
  memo: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhooksTable {
  id: Generated<number>;
  url: string;
  /** JSON array of event names, `prefix.*` patterns or `*`. */
  events: string;
  /** AES-256-GCM ciphertext of the signing secret (core/secret-box.ts). */
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_expires_at: string | null;
  active: number;
  description: string | null;
  /** JSON object of extra request headers. */
  /** JSON: header name → sealed value (modules/webhooks/headers.ts). */
  headers: string;
  disabled_reason: string | null;
  failing_since: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  webhook_id: number;
  event_id: string;
  event_type: string;
  /** The envelope exactly as sent (serialized once). */
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  lease_until: string | null;
  /** The webhook node holding the lease (webhook_nodes.id). */
  leased_by: string | null;
  last_status_code: number | null;
  last_error: string | null;
  event_created_at: string;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

export interface WebhookAttemptsTable {
  id: Generated<number>;
  delivery_id: number;
  attempt: number;
  request_headers: string;
  response_status: number | null;
  response_headers: string | null;
  response_body: string | null;
  duration_ms: number;
  error: string | null;
  created_at: string;
}

/** A running webhook worker and its heartbeat. */
export interface WebhookNodesTable {
  id: string;
  started_at: string;
  heartbeat_at: string;
}

/** A service notice for players (src/modules/notices/). */
export interface NoticesTable {
  id: Generated<number>;
  category: string;
  priority: number;
  /** The default title and body, served when no translation fits the client's language. */
  title: string;
  body: string;
  /** JSON object {lang: {title, body}}. */
  translations: string;
  enabled: number;
  starts_at: string | null;
  ends_at: string | null;
  /** JSON arrays of strings; empty: every channel, sub-channel, world. */
  channels: string;
  sub_channels: string;
  world_ids: string;
  min_version: string | null;
  max_version: string | null;
  created_at: string;
  updated_at: string;
}
