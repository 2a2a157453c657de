import { resourceRoutes } from '../../http/resource-routes.ts';
import type { App } from '../../http/types.ts';
import { ApiKey, CreateApiKeyBody, CreatedApiKey, ListApiKeysQuery } from './schemas.ts';
import type { ApiKeysService } from './service.ts';

export function apiKeysRoutes(app: App, apiKeys: ApiKeysService): void {
  resourceRoutes(app, {
    path: '/api/v1/api-keys',
    tags: ['api-keys'],
    permissions: { read: 'apiKeys.read', write: 'apiKeys.write' },
    schemas: { item: ApiKey, query: ListApiKeysQuery, create: CreateApiKeyBody },
    // A key is revoked, never changed: DELETE revokes it, and there is no update.
    service: { list: apiKeys.list, create: apiKeys.create, get: apiKeys.get, delete: (id, actor) => apiKeys.revoke(id, actor) },
    list: { operationId: 'listApiKeys', summary: 'List API keys (prefix and last use; never the key)' },
    create: { operationId: 'createApiKey', summary: 'Create an API key; the key is in this response only', response: CreatedApiKey, secretOnce: true, errors: [400, 401, 403, 415, 422] },
    get: { operationId: 'getApiKey', summary: 'Get an API key' },
    delete: { operationId: 'revokeApiKey', summary: 'Revoke an API key at once', errors: [401, 403, 404] },
  });
}
