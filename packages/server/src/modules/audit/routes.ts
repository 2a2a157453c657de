import { errorResponses, Paginated } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { AuditLog, ListAuditLogsQuery } from './schemas.ts';
import type { AuditService } from './service.ts';

export function auditRoutes(app: App, audit: AuditService): void {
  app.get('/api/v1/audit-logs', {
    config: { permission: 'audit.read' },
    schema: {
      operationId: 'listAuditLogs',
      summary: 'List audit log entries, newest first',
      tags: ['audit'],
      querystring: ListAuditLogsQuery,
      response: { 200: Paginated(AuditLog), ...errorResponses(400, 401, 403) },
    },
    handler: (request) => audit.list(request.query, request.principal),
  });
}
