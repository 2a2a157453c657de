import { Type } from '@sinclair/typebox';
import { actorOf } from '../../http/auth.ts';
import { withEtag } from '../../http/resource.ts';
import { errorResponses, IdParams, Paginated } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { ApiKey, CreateApiKeyBody, CreatedApiKey, ListApiKeysQuery } from './schemas.ts';
import type { ApiKeysService } from './service.ts';

const tags = ['api-keys'];

export function apiKeysRoutes(app: App, apiKeys: ApiKeysService): void {
  app.get('/api/v1/api-keys', {
    config: { permission: 'apiKeys.read' },
    schema: {
      operationId: 'listApiKeys',
      summary: 'List API keys (prefix and last use; never the key)',
      tags,
      querystring: ListApiKeysQuery,
      response: { 200: Paginated(ApiKey), ...errorResponses(400, 401, 403) },
    },
    handler: (request) => apiKeys.list(request.query),
  });

  app.post('/api/v1/api-keys', {
    config: { permission: 'apiKeys.write', noStore: true },
    schema: {
      operationId: 'createApiKey',
      summary: 'Create an API key; the key is in this response only',
      tags,
      body: CreateApiKeyBody,
      response: { 201: CreatedApiKey, ...errorResponses(400, 401, 403, 415, 422) },
    },
    handler: async (request, reply) => {
      const created = await apiKeys.create(request.body, actorOf(request));
      return reply.code(201).header('location', `/api/v1/api-keys/${created.id}`).send(created);
    },
  });

  app.get('/api/v1/api-keys/:id', {
    config: { permission: 'apiKeys.read' },
    schema: { operationId: 'getApiKey', summary: 'Get an API key', tags, params: IdParams, response: { 200: ApiKey, ...errorResponses(401, 403, 404) } },
    handler: async (request, reply) => withEtag(request, reply, await apiKeys.get(request.params.id)),
  });

  app.delete('/api/v1/api-keys/:id', {
    config: { permission: 'apiKeys.write' },
    schema: {
      operationId: 'revokeApiKey',
      summary: 'Revoke an API key at once',
      tags,
      params: IdParams,
      response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
    },
    handler: async (request, reply) => {
      await apiKeys.revoke(request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  });
}
