import type { RequestOptions } from '../core.js';
import type { ClientCallerParams, ClientGameWorld, ClientStatus, ClientVersionAnswer, ClientVersionQuery } from '../types.js';
import { Resource } from './resource.js';

/** `/api/v1/client/*`: what game clients ask (a client key is enough). */
export class GameClient extends Resource {
  /** What this build may do: status (after maintenance, minPatchVersion and whitelist), addresses and message. */
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
}
