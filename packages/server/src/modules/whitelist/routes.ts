import { Type } from '@sinclair/typebox';
import { actorOf } from '../../http/auth.ts';
import { ifMatchOf, withEtag } from '../../http/resource.ts';
import { errorResponses, IdParams, Paginated } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { CreateWhitelistBody, ListWhitelistQuery, UpdateWhitelistBody, WhitelistEntry } from './schemas.ts';
import type { WhitelistService } from './service.ts';

const tags = ['whitelist'];

export function whitelistRoutes(app: App, whitelist: WhitelistService): void {
  app.get('/api/v1/whitelist', {
    config: { permission: 'ops.read' },
    schema: {
      operationId: 'listWhitelistEntries',
      summary: 'List whitelist entries',
      description: '`q` matches part of the value or memo, case-insensitively.',
      tags,
      querystring: ListWhitelistQuery,
      response: { 200: Paginated(WhitelistEntry), ...errorResponses(400, 401, 403) },
    },
    handler: (request) => whitelist.list(request.query),
  });

  app.post('/api/v1/whitelist', {
    config: { permission: 'ops.write' },
    schema: {
      operationId: 'createWhitelistEntry',
      summary: 'Whitelist an account or an IP address / CIDR',
      description:
        'An IP value is stored canonically: IPv6 lowercase and compressed (RFC 5952), a CIDR with its host bits cleared ' +
        '(`10.1.2.3/8` → `10.0.0.0/8`), a /32 or /128 as the plain address. An entry lets its account or IP through ' +
        'maintenance while it is enabled and inside its optional startsAt–endsAt window.',
      tags,
      body: CreateWhitelistBody,
      response: { 201: WhitelistEntry, ...errorResponses(400, 401, 403, 409, 415, 422) },
    },
    handler: async (request, reply) => {
      const entry = await whitelist.create(request.body, actorOf(request));
      reply.code(201).header('location', `/api/v1/whitelist/${entry.id}`);
      return withEtag(request, reply, entry);
    },
  });

  app.get('/api/v1/whitelist/:id', {
    config: { permission: 'ops.read' },
    schema: {
      operationId: 'getWhitelistEntry',
      summary: 'Get a whitelist entry',
      tags,
      params: IdParams,
      response: { 200: WhitelistEntry, ...errorResponses(401, 403, 404) },
    },
    handler: async (request, reply) => withEtag(request, reply, await whitelist.get(request.params.id)),
  });

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/v1/whitelist/:id',
      config: { permission: 'ops.write' },
      schema: {
        operationId: method === 'PUT' ? 'updateWhitelistEntry' : 'patchWhitelistEntry',
        summary: 'Update a whitelist entry (partial: fields not sent are kept)',
        tags,
        params: IdParams,
        body: UpdateWhitelistBody,
        response: { 200: WhitelistEntry, ...errorResponses(400, 401, 403, 404, 409, 412, 415) },
      },
      handler: async (request, reply) =>
        withEtag(request, reply, await whitelist.update(request.params.id, request.body, actorOf(request), ifMatchOf(request))),
    });
  }

  app.delete('/api/v1/whitelist/:id', {
    config: { permission: 'ops.write' },
    schema: {
      operationId: 'deleteWhitelistEntry',
      summary: 'Delete a whitelist entry',
      tags,
      params: IdParams,
      response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 412) },
    },
    handler: async (request, reply) => {
      await whitelist.delete(request.params.id, actorOf(request), ifMatchOf(request));
      return reply.code(204).send(null);
    },
  });
}
