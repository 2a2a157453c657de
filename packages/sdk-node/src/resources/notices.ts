import { pathId, type RequestOptions } from '../core.js';
import type { Notice, NoticeCreateParams, NoticeListParams, NoticeUpdateParams, Page } from '../types.js';
import { Resource } from './resource.js';

/** `/api/v1/notices`: service notices for players (game clients read them through `client.client.notices()`). */
export class Notices extends Resource {
  /** One page, in the order game clients see them. Filters: `category`, `enabled`, `state` (scheduled, current, ended), `q`. */
  list(params: NoticeListParams = {}, options?: RequestOptions): Promise<Page<Notice>> {
    return this.request('GET', '/api/v1/notices', { query: params, options });
  }

  iterate(params: NoticeListParams = {}, options?: RequestOptions): AsyncGenerator<Notice, void, undefined> {
    return this.paginate((p, o) => this.list(p, o), params, options);
  }

  get(id: number, options?: RequestOptions): Promise<Notice> {
    return this.request('GET', `/api/v1/notices/${pathId(id)}`, { options });
  }

  create(params: NoticeCreateParams, options?: RequestOptions): Promise<Notice> {
    return this.request('POST', '/api/v1/notices', { body: params, options });
  }

  /** Partial update: fields not given are kept. */
  update(id: number, params: NoticeUpdateParams, options?: RequestOptions): Promise<Notice> {
    return this.request('PUT', `/api/v1/notices/${pathId(id)}`, { body: params, options });
  }

  delete(id: number, options?: RequestOptions): Promise<void> {
    return this.request('DELETE', `/api/v1/notices/${pathId(id)}`, { options });
  }
}
