import { Type } from '@sinclair/typebox';
import { actorOf } from '../../http/auth.ts';
import { ifMatchOf, withEtag } from '../../http/resource.ts';
import { errorResponses, IdParams, Paginated } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { MaintenanceBody } from '../maintenance/schemas.ts';
import { CreateWorldBody, GameWorld, ListWorldsQuery, UpdateWorldBody, WorldOrderBody } from './schemas.ts';
import type { WorldsService } from './service.ts';

const tags = ['game-worlds'];

export function worldsRoutes(app: App, worlds: WorldsService): void {
  app.get('/api/v1/game-worlds', {
    config: { permission: 'ops.read' },
    schema: {
      operationId: 'listGameWorlds',
      summary: 'List game worlds in display order',
      tags,
      querystring: ListWorldsQuery,
      response: { 200: Paginated(GameWorld), ...errorResponses(400, 401, 403) },
    },
    handler: (request) => worlds.list(request.query),
  });

  app.post('/api/v1/game-worlds', {
    config: { permission: 'ops.write' },
    schema: {
      operationId: 'createGameWorld',
      summary: 'Create a game world',
      tags,
      body: CreateWorldBody,
      response: { 201: GameWorld, ...errorResponses(400, 401, 403, 409, 415, 422) },
    },
    handler: async (request, reply) => {
      const world = await worlds.create(request.body, actorOf(request));
      reply.code(201).header('location', `/api/v1/game-worlds/${world.id}`);
      return withEtag(request, reply, world);
    },
  });

  app.put('/api/v1/game-worlds/order', {
    config: { permission: 'ops.write' },
    schema: {
      operationId: 'orderGameWorlds',
      summary: 'Set the display order: the listed worlds first, the rest after in their current order',
      tags,
      body: WorldOrderBody,
      response: { 200: Type.Object({ data: Type.Array(GameWorld) }), ...errorResponses(400, 401, 403, 415) },
    },
    handler: async (request) => ({ data: await worlds.reorder(request.body.ids, actorOf(request)) }),
  });

  app.get('/api/v1/game-worlds/:id', {
    config: { permission: 'ops.read' },
    schema: { operationId: 'getGameWorld', summary: 'Get a game world', tags, params: IdParams, response: { 200: GameWorld, ...errorResponses(401, 403, 404) } },
    handler: async (request, reply) => withEtag(request, reply, await worlds.get(request.params.id)),
  });

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/v1/game-worlds/:id',
      config: { permission: 'ops.write' },
      schema: {
        operationId: method === 'PUT' ? 'updateGameWorld' : 'patchGameWorld',
        summary: 'Update a game world (partial: fields not sent are kept)',
        tags,
        params: IdParams,
        body: UpdateWorldBody,
        response: { 200: GameWorld, ...errorResponses(400, 401, 403, 404, 409, 412, 415) },
      },
      handler: async (request, reply) =>
        withEtag(request, reply, await worlds.update(request.params.id, request.body, actorOf(request), ifMatchOf(request))),
    });
  }

  app.put('/api/v1/game-worlds/:id/maintenance', {
    config: { permission: 'ops.write' },
    schema: {
      operationId: 'setGameWorldMaintenance',
      summary: 'Start, schedule or end maintenance of a game world',
      description:
        '`enabled: true` without `startsAt` starts now; with `startsAt` it starts then; `endsAt` ends it by itself. ' +
        '`enabled: false` ends maintenance now and clears the window. world.maintenance_started / _ended fire when it actually starts and ends.',
      tags,
      params: IdParams,
      body: MaintenanceBody,
      response: { 200: GameWorld, ...errorResponses(400, 401, 403, 404, 412, 415) },
    },
    handler: async (request, reply) =>
      withEtag(request, reply, await worlds.setMaintenance(request.params.id, request.body, actorOf(request), ifMatchOf(request))),
  });

  app.delete('/api/v1/game-worlds/:id', {
    config: { permission: 'ops.write' },
    schema: { operationId: 'deleteGameWorld', summary: 'Delete a game world', tags, params: IdParams, response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 412) } },
    handler: async (request, reply) => {
      await worlds.delete(request.params.id, actorOf(request), ifMatchOf(request));
      return reply.code(204).send(null);
    },
  });
}
