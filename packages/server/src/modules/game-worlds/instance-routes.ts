import { Type } from '@sinclair/typebox';
import { actorOf } from '../../http/auth.ts';
import { errorResponses } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { HeartbeatBody, InstanceParams, WorldInstanceList, WorldInstancesParams } from './instance-schemas.ts';
import type { InstancesService } from './instances.ts';

const tags = ['game-worlds'];

const HeartbeatAnswer = Type.Object(
  {
    registered: Type.Boolean({ description: 'This heartbeat registered the instance, or brought it back up after it was marked down' }),
    ttlSeconds: Type.Integer({ description: 'GATRIX_INSTANCE_TTL: send the next heartbeat well within it (a third of it is a good interval)' }),
  },
  { title: 'InstanceHeartbeatAnswer', examples: [{ registered: false, ttlSeconds: 30 }] },
);

export function instancesRoutes(app: App, instances: InstancesService): void {
  app.get('/api/v1/game-worlds/:worldId/instances', {
    config: { permission: 'ops.read' },
    schema: {
      operationId: 'listWorldInstances',
      summary: 'The registered instances of a game world, up or down',
      description: 'Every instance registered by heartbeats, up ones first: its last report, when it was last seen, and whether it is up. Down instances are pruned an hour after they went down.',
      tags,
      params: WorldInstancesParams,
      response: { 200: WorldInstanceList, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => ({ data: await instances.list(request.params.worldId) }),
  });

  app.put('/api/v1/game-worlds/:worldId/instances/:instanceId', {
    // Every game server every few seconds: its successful answers are logged at debug (docs/operations.md).
    config: { permission: 'instances.write', requestLog: 'quiet' },
    schema: {
      operationId: 'heartbeatWorldInstance',
      summary: 'Heartbeat of a world server: registers it, keeps it up, brings it back up',
      description:
        'A world server sends its whole report every few seconds (the Node and Python SDKs do it for you). The first heartbeat registers the instance and a heartbeat after it was marked down brings it back (both emit world.instance_up); ' +
        'an instance not heard from for GATRIX_INSTANCE_TTL is marked down (world.instance_down). Plain heartbeats write no audit entry and no event.',
      tags,
      params: InstanceParams,
      body: HeartbeatBody,
      response: { 200: HeartbeatAnswer, ...errorResponses(400, 401, 403, 404, 415) },
    },
    handler: (request) => instances.heartbeat(request.params.worldId, request.params.instanceId, request.body, actorOf(request)),
  });

  app.delete('/api/v1/game-worlds/:worldId/instances/:instanceId', {
    config: { permission: 'instances.write' },
    schema: {
      operationId: 'deregisterWorldInstance',
      summary: 'Deregister a world server (on shutdown)',
      description: 'Removes the instance; world.instance_down (reason deregistered) when it was up. A later heartbeat registers it again.',
      tags,
      params: InstanceParams,
      response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => {
      await instances.deregister(request.params.worldId, request.params.instanceId, actorOf(request));
      return reply.code(204).send(null);
    },
  });
}
