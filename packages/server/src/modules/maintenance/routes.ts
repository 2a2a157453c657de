import { actorOf } from '../../http/auth.ts';
import { ifMatchOf, withEtag } from '../../http/resource.ts';
import { errorResponses } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { GlobalMaintenance, MaintenanceBody } from './schemas.ts';
import type { MaintenanceService } from './service.ts';

const tags = ['maintenance'];

export function maintenanceRoutes(app: App, maintenance: MaintenanceService): void {
  app.get('/api/v1/maintenance', {
    config: { permission: 'ops.read', etag: true },
    schema: {
      operationId: 'getMaintenance',
      summary: 'Global maintenance state',
      description: 'Whether maintenance was asked for (enabled), whether it is in effect now (active), its window and messages.',
      tags,
      response: { 200: GlobalMaintenance, ...errorResponses(401, 403) },
    },
    handler: async (request, reply) => withEtag(request, reply, await maintenance.get()),
  });

  app.put('/api/v1/maintenance', {
    config: { permission: 'ops.write', etag: true, ifMatch: true },
    schema: {
      operationId: 'setMaintenance',
      summary: 'Start, schedule or end global maintenance',
      description:
        '`enabled: true` without `startsAt` starts now; with `startsAt` it starts then; `endsAt` ends it by itself. `enabled: false` ends it now. Game clients see it at once.',
      tags,
      body: MaintenanceBody,
      response: { 200: GlobalMaintenance, ...errorResponses(400, 401, 403, 412, 415) },
    },
    handler: async (request, reply) => withEtag(request, reply, await maintenance.set(request.body, actorOf(request), ifMatchOf(request))),
  });
}
