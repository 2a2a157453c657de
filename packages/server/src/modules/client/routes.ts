import type { FastifyReply } from 'fastify';
import type { MaybePromise } from '../../core/maybe.ts';
import { JSON_TYPE } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { CLIENT_HOT_ROUTES } from './hot-routes.ts';
import type { ClientService } from './service.ts';

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
      config: { permission: route.permission },
      schema: route.schema,
      handler: (request, reply) => sendJson(reply, route.answer(client, request.query, request.ip)),
    });
  }
}
