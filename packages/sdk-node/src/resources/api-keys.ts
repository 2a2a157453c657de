import { pathId, type RequestOptions } from '../core.js';
import type { ApiKey, ApiKeyCreateParams, ApiKeyListParams, CreatedApiKey, Page } from '../types.js';
import { Resource } from './resource.js';

/** `/api/v1/api-keys`: keys for partner services (admin), game servers (server) and game clients (client). */
export class ApiKeys extends Resource {
  /** One page (prefix and last use; never the key). Filters: `type`, `includeRevoked`. */
  list(params: ApiKeyListParams = {}, options?: RequestOptions): Promise<Page<ApiKey>> {
    return this.request('GET', '/api/v1/api-keys', { query: params, options });
  }

  iterate(params: ApiKeyListParams = {}, options?: RequestOptions): AsyncGenerator<ApiKey, void, undefined> {
    return this.paginate((p, o) => this.list(p, o), params, options);
  }

  get(id: number, options?: RequestOptions): Promise<ApiKey> {
    return this.request('GET', `/api/v1/api-keys/${pathId(id)}`, { options });
  }

  /** The plaintext `key` is in this answer only: store it now. */
  create(params: ApiKeyCreateParams, options?: RequestOptions): Promise<CreatedApiKey> {
    return this.request('POST', '/api/v1/api-keys', { body: params, options });
  }

  /** Revokes the key at once (its live sockets are closed too). */
  revoke(id: number, options?: RequestOptions): Promise<void> {
    return this.request('DELETE', `/api/v1/api-keys/${pathId(id)}`, { options });
  }

  /** Same as {@link revoke}. */
  delete(id: number, options?: RequestOptions): Promise<void> {
    return this.revoke(id, options);
  }
}
