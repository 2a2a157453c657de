import type { RequestOptions } from '../core.js';
import type { ClientCallerParams, ClientGameWorld, ClientNotice, ClientNoticesQuery, ClientStatus, ClientVersionAnswer, ClientVersionListItem, ClientVersionListQuery, ClientVersionQuery } from '../types.js';
import { Resource } from './resource.js';

/** `/api/v1/client/*`: what game clients ask (a client key is enough). */
export class GameClient extends Resource {
  /**
   * What this build may do: status (after maintenance, minPatchVersion and whitelist), addresses and message.
   * `version: 'latest'` asks for the newest registered version of the channel; `platform` is an alias of `channel`.
   */
  clientVersion(params: ClientVersionQuery, options?: RequestOptions): Promise<ClientVersionAnswer> {
    return this.request('GET', '/api/v1/client/client-version', { query: params, options });
  }

  /** Global maintenance as this caller sees it. */
  status(params: ClientCallerParams = {}, options?: RequestOptions): Promise<ClientStatus> {
    return this.request('GET', '/api/v1/client/status', { query: params, options });
  }

  /** Visible game worlds in display order, with maintenance as this caller sees it. */
  async gameWorlds(params: ClientCallerParams = {}, options?: RequestOptions): Promise<ClientGameWorld[]> {
    const result = await this.request<{ data: ClientGameWorld[] }>('GET', '/api/v1/client/game-worlds', { query: params, options });
    return result.data;
  }

  /** The registered versions of a channel (or `platform`) and sub-channel, newest first, each with its own status. */
  async clientVersions(params: ClientVersionListQuery, options?: RequestOptions): Promise<ClientVersionListItem[]> {
    const result = await this.request<{ data: ClientVersionListItem[] }>('GET', '/api/v1/client/client-versions', { query: params, options });
    return result.data;
  }

  /**
   * The service notices this client gets now, highest priority first, each in `lang` (its `lang` field names the
   * language served, null for the default text). A targeting parameter left out matches only notices that do not target it.
   */
  async notices(params: ClientNoticesQuery = {}, options?: RequestOptions): Promise<ClientNotice[]> {
    const result = await this.request<{ data: ClientNotice[] }>('GET', '/api/v1/client/notices', { query: params, options });
    return result.data;
  }
}
