import { Type } from '@sinclair/typebox';
import { actorOf } from '../../http/auth.ts';
import { ifMatchOf, withEtag } from '../../http/resource.ts';
import { collectionRoutes, itemRoutes, type ResourceDescription } from '../../http/resource-routes.ts';
import { errorResponses, IdParams } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { MaintenanceBody } from '../maintenance/schemas.ts';
import { CreateWorldBody, GAME_WORLD_EXAMPLE, GameWorld, ListWorldsQuery, UpdateWorldBody, WorldOrderBody } from './schemas.ts';
import type { WorldsService } from './service.ts';
import { NO_INSTANCES, WORLD_INSTANCE_EXAMPLE, WorldLive } from './instance-schemas.ts';
import type { InstancesService } from './instances.ts';

const tags = ['game-worlds'];

/** A world in the admin list: the world and its live figures. */
const GameWorldListItem = Type.Composite([GameWorld, Type.Object({ live: WorldLive })], {
  title: 'GameWorldListItem',
  examples: [{ ...GAME_WORLD_EXAMPLE, live: { players: WORLD_INSTANCE_EXAMPLE.players, capacity: WORLD_INSTANCE_EXAMPLE.capacity, instancesUp: 1, instancesDown: 0 } }],
});

export function worldsRoutes(app: App, worlds: WorldsService, instances: InstancesService): void {
  const resource: ResourceDescription<typeof ListWorldsQuery, typeof CreateWorldBody, typeof UpdateWorldBody> = {
    path: '/api/v1/game-worlds',
    tags,
    permissions: { read: 'ops.read', write: 'ops.write' },
    schemas: { item: GameWorld, query: ListWorldsQuery, create: CreateWorldBody, update: UpdateWorldBody },
    service: {
      ...worlds,
      async list(query) {
        const page = await worlds.list(query);
        const live = await instances.live(page.data.map((w) => w.id));
        return { ...page, data: page.data.map((w) => ({ ...w, live: live.get(w.id) ?? NO_INSTANCES })) };
      },
    },
    list: {
      operationId: 'listGameWorlds',
      summary: 'List game worlds in display order',
      description:
        'A page of game worlds (at most 100 a page, by `limit`), filtered by the query parameters given, each with `live`: players and capacity summed over its up instances, and its instances up and down.',
      item: GameWorldListItem,
    },
    create: { operationId: 'createGameWorld', summary: 'Create a game world' },
    get: { operationId: 'getGameWorld', summary: 'Get a game world' },
    update: { operationId: 'updateGameWorld', patchOperationId: 'patchGameWorld', summary: 'Update a game world (partial: fields not sent are kept)' },
    delete: { operationId: 'deleteGameWorld', summary: 'Delete a game world' },
  };
  collectionRoutes(app, resource);

  app.put('/api/v1/game-worlds/order', {
    config: { permission: 'ops.write' },
    schema: {
      operationId: 'orderGameWorlds',
      summary: 'Set the display order: the listed worlds first, the rest after in their current order',
      description: 'Rewrites displayOrder of every world in one change; answers all worlds in the new order. At most 1000 ids.',
      tags,
      body: WorldOrderBody,
      response: {
        200: Type.Object({ data: Type.Array(GameWorld) }, { title: 'GameWorldList', description: 'Every game world, in the new order', examples: [{ data: [GAME_WORLD_EXAMPLE] }] }),
        ...errorResponses(400, 401, 403, 415),
      },
    },
    handler: async (request) => ({ data: await worlds.reorder(request.body.ids, actorOf(request)) }),
  });

  itemRoutes(app, resource);

  app.put('/api/v1/game-worlds/:id/maintenance', {
    config: { permission: 'ops.write', etag: true, ifMatch: true },
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
}
