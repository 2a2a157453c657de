import { pathId, type RequestOptions } from '../core.js';
import type { GameWorld, GameWorldCreateParams, GameWorldListParams, GameWorldMaintenanceParams, GameWorldUpdateParams, Page } from '../types.js';
import { Resource } from './resource.js';

/** `/api/v1/game-worlds`: game worlds in display order, with their maintenance. */
export class Worlds extends Resource {
  /** One page in display order. Filters: `visible`, `maintenance`, `q`, `tag`. */
  list(params: GameWorldListParams = {}, options?: RequestOptions): Promise<Page<GameWorld>> {
    return this.request('GET', '/api/v1/game-worlds', { query: params, options });
  }

  iterate(params: GameWorldListParams = {}, options?: RequestOptions): AsyncGenerator<GameWorld, void, undefined> {
    return this.paginate((p, o) => this.list(p, o), params, options);
  }

  get(id: number, options?: RequestOptions): Promise<GameWorld> {
    return this.request('GET', `/api/v1/game-worlds/${pathId(id)}`, { options });
  }

  create(params: GameWorldCreateParams, options?: RequestOptions): Promise<GameWorld> {
    return this.request('POST', '/api/v1/game-worlds', { body: params, options });
  }

  /** Partial update: fields not given are kept. */
  update(id: number, params: GameWorldUpdateParams, options?: RequestOptions): Promise<GameWorld> {
    return this.request('PUT', `/api/v1/game-worlds/${pathId(id)}`, { body: params, options });
  }

  delete(id: number, options?: RequestOptions): Promise<void> {
    return this.request('DELETE', `/api/v1/game-worlds/${pathId(id)}`, { options });
  }

  /**
   * Starts, schedules or ends maintenance of one world: `{ enabled: true, message }` starts it now,
   * with `startsAt`/`endsAt` it runs in that window, `{ enabled: false }` ends it.
   */
  setMaintenance(id: number, params: GameWorldMaintenanceParams, options?: RequestOptions): Promise<GameWorld> {
    return this.request('PUT', `/api/v1/game-worlds/${pathId(id)}/maintenance`, { body: params, options });
  }

  /** Display order: these worlds first, in this order; the rest after, in their current order. */
  async reorder(ids: number[], options?: RequestOptions): Promise<GameWorld[]> {
    const result = await this.request<{ data: GameWorld[] }>('PUT', '/api/v1/game-worlds/order', { body: { ids }, options });
    return result.data;
  }
}
