import type { RequestOptions } from '../core.js';
import type { AuditLog, AuditLogListParams, Page } from '../types.js';
import { Resource } from './resource.js';

/** `/api/v1/audit-logs`: who changed what, newest first. */
export class AuditLogs extends Resource {
  /** Filters: `actorType`, `actorId`, `action` (or `prefix.*`), `targetType`, `targetId`, `requestId`, `q` (free text), `from`, `to`. */
  list(params: AuditLogListParams = {}, options?: RequestOptions): Promise<Page<AuditLog>> {
    return this.request('GET', '/api/v1/audit-logs', { query: params, options });
  }

  iterate(params: AuditLogListParams = {}, options?: RequestOptions): AsyncGenerator<AuditLog, void, undefined> {
    return this.paginate((p, o) => this.list(p, o), params, options);
  }
}
