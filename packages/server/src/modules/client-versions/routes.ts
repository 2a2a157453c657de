import { resourceRoutes } from '../../http/resource-routes.ts';
import type { App } from '../../http/types.ts';
import { ClientVersion, CreateClientVersionBody, ListClientVersionsQuery, UpdateClientVersionBody } from './schemas.ts';
import type { ClientVersionsService } from './service.ts';

export function clientVersionsRoutes(app: App, versions: ClientVersionsService): void {
  resourceRoutes(app, {
    path: '/api/v1/client-versions',
    tags: ['client-versions'],
    permissions: { read: 'ops.read', write: 'ops.write' },
    schemas: { item: ClientVersion, query: ListClientVersionsQuery, create: CreateClientVersionBody, update: UpdateClientVersionBody },
    service: versions,
    list: {
      operationId: 'listClientVersions',
      summary: 'List client versions',
      description: 'Filters match exactly. Ordered by channel, subChannel, then version compared numerically per dot segment.',
    },
    create: { operationId: 'createClientVersion', summary: 'Create a client version (unique per channel, subChannel and version)' },
    get: { operationId: 'getClientVersion', summary: 'Get a client version' },
    update: { operationId: 'updateClientVersion', patchOperationId: 'patchClientVersion', summary: 'Update a client version (partial: fields not sent are kept)' },
    delete: { operationId: 'deleteClientVersion', summary: 'Delete a client version' },
  });
}
