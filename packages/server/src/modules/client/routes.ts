import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { errorResponses, JSON_TYPE } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import type { MaybePromise } from '../../core/maybe.ts';
import { ClientVersionStatusSchema, VERSION_PATTERN } from '../client-versions/schemas.ts';
import type { ClientService } from './service.ts';
import { Nullable, NullableIsoDateTime, LangTag } from '../../core/fields.ts';

const tags = ['game-client'];
const NullableString = Nullable(Type.String());

const callerQuery = {
  accountId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Whitelisted accounts pass through maintenance' })),
  lang: Type.Optional(LangTag),
};

export const ClientVersionQuery = Type.Object({
  channel: Type.String({ minLength: 1, maxLength: 64 }),
  subChannel: Type.String({ minLength: 1, maxLength: 64 }),
  version: Type.String({ minLength: 1, maxLength: 64, pattern: VERSION_PATTERN }),
  patchVersion: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: VERSION_PATTERN })),
  ...callerQuery,
});

export const CallerQuery = Type.Object(callerQuery);

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

/**
 * The answers are JSON text from the in-memory cache; the schemas above document them. A warm cache answers
 * synchronously (the handler returns nothing, having sent); only a snapshot (re)load goes through a promise.
 */
function sendJson(reply: FastifyReply, json: MaybePromise<string>): Promise<void> | undefined {
  if (typeof json !== 'string') return json.then((text) => void reply.type(JSON_TYPE).send(text));
  void reply.type(JSON_TYPE).send(json);
  return undefined;
}

export function clientRoutes(app: App, client: ClientService): void {
  app.get('/api/v1/client/client-version', {
    config: { permission: 'client.read' },
    schema: {
      operationId: 'getClientVersionStatus',
      summary: 'What this game client build may do: status, addresses and message (docs/client-api.md)',
      tags,
      querystring: ClientVersionQuery,
      response: { 200: ClientVersionAnswer, ...errorResponses(400, 401, 403, 404) },
    },
    handler: (request, reply) => sendJson(reply, client.clientVersion(request.query, request.ip)),
  });

  app.get('/api/v1/client/status', {
    config: { permission: 'client.read' },
    schema: {
      operationId: 'getClientStatus',
      summary: 'Global maintenance as this caller sees it',
      tags,
      querystring: CallerQuery,
      response: { 200: ClientStatus, ...errorResponses(400, 401, 403) },
    },
    handler: (request, reply) => sendJson(reply, client.status({ ...request.query, ip: request.ip })),
  });

  app.get('/api/v1/client/game-worlds', {
    config: { permission: 'client.read' },
    schema: {
      operationId: 'listClientGameWorlds',
      summary: 'Visible game worlds in display order, with maintenance as this caller sees it',
      tags,
      querystring: CallerQuery,
      response: { 200: ClientWorlds, ...errorResponses(400, 401, 403) },
    },
    handler: (request, reply) => sendJson(reply, client.worlds({ ...request.query, ip: request.ip })),
  });
}
