import { Readable } from 'node:stream';
import { actorOf } from '../../http/auth.ts';
import { errorResponses } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { AuditLogPage, ExportAuditLogsQuery, ListAuditLogsQuery } from './schemas.ts';
import type { AuditService } from './service.ts';

const tags = ['audit'];

export function auditRoutes(app: App, audit: AuditService): void {
  app.get('/api/v1/audit-logs', {
    config: { permission: 'audit.read' },
    schema: {
      operationId: 'listAuditLogs',
      summary: 'List audit log entries, newest first',
      description:
        'Entries whose target the caller may read through its own routes. Filters combine with AND; `q` searches action, target, ' +
        'actor name, reason and the before/after JSON. Each entry carries the reason its request gave in X-Audit-Reason.',
      tags,
      querystring: ListAuditLogsQuery,
      response: { 200: AuditLogPage, ...errorResponses(400, 401, 403, 429) },
    },
    handler: (request) => audit.list(request.query, request.principal),
  });

  app.get('/api/v1/audit-logs/export.csv', {
    config: { permission: 'audit.read', noStore: true },
    schema: {
      operationId: 'exportAuditLogs',
      summary: 'Export audit log entries as CSV, newest first',
      description:
        'The entries GET /audit-logs would list with the same filters, all of them, streamed as CSV (RFC 4180, CRLF, every cell quoted; ' +
        "a cell starting with = + - @, tab or CR is prefixed with ' so spreadsheets do not run it). The export is itself audited as `audit.exported`.",
      tags,
      querystring: ExportAuditLogsQuery,
      response: {
        200: {
          description: 'CSV with a header line: id, createdAt, actorType, actorId, actorName, action, targetType, targetId, reason, ip, requestId, before, after',
          content: { 'text/csv': { schema: { type: 'string', examples: ['id,createdAt,actorType,actorId,actorName,action,targetType,targetId,reason,ip,requestId,before,after\r\n'] } } },
        },
        ...errorResponses(400, 401, 403, 429),
      },
    },
    handler: async (request, reply) => {
      const lines = await audit.exportCsv(request.query, actorOf(request));
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="audit-log-${day}.csv"`)
        .send(Readable.from(lines));
    },
  });
}
