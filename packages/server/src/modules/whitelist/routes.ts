import { resourceRoutes } from '../../http/resource-routes.ts';
import type { App } from '../../http/types.ts';
import { CreateWhitelistBody, ListWhitelistQuery, UpdateWhitelistBody, WhitelistEntry } from './schemas.ts';
import type { WhitelistService } from './service.ts';

export function whitelistRoutes(app: App, whitelist: WhitelistService): void {
  resourceRoutes(app, {
    path: '/api/v1/whitelist',
    tags: ['whitelist'],
    permissions: { read: 'ops.read', write: 'ops.write' },
    schemas: { item: WhitelistEntry, query: ListWhitelistQuery, create: CreateWhitelistBody, update: UpdateWhitelistBody },
    service: whitelist,
    list: {
      operationId: 'listWhitelistEntries',
      summary: 'List whitelist entries',
      description: '`q` matches part of the value or memo, case-insensitively.',
    },
    create: {
      operationId: 'createWhitelistEntry',
      summary: 'Whitelist an account or an IP address / CIDR',
      description:
        'An IP value is stored canonically: IPv6 lowercase and compressed (RFC 5952), a CIDR with its host bits cleared ' +
        '(`10.1.2.3/8` → `10.0.0.0/8`), a /32 or /128 as the plain address. An entry lets its account or IP through ' +
        'maintenance while it is enabled and inside its optional startsAt–endsAt window.',
    },
    get: { operationId: 'getWhitelistEntry', summary: 'Get a whitelist entry' },
    update: { operationId: 'updateWhitelistEntry', patchOperationId: 'patchWhitelistEntry', summary: 'Update a whitelist entry (partial: fields not sent are kept)' },
    delete: { operationId: 'deleteWhitelistEntry', summary: 'Delete a whitelist entry' },
  });
}
