import { createHash } from 'node:crypto';
import type { FastifyInstance, onSendAsyncHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/index.ts';
import { uniqueViolationField } from '../db/dialect.ts';
import { DomainError, UnprocessableError, ValidationError } from '../errors.ts';
import { principalLabel } from '../modules/permissions.ts';
import { addRouteHook } from './route-hooks.ts';
import { JSON_TYPE } from './schemas.ts';

const TTL_MS = 24 * 3600 * 1000;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { scope: string; key: string };
  }
}

/**
 * `Idempotency-Key` on authenticated POSTs: the first response (2xx or 4xx) is stored for 24 h and replayed for
 * the same key and body; a different body is 422; a retry while the first is still running is 409;
 * after a 5xx or 429 the key is released so the client can retry it.
 * Keys are scoped to the caller, so two callers cannot see each other's responses.
 */
export function registerIdempotency(app: FastifyInstance, db: Db, clock: Clock): void {
  const claim: preHandlerAsyncHookHandler = async (request, reply) => {
    const header = request.headers['idempotency-key'];
    const scope = principalLabel(request.principal);
    if (header === undefined || scope === undefined) return;
    const key = String(header);
    if (key.length < 1 || key.length > 255) throw new ValidationError('headers.idempotency-key', 'must be 1 to 255 characters');
    // The full URL (query included) is part of the hash; `path` keeps the route pattern, which always fits its column.
    const bodyHash = createHash('sha256').update(request.url).update('\n').update(JSON.stringify(request.body ?? null)).digest('hex');
    const path = request.routeOptions.url ?? request.url.split('?')[0].slice(0, 2048);
    const now = clock.now();

    await db
      .deleteFrom('idempotency_keys')
      .where('scope', '=', scope)
      .where('key', '=', key)
      .where('created_at', '<', new Date(now.getTime() - TTL_MS).toISOString())
      .execute();
    try {
      await db
        .insertInto('idempotency_keys')
        .values({ scope, key, method: 'POST', path, body_hash: bodyHash, status_code: null, response_body: null, created_at: now.toISOString() })
        .execute();
      request.idempotency = { scope, key };
      return;
    } catch (err) {
      if (!uniqueViolationField(err)) throw err;
    }
    const prior = await db
      .selectFrom('idempotency_keys')
      .select(['path', 'body_hash', 'status_code', 'response_body'])
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst();
    if (!prior) throw new DomainError('conflict', 'idempotency_in_progress', 'A request with this Idempotency-Key is in progress; retry shortly');
    if (prior.path !== path || prior.body_hash !== bodyHash) {
      throw new UnprocessableError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body or path');
    }
    if (prior.status_code === null) {
      throw new DomainError('conflict', 'idempotency_in_progress', 'A request with this Idempotency-Key is in progress; retry shortly');
    }
    const problem = prior.status_code >= 400;
    return reply
      .code(prior.status_code)
      .header('idempotent-replayed', 'true')
      .type(problem ? 'application/problem+json' : JSON_TYPE)
      .send(prior.response_body ?? '');
  };

  const record: onSendAsyncHookHandler = async (request, reply, payload) => {
    const pending = request.idempotency;
    if (!pending) return payload;
    request.idempotency = undefined;
    const q = db.updateTable('idempotency_keys').where('scope', '=', pending.scope).where('key', '=', pending.key);
    if (reply.statusCode >= 500 || reply.statusCode === 429) {
      // Not a final answer: let the client retry with the same key.
      await db.deleteFrom('idempotency_keys').where('scope', '=', pending.scope).where('key', '=', pending.key).execute();
    } else {
      await q.set({ status_code: reply.statusCode, response_body: typeof payload === 'string' ? payload : null }).execute();
    }
    return payload;
  };

  app.addHook('onRoute', (route) => {
    if (![route.method].flat().includes('POST')) return;
    addRouteHook(route, 'preHandler', claim);
    addRouteHook(route, 'onSend', record);
  });
}
