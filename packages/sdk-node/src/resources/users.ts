import { pathId, type RequestOptions } from '../core.js';
import type { Page, User, UserCreateParams, UserListParams, UserUpdateParams } from '../types.js';
import { Resource } from './resource.js';

/** `/api/v1/users`: accounts of staff and players. */
export class Users extends Resource {
  /** One page: `{ data, pagination }`. Filters: `role`, `status`, `q` (username or email), `sort`. */
  list(params: UserListParams = {}, options?: RequestOptions): Promise<Page<User>> {
    return this.request('GET', '/api/v1/users', { query: params, options });
  }

  /** Every user matching the filters, across all pages: `for await (const user of client.users.iterate())`. */
  iterate(params: UserListParams = {}, options?: RequestOptions): AsyncGenerator<User, void, undefined> {
    return this.paginate((p, o) => this.list(p, o), params, options);
  }

  get(id: number, options?: RequestOptions): Promise<User> {
    return this.request('GET', `/api/v1/users/${pathId(id)}`, { options });
  }

  create(params: UserCreateParams, options?: RequestOptions): Promise<User> {
    return this.request('POST', '/api/v1/users', { body: params, options });
  }

  /** Partial update: fields not given are kept. */
  update(id: number, params: UserUpdateParams, options?: RequestOptions): Promise<User> {
    return this.request('PUT', `/api/v1/users/${pathId(id)}`, { body: params, options });
  }

  delete(id: number, options?: RequestOptions): Promise<void> {
    return this.request('DELETE', `/api/v1/users/${pathId(id)}`, { options });
  }
}
