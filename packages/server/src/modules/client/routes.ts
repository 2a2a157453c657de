import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { errorResponses, Nullable, NullableIsoDateTime } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { ClientVersionStatusSchema, VERSION_PATTERN } from '../client-versions/schemas.ts';
import { LangTag } from '../maintenance/schemas.ts';
import type { ClientService } from './service.ts';

const tags = ['game-client'];
const NullableString = Nullable(Type.String());

const CallerQuery = {
  accountId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Whitelisted accounts pass through maintenance' })),
  lang: Type.Optional(LangTag),
};

const ClientVersionAnswer = Type.Object({
  channel: Type.String(),
  subChannel: Type.String(),
  version: Type.String(),
  status: ClientVersionStatusSchema,
  message: NullableString,
  gameServerAddress: Type.String(),
  patchAddress: Type.String(),
  minPatchVersion: NullableString,
  guestModeAllowed: Type.Boolean(),
  externalClickLink: NullableString,
  customPayload: Nullable(Type.Record(Type.String(), Type.Unknown())),
  maintenanceStartsAt: NullableIsoDateTime,
  maintenanceEndsAt: NullableIsoDateTime,
});

const ClientStatus = Type.Object({ maintenance: Type.Boolean(), message: NullableString, startsAt: NullableIsoDateTime, endsAt: NullableIsoDateTime });

const ClientWorlds = Type.Object({
  data: Type.Array(
    Type.Object({
      id: Type.Integer(),
      worldId: Type.String(),
      name: Type.String(),
      description: NullableString,
      displayOrder: Type.Integer(),
      region: NullableString,
      tags: Type.Array(Type.String()),
      customPayload: Nullable(Type.Record(Type.String(), Type.Unknown())),
      maintenance: Type.Boolean(),
      maintenanceMessage: NullableString,
      maintenanceEndsAt: NullableIsoDateTime,
    }),
  ),
});

/** The answers are JSON text from the in-memory cache; the schemas above document them. */
function sendJson(reply: FastifyReply, json: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(json);
}

export function clientRoutes(app: App, client: ClientService): void {
  app.get('/api/v1/client/client-version', {
    config: { permission: 'client.read' },
    schema: {
      operationId: 'getClientVersionStatus',
      summary: 'What this game client build may do: status, addresses and message (docs/client-api.md)',
      tags,
      querystring: Type.Object({
        channel: Type.String({ minLength: 1, maxLength: 64 }),
        subChannel: Type.String({ minLength: 1, maxLength: 64 }),
        version: Type.String({ minLength: 1, maxLength: 64, pattern: VERSION_PATTERN }),
        patchVersion: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: VERSION_PATTERN })),
        ...CallerQuery,
      }),
      response: { 200: ClientVersionAnswer, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => sendJson(reply, await client.clientVersion(request.query, request.ip)),
  });

  app.get('/api/v1/client/status', {
    config: { permission: 'client.read' },
    schema: {
      operationId: 'getClientStatus',
      summary: 'Global maintenance as this caller sees it',
      tags,
      querystring: Type.Object(CallerQuery),
      response: { 200: ClientStatus, ...errorResponses(400, 401, 403) },
    },
    handler: async (request, reply) => sendJson(reply, await client.status({ ...request.query, ip: request.ip })),
  });

  app.get('/api/v1/client/game-worlds', {
    config: { permission: 'client.read' },
    schema: {
      operationId: 'listClientGameWorlds',
      summary: 'Visible game worlds in display order, with maintenance as this caller sees it',
      tags,
      querystring: Type.Object(CallerQuery),
      response: { 200: ClientWorlds, ...errorResponses(400, 401, 403) },
    },
    handler: async (request, reply) => sendJson(reply, await client.worlds({ ...request.query, ip: request.ip })),
  });
}
