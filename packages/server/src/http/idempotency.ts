import { createHash } from 'node:crypto';
import type { FastifyInstance, onSendAsyncHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import type { Clock } from '../core/clock.ts';
import type { SecretBox } from '../core/secret-box.ts';
import type { Db } from '../db/index.ts';
import { uniqueViolationField } from '../db/dialect.ts';
import { DomainError, UnprocessableError, ValidationError } from '../core/errors.ts';
import { principalLabel } from '../core/permissions.ts';
import { addRouteHook } from './route-hooks.ts';
import { JSON_TYPE } from './schemas.ts';

const TTL_MS = 24 * 3600 * 1000;
/** A claim still unanswered after this was left by a node that stopped mid-request: the key is free again. */
export const IDEMPOTENCY_LEASE_MS = 60_000;

declare module 'fastify' {
  interface FastifyRequest {
    /** The claim this request holds; `created_at` tells it from a later claim of the same key after its lease ran out. */
    idempotency?: { scope: string; key: string; created_at: string };
  }
}

/** What a replay must match: the full URL (query included) and the parsed body. */
export function idempotencyRequestHash(url: string, body: unknown): string {
  return createHash('sha256').update(url).update('\n').update(JSON.stringify(body ?? null)).digest('hex');
}

/**
 * `Idempotency-Key` on authenticated POSTs: the first response (2xx or 4xx) is stored for 24 h and replayed for
 * the same key and body; a different body is 422; a retry while the first is still running is 409, for at most
 * the lease; after a 5xx or 429 the key is released so the client can retry it.
 * Keys are scoped to the caller, so two callers cannot see each other's responses. Stored responses are sealed
 * with the encryption key: some carry a credential shown only once (a new API key, a webhook secret).
 */
export function registerIdempotency(app: FastifyInstance, db: Db, clock: Clock, box: SecretBox): void {
  const claimKey: preHandlerAsyncHookHandler = async (request, reply) => {
    const header = request.headers['idempotency-key'];
    const scope = principalLabel(request.principal);
    if (header === undefined || scope === undefined) return;
    const key = String(header);
    if (key.length < 1 || key.length > 255) throw new ValidationError('headers.idempotency-key', 'must be 1 to 255 characters');
    const bodyHash = idempotencyRequestHash(request.url, request.body);
    // `path` keeps the route pattern, which always fits its column.
    const path = request.routeOptions.url ?? request.url.split('?')[0].slice(0, 2048);
    const now = clock.now();
    const claim = { scope, key, created_at: now.toISOString() };

    // Every expired row goes, this key's and the others': answers past their 24 h, claims past their lease.
    await db
      .deleteFrom('idempotency_keys')
      .where('created_at', '<', new Date(now.getTime() - IDEMPOTENCY_LEASE_MS).toISOString())
      .where((eb) => eb.or([eb('status_code', 'is', null), eb('created_at', '<', new Date(now.getTime() - TTL_MS).toISOString())]))
      .execute();
    try {
      await db
        .insertInto('idempotency_keys')
        .values({ ...claim, method: 'POST', path, body_hash: bodyHash, status_code: null, response_body: null })
        .execute();
      request.idempotency = claim;
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
      .send(prior.response_body === null ? '' : box.open(prior.response_body));
  };

  const record: onSendAsyncHookHandler = async (request, reply, payload) => {
    // Only this request's own claim: once its lease ran out the key may belong to a retry.
    const mine = request.idempotency;
    if (!mine) return payload;
    request.idempotency = undefined;
    if (reply.statusCode >= 500 || reply.statusCode === 429) {
      // Not a final answer: let the client retry with the same key.
      await db.deleteFrom('idempotency_keys').where((eb) => eb.and(mine)).execute();
    } else {
      await db
        .updateTable('idempotency_keys')
        .set({ status_code: reply.statusCode, response_body: typeof payload === 'string' ? box.seal(payload) : null })
        .where((eb) => eb.and(mine))
        .execute();
    }
    return payload;
  };

  app.addHook('onRoute', (route) => {
    if (![route.method].flat().includes('POST')) return;
    addRouteHook(route, 'preHandler', claimKey);
    addRouteHook(route, 'onSend', record);
  });
}
