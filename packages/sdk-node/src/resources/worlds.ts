import { pathId, type RequestOptions } from '../core.js';
import type {
  GameWorld,
  GameWorldCreateParams,
  GameWorldListItem,
  GameWorldListParams,
  GameWorldMaintenanceParams,
  GameWorldUpdateParams,
  InstanceHeartbeat,
  InstanceHeartbeatAnswer,
  Page,
  WorldInstance,
} from '../types.js';
import { deregister, InstanceHandle, sendHeartbeat, type RegisterInstanceParams } from './instances.js';
import { Resource } from './resource.js';

/** `/api/v1/game-worlds`: game worlds in display order, with their maintenance. */
export class Worlds extends Resource {
  /** One page in display order, each world with its `live` figures. Filters: `visible`, `maintenance`, `q`, `tag`. */
  list(params: GameWorldListParams = {}, options?: RequestOptions): Promise<Page<GameWorldListItem>> {
    return this.request('GET', '/api/v1/game-worlds', { query: params, options });
  }

  iterate(params: GameWorldListParams = {}, options?: RequestOptions): AsyncGenerator<GameWorldListItem, void, undefined> {
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

  /**
   * Registers a world server and keeps it registered: sends the first heartbeat (resolving once Gatrix took it,
   * rejecting when it refuses it), then one every `intervalMs` (default 10 s) on an unref'd timer. The handle's
   * `update({ players, status })` sends a changed report at once; `close()` stops and deregisters.
   *
   * ```js
   * const instance = await client.worlds.registerInstance({ worldId: 'asia-1', instanceId: os.hostname(), address: '10.0.3.17:7777', capacity: 2000, players: 0, status: 'online' });
   * process.once('SIGTERM', () => instance.close().finally(() => process.exit(0)));
   * ```
   */
  async registerInstance(params: RegisterInstanceParams): Promise<InstanceHandle> {
    const handle = new InstanceHandle(this.transport, params);
    await handle.heartbeat();
    return handle;
  }

  /** The instances of a world (by its `worldId`), up ones first. */
  async listInstances(worldId: string, options?: RequestOptions): Promise<WorldInstance[]> {
    return (await this.request<{ data: WorldInstance[] }>('GET', `/api/v1/game-worlds/${pathId(worldId)}/instances`, { options })).data;
  }

  /** One heartbeat, by hand (registerInstance sends them for you). */
  heartbeat(worldId: string, instanceId: string, report: InstanceHeartbeat, options?: RequestOptions): Promise<InstanceHeartbeatAnswer> {
    return sendHeartbeat(this.transport, worldId, instanceId, report, options);
  }

  /** Deregisters an instance (registerInstance's handle does it on close()). */
  deregisterInstance(worldId: string, instanceId: string, options?: RequestOptions): Promise<void> {
    return deregister(this.transport, worldId, instanceId, options);
  }
}
