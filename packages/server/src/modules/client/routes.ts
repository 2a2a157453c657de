import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { then, type MaybePromise } from '../../core/maybe.ts';
import { errorResponses, JSON_TYPE } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { CLIENT_HOT_ROUTES } from './hot-routes.ts';
import { ServerSnapshot } from './schemas.ts';
import type { ClientService, SnapshotDocument } from './service.ts';

/**
 * The answers are JSON text from the in-memory cache; the route schemas document them. A warm cache answers
 * synchronously (the handler returns nothing, having sent); only a snapshot (re)load goes through a promise.
 */
function sendJson(reply: FastifyReply, json: MaybePromise<string>): Promise<void> | undefined {
  if (typeof json !== 'string') return json.then((text) => void reply.type(JSON_TYPE).send(text));
  void reply.type(JSON_TYPE).send(json);
  return undefined;
}

/** The game-client routes of hot-routes.ts; the fast path (fast-path.ts) answers the same table in front of Fastify. */
export function clientRoutes(app: App, client: ClientService): void {
  for (const route of CLIENT_HOT_ROUTES) {
    app.get(route.url, {
      config: { permission: route.permission, requestLog: 'sampled' },
      schema: route.schema,
      handler: (request, reply) => sendJson(reply, route.answer(client, request.query, request.ip)),
    });
  }
}

/** Whether an If-None-Match header names this ETag (or `*`). */
function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  return ifNoneMatch !== undefined && ifNoneMatch.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === etag);
}

/** The server snapshot, from the game-client API's memory: sent as cached text (gzip when accepted), 304 when unchanged. */
export function serverSnapshotRoute(app: App, client: ClientService): void {
  app.get('/api/v1/server/snapshot', {
    config: { permission: 'ops.read', etag: true },
    schema: {
      operationId: 'getServerSnapshot',
      summary: 'Everything a game server needs, in one versioned document (docs/server-cache.md)',
      description:
        'Every game world with its maintenance, global maintenance, the enabled whitelist entries, every client version and the notices shown now or later, as the game-client API holds them in memory. ' +
        'The ETag is the quoted `version`; If-None-Match with it answers 304 with no body while nothing changed. Sent gzip-encoded when the request accepts gzip. ' +
        'The Node SDK\'s GatrixServerCache and the Python SDK\'s ServerCache keep it up to date and answer from it locally.',
      tags: ['server'],
      response: {
        200: ServerSnapshot,
        304: Type.Null({ description: 'Not modified: the snapshot still has the ETag given in If-None-Match; no body' }),
        ...errorResponses(401, 403),
      },
    },
    handler: (request, typedReply) => {
      // The answer is the cached text (or its gzip), not an object for the schema's serializer.
      const reply = typedReply as FastifyReply;
      const send = (doc: SnapshotDocument) => {
        void reply.header('etag', doc.etag).header('cache-control', 'no-cache').header('vary', 'accept-encoding');
        if (notModified(request.headers['if-none-match'], doc.etag)) return void reply.code(304).send();
        if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) return void reply.header('content-encoding', 'gzip').type(JSON_TYPE).send(doc.gzip);
        void reply.type(JSON_TYPE).send(doc.body);
      };
      return then(client.serverSnapshot(), send);
    },
  });
}
