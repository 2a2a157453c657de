import type { RequestOptions } from '../core.js';
import { GatrixError } from '../errors.js';
import type { ServerSnapshot } from '../types.js';
import { Resource } from './resource.js';

/** `/api/v1/server/*`: what game servers read (a server or admin key). */
export class Server extends Resource {
  /**
   * Every world, global maintenance, the enabled whitelist and every client version in one versioned document.
   * With `ifNoneMatch` (a snapshot's `"version"`, quoted, as its ETag) it resolves to `null` while nothing changed.
   */
  async snapshot(params: { ifNoneMatch?: string } = {}, options?: RequestOptions): Promise<ServerSnapshot | null> {
    const headers = params.ifNoneMatch ? { ...options?.headers, 'if-none-match': params.ifNoneMatch } : options?.headers;
    try {
      return await this.request<ServerSnapshot>('GET', '/api/v1/server/snapshot', { options: { ...options, headers } });
    } catch (err) {
      if (err instanceof GatrixError && err.status === 304) return null;
      throw err;
    }
  }
}
