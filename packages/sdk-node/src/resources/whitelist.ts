import { pathId, type RequestOptions } from '../core.js';
import type { Page, WhitelistCreateParams, WhitelistEntry, WhitelistListParams, WhitelistUpdateParams } from '../types.js';
import { Resource } from './resource.js';

/** `/api/v1/whitelist`: accounts and IP addresses / CIDRs that pass through maintenance. */
export class Whitelist extends Resource {
  /** One page. Filters: `type`, `enabled`, `q` (part of the value or memo). */
  list(params: WhitelistListParams = {}, options?: RequestOptions): Promise<Page<WhitelistEntry>> {
    return this.request('GET', '/api/v1/whitelist', { query: params, options });
  }

  iterate(params: WhitelistListParams = {}, options?: RequestOptions): AsyncGenerator<WhitelistEntry, void, undefined> {
    return this.paginate((p, o) => this.list(p, o), params, options);
  }

  get(id: number, options?: RequestOptions): Promise<WhitelistEntry> {
    return this.request('GET', `/api/v1/whitelist/${pathId(id)}`, { options });
  }

  create(params: WhitelistCreateParams, options?: RequestOptions): Promise<WhitelistEntry> {
    return this.request('POST', '/api/v1/whitelist', { body: params, options });
  }

  /** Partial update: fields not given are kept. */
  update(id: number, params: WhitelistUpdateParams, options?: RequestOptions): Promise<WhitelistEntry> {
    return this.request('PUT', `/api/v1/whitelist/${pathId(id)}`, { body: params, options });
  }

  delete(id: number, options?: RequestOptions): Promise<void> {
    return this.request('DELETE', `/api/v1/whitelist/${pathId(id)}`, { options });
  }
}
