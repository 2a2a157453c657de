import type { RequestOptions } from '../core.js';
import type { GlobalMaintenance, MaintenanceParams } from '../types.js';
import { Resource } from './resource.js';

/** `/api/v1/maintenance`: global maintenance, now or in a scheduled window. */
export class Maintenance extends Resource {
  get(options?: RequestOptions): Promise<GlobalMaintenance> {
    return this.request('GET', '/api/v1/maintenance', { options });
  }

  /** `{ enabled: true, message }` starts it now; with `startsAt`/`endsAt` it runs in that window; `{ enabled: false }` ends it. */
  set(params: MaintenanceParams, options?: RequestOptions): Promise<GlobalMaintenance> {
    return this.request('PUT', '/api/v1/maintenance', { body: params, options });
  }
}
