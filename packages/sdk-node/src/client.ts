import { Transport, type GatrixClientOptions, type HttpMethod, type Query, type RequestOptions } from './core.js';
import { Realtime } from './realtime.js';
import { ApiKeys } from './resources/api-keys.js';
import { AuditLogs } from './resources/audit-logs.js';
import { Auth } from './resources/auth.js';
import { Events } from './resources/events.js';
import { GameClient } from './resources/game-client.js';
import { Maintenance } from './resources/maintenance.js';
import { Notices } from './resources/notices.js';
import { Users } from './resources/users.js';
import { Server } from './resources/server.js';
import { ClientVersions } from './resources/versions.js';
import { Webhooks } from './resources/webhooks.js';
import { Whitelist } from './resources/whitelist.js';
import { Worlds } from './resources/worlds.js';

/**
 * The Gatrix API client.
 *
 * ```js
 * const client = new GatrixClient({ apiKey: process.env.GATRIX_API_KEY, baseURL: 'https://api.gatrix.com', timeout: 5000 });
 * const users = await client.users.list({ page: 1, limit: 10 });
 * ```
 */
export class GatrixClient {
  readonly users: Users;
  readonly worlds: Worlds;
  /** Client versions (`/client-versions`). */
  readonly versions: ClientVersions;
  readonly maintenance: Maintenance;
  readonly whitelist: Whitelist;
  /** Service notices for players (`/notices`). */
  readonly notices: Notices;
  readonly apiKeys: ApiKeys;
  readonly webhooks: Webhooks;
  readonly auditLogs: AuditLogs;
  /** The event feed (`/events`): events after a cursor, long-polled. */
  readonly events: Events;
  /** The game-client API (`/client/*`). */
  readonly client: GameClient;
  /** What game servers read (`/server/*`). */
  readonly server: Server;
  readonly auth: Auth;
  readonly realtime: Realtime;
  /** The base URL requests go to (without `/api/v1`). */
  readonly baseURL: string;
  readonly #transport: Transport;

  constructor(options: GatrixClientOptions = {}) {
    const transport = new Transport(options);
    this.#transport = transport;
    this.baseURL = transport.baseURL;
    this.users = new Users(transport);
    this.worlds = new Worlds(transport);
    this.versions = new ClientVersions(transport);
    this.maintenance = new Maintenance(transport);
    this.whitelist = new Whitelist(transport);
    this.notices = new Notices(transport);
    this.apiKeys = new ApiKeys(transport);
    this.webhooks = new Webhooks(transport);
    this.auditLogs = new AuditLogs(transport);
    this.events = new Events(transport);
    this.client = new GameClient(transport);
    this.server = new Server(transport);
    this.auth = new Auth(transport);
    this.realtime = new Realtime(transport);
  }

  /** Any API call, with the client's authentication, timeout, retries and errors: `request('GET', '/api/v1/users/1')`. */
  request<T = unknown>(method: HttpMethod, path: string, init: { query?: Query; body?: unknown; options?: RequestOptions } = {}): Promise<T> {
    return this.#transport.request<T>(method, path, init);
  }
}
