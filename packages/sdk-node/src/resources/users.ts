import { pathId, type RequestOptions } from '../core.js';
import type { User, UserBulkParams, UserBulkResult, UserCreateParams, UserListParams, UserPage, UserSession, UserSuspendParams, UserUpdateParams } from '../types.js';
import { Resource } from './resource.js';

/** `/api/v1/users`: accounts of staff and players. */
export class Users extends Resource {
  /**
   * One page: `{ data, pagination, nextCursor }`. Filters: `role`, `status`, `q` (prefix of the username or email,
   * or the id), `createdFrom`/`createdTo`, `lastLoginFrom`/`lastLoginTo`, `sort`. Page with `page`, or pass the
   * previous page's `nextCursor` as `cursor`.
   */
  list(params: UserListParams = {}, options?: RequestOptions): Promise<UserPage> {
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

  /** Sets the status or role of, or deletes, many users (`ids`, or every user matching `filter`); each result per user. */
  bulk(params: UserBulkParams, options?: RequestOptions): Promise<UserBulkResult> {
    return this.request('POST', '/api/v1/users/bulk', { body: params, options });
  }

  /** Suspends the user (ending its sessions) with a reason, until `until` or until unsuspended. */
  suspend(id: number, params: UserSuspendParams, options?: RequestOptions): Promise<User> {
    return this.request('POST', `/api/v1/users/${pathId(id)}/suspend`, { body: params, options });
  }

  unsuspend(id: number, options?: RequestOptions): Promise<User> {
    return this.request('POST', `/api/v1/users/${pathId(id)}/unsuspend`, { options });
  }

  /** Lifts the user's failed-login lockout. */
  unlock(id: number, options?: RequestOptions): Promise<void> {
    return this.request('POST', `/api/v1/users/${pathId(id)}/unlock`, { options });
  }

  /** A new random password for the user, answered this once; its sessions end. */
  resetPassword(id: number, options?: RequestOptions): Promise<{ temporaryPassword: string }> {
    return this.request('POST', `/api/v1/users/${pathId(id)}/reset-password`, { options });
  }

  /** The user's live login sessions (never a token). */
  async sessions(id: number, options?: RequestOptions): Promise<UserSession[]> {
    const r = await this.request<{ data: UserSession[] }>('GET', `/api/v1/users/${pathId(id)}/sessions`, { options });
    return r.data;
  }

  revokeSession(id: number, sessionId: string, options?: RequestOptions): Promise<void> {
    return this.request('DELETE', `/api/v1/users/${pathId(id)}/sessions/${encodeURIComponent(sessionId)}`, { options });
  }
}
