import type { HttpMethod, Query, RequestOptions, Transport } from '../core.js';
import type { Page } from '../types.js';

/** Page size `iterate()` asks for when the caller does not say (the API's maximum). */
export const ITERATE_PAGE_SIZE = 100;

export abstract class Resource {
  constructor(protected readonly transport: Transport) {}

  protected request<T>(method: HttpMethod, path: string, init: { query?: object; body?: unknown; options?: RequestOptions } = {}): Promise<T> {
    return this.transport.request<T>(method, path, { ...init, query: init.query as Query | undefined });
  }

  /** Every item of every page from `params.page` (default 1) on, fetching one page at a time. */
  protected async *paginate<T, P extends { page?: number; limit?: number }>(
    fetchPage: (params: P, options?: RequestOptions) => Promise<Page<T>>,
    params: P,
    options?: RequestOptions,
  ): AsyncGenerator<T, void, undefined> {
    let page = params.page ?? 1;
    const limit = params.limit ?? ITERATE_PAGE_SIZE;
    for (;;) {
      const result = await fetchPage({ ...params, page, limit }, options);
      yield* result.data;
      if (result.data.length === 0 || page >= result.pagination.totalPages) return;
      page += 1;
    }
  }
}
