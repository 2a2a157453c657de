import { pathId, type RequestOptions } from '../core.js';
import type { ClientVersion, ClientVersionCreateParams, ClientVersionListParams, ClientVersionUpdateParams, Page } from '../types.js';
import { Resource } from './resource.js';

/** `/api/v1/client-versions`: builds of the game client per channel and sub-channel, and what they may do. */
export class ClientVersions extends Resource {
  /** One page, ordered by channel, subChannel, then version (numerically). Filters: `channel`, `subChannel`, `status`. */
  list(params: ClientVersionListParams = {}, options?: RequestOptions): Promise<Page<ClientVersion>> {
    return this.request('GET', '/api/v1/client-versions', { query: params, options });
  }

  iterate(params: ClientVersionListParams = {}, options?: RequestOptions): AsyncGenerator<ClientVersion, void, undefined> {
    return this.paginate((p, o) => this.list(p, o), params, options);
  }

  get(id: number, options?: RequestOptions): Promise<ClientVersion> {
    return this.request('GET', `/api/v1/client-versions/${pathId(id)}`, { options });
  }

  create(params: ClientVersionCreateParams, options?: RequestOptions): Promise<ClientVersion> {
    return this.request('POST', '/api/v1/client-versions', { body: params, options });
  }

  /** Partial update: fields not given are kept. */
  update(id: number, params: ClientVersionUpdateParams, options?: RequestOptions): Promise<ClientVersion> {
    return this.request('PUT', `/api/v1/client-versions/${pathId(id)}`, { body: params, options });
  }

  delete(id: number, options?: RequestOptions): Promise<void> {
    return this.request('DELETE', `/api/v1/client-versions/${pathId(id)}`, { options });
  }
}
