import type { HttpMethod, Query, RequestOptions, Transport } from '../core.js';
import type { Page } from '../types.js';

/** Page size `iterate()` asks for when the caller does not say (the API's maximum). */
export const ITERATE_PAGE_SIZE = 100;

export abstract class Resource {
  constructor(protected readonly transport: Transport) {}

  protected request<T>(method: HttpMethod, path: string, init: { query?: object; body?: unknown; options?: RequestOptions } = {}): Promise<T> {
    return this.transport.request<T>(method, path, { ...init, query: init.query as Query | undefined });
  }

  /**
   * Every item of every page from `params.page` (default 1) on, fetching one page at a time. A list that answers
   * `nextCursor` (users) is followed by its cursor, which neither skips nor repeats items and does not depend on
   * `totalPages` (an estimate on large lists); the others by page number.
   */
  protected async *paginate<T, P extends { page?: number; limit?: number; cursor?: string }>(
    fetchPage: (params: P, options?: RequestOptions) => Promise<Page<T>>,
    params: P,
    options?: RequestOptions,
  ): AsyncGenerator<T, void, undefined> {
    let next: P = { ...params, page: params.page ?? 1, limit: params.limit ?? ITERATE_PAGE_SIZE };
    for (;;) {
      const result = await fetchPage(next, options);
      yield* result.data;
      if (result.nextCursor !== undefined) {
        if (result.nextCursor === null) return;
        next = { ...next, cursor: result.nextCursor, page: next.page! + 1 }; // `page` only numbers the answer
      } else {
        if (result.data.length === 0 || next.page! >= result.pagination.totalPages) return;
        next = { ...next, page: next.page! + 1 };
      }
    }
  }
}
