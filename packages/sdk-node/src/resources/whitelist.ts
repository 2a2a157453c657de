import { pathId, type RequestOptions } from '../core.js';
import type {
  Page,
  WhitelistCreateParams,
  WhitelistEntry,
  WhitelistImportParams,
  WhitelistImportResult,
  WhitelistListParams,
  WhitelistTestParams,
  WhitelistTestResult,
  WhitelistUpdateParams,
} from '../types.js';
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

  /**
   * Imports lines of entries (`value`, then optionally `# description` or `, description`; at most 10,000).
   * `dryRun: true` only checks. With an invalid line nothing is written and this throws a GatrixError 422
   * (`whitelist_import_invalid`) whose body has every line's result.
   */
  import(params: WhitelistImportParams, options?: RequestOptions): Promise<WhitelistImportResult> {
    return this.request('POST', '/api/v1/whitelist/import', { body: params, options });
  }

  /** Would this account id / IP (default: the caller's) get through maintenance, which entries match, and what the client API answers. */
  test(params: WhitelistTestParams = {}, options?: RequestOptions): Promise<WhitelistTestResult> {
    return this.request('POST', '/api/v1/whitelist/test', { body: params, options });
  }
}
