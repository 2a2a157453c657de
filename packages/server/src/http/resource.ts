import type { FastifyReply, FastifyRequest } from 'fastify';
import { etagOf } from '../core/etag.ts';

/** Replies with a single resource and its ETag; a GET whose If-None-Match matches gets 304. */
export function withEtag<T>(request: FastifyRequest, reply: FastifyReply, resource: T): T {
  const tag = etagOf(resource);
  reply.header('etag', tag);
  const inm = request.headers['if-none-match'];
  if (request.method === 'GET' && typeof inm === 'string' && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === tag || t.trim() === '*')) {
    void reply.code(304);
  }
  return resource;
}

export function ifMatchOf(request: FastifyRequest): string | undefined {
  const v = request.headers['if-match'];
  return typeof v === 'string' ? v : undefined;
}
