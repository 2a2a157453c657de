import { Type } from '@sinclair/typebox';
import { actorOf } from '../../http/auth.ts';
import { ifMatchOf, withEtag } from '../../http/resource.ts';
import { errorResponses, IdParams, Paginated } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { ClientVersion, CreateClientVersionBody, ListClientVersionsQuery, UpdateClientVersionBody } from './schemas.ts';
import type { ClientVersionsService } from './service.ts';

const tags = ['client-versions'];

export function clientVersionsRoutes(app: App, versions: ClientVersionsService): void {
  app.get('/api/v1/client-versions', {
    config: { permission: 'ops.read' },
    schema: {
      operationId: 'listClientVersions',
      summary: 'List client versions',
      description: 'Filters match exactly. Ordered by channel, subChannel, then version compared numerically per dot segment.',
      tags,
      querystring: ListClientVersionsQuery,
      response: { 200: Paginated(ClientVersion), ...errorResponses(400, 401, 403) },
    },
    handler: (request) => versions.list(request.query),
  });

  app.post('/api/v1/client-versions', {
    config: { permission: 'ops.write' },
    schema: {
      operationId: 'createClientVersion',
      summary: 'Create a client version (unique per channel, subChannel and version)',
      tags,
      body: CreateClientVersionBody,
      response: { 201: ClientVersion, ...errorResponses(400, 401, 403, 409, 415, 422) },
    },
    handler: async (request, reply) => {
      const clientVersion = await versions.create(request.body, actorOf(request));
      reply.code(201).header('location', `/api/v1/client-versions/${clientVersion.id}`);
      return withEtag(request, reply, clientVersion);
    },
  });

  app.get('/api/v1/client-versions/:id', {
    config: { permission: 'ops.read' },
    schema: {
      operationId: 'getClientVersion',
      summary: 'Get a client version',
      tags,
      params: IdParams,
      response: { 200: ClientVersion, ...errorResponses(401, 403, 404) },
    },
    handler: async (request, reply) => withEtag(request, reply, await versions.get(request.params.id)),
  });

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/v1/client-versions/:id',
      config: { permission: 'ops.write' },
      schema: {
        operationId: method === 'PUT' ? 'updateClientVersion' : 'patchClientVersion',
        summary: 'Update a client version (partial: fields not sent are kept)',
        tags,
        params: IdParams,
        body: UpdateClientVersionBody,
        response: { 200: ClientVersion, ...errorResponses(400, 401, 403, 404, 409, 412, 415) },
      },
      handler: async (request, reply) =>
        withEtag(request, reply, await versions.update(request.params.id, request.body, actorOf(request), ifMatchOf(request))),
    });
  }

  app.delete('/api/v1/client-versions/:id', {
    config: { permission: 'ops.write' },
    schema: {
      operationId: 'deleteClientVersion',
      summary: 'Delete a client version',
      tags,
      params: IdParams,
      response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 412) },
    },
    handler: async (request, reply) => {
      await versions.delete(request.params.id, actorOf(request), ifMatchOf(request));
      return reply.code(204).send(null);
    },
  });
}
