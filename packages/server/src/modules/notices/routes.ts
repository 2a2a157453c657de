import { resourceRoutes } from '../../http/resource-routes.ts';
import type { App } from '../../http/types.ts';
import { CreateNoticeBody, ListNoticesQuery, Notice, UpdateNoticeBody } from './schemas.ts';
import type { NoticesService } from './service.ts';

/** Service notices for players: what operators write; game clients read them at GET /api/v1/client/notices. */
export function noticesRoutes(app: App, notices: NoticesService): void {
  resourceRoutes(app, {
    path: '/api/v1/notices',
    tags: ['notices'],
    permissions: { read: 'ops.read', write: 'ops.write' },
    schemas: { item: Notice, query: ListNoticesQuery, create: CreateNoticeBody, update: UpdateNoticeBody },
    service: notices,
    list: {
      operationId: 'listNotices',
      summary: 'List service notices',
      description:
        'In the order game clients see them (priority, then the later start, then the newer id), at most 100 a page. `state` filters by window at the time of the request; `q` matches part of the default title or body.',
    },
    create: {
      operationId: 'createNotice',
      summary: 'Create a service notice',
      description:
        'Default title and body, translations per language, category, priority, window and targeting (channels, subChannels, worldIds, minVersion..maxVersion; empty or null: all). endsAt must be after startsAt and maxVersion not lower than minVersion (400 naming the field).',
    },
    get: { operationId: 'getNotice', summary: 'Get a service notice' },
    update: { operationId: 'updateNotice', patchOperationId: 'patchNotice', summary: 'Update a service notice (partial: fields not sent are kept)' },
    delete: { operationId: 'deleteNotice', summary: 'Delete a service notice' },
  });
}
