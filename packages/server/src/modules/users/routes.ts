import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { actorOf } from '../../http/auth.ts';
import { ifMatchOf, withEtag } from '../../http/resource.ts';
import { errorResponses, IdParams, JSON_TYPE, Paginated } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { ForbiddenError } from '../../core/errors.ts';
import { CreateUserBody, ListUsersQuery, UpdateUserBody, User } from './schemas.ts';
import type { UsersService } from './service.ts';

const tags = ['users'];

export function usersRoutes(app: App, users: UsersService): void {
  const serializedPages = new WeakMap<object, Buffer>();
  app.get('/api/v1/users', {
    config: { permission: 'users.read' },
    schema: {
      operationId: 'listUsers',
      summary: 'List users',
      tags,
      querystring: ListUsersQuery,
      response: { 200: Paginated(User), ...errorResponses(400, 401, 403) },
    },
    // Hot list pages are cached for up to 2 s (service.ts); serializing 50 users was the largest cost left on
    // this route, so each cached page is serialized once, by the route's own response schema.
    handler: async (request, reply: FastifyReply) => {
      const result = await users.list(request.query);
      let body = serializedPages.get(result);
      if (!body) {
        body = Buffer.from(reply.serialize(result) as string);
        serializedPages.set(result, body);
      }
      return reply.type(JSON_TYPE).send(body);
    },
  });

  app.post('/api/v1/users', {
    config: { permission: 'users.write' },
    schema: {
      operationId: 'createUser',
      summary: 'Create a user',
      tags,
      body: CreateUserBody,
      response: { 201: User, ...errorResponses(400, 401, 403, 409, 415, 422) },
    },
    handler: async (request, reply) => {
      const user = await users.create(request.body, actorOf(request));
      reply.code(201).header('location', `/api/v1/users/${user.id}`);
      return withEtag(request, reply, user);
    },
  });

  app.get('/api/v1/users/:id', {
    config: { permission: 'users.readSelf' },
    schema: {
      operationId: 'getUser',
      summary: 'Get a user',
      tags,
      params: IdParams,
      response: { 200: User, ...errorResponses(401, 403, 404) },
    },
    handler: async (request, reply) => {
      const p = request.principal!;
      if (p.kind === 'user' && p.role === 'player' && p.userId !== request.params.id) throw new ForbiddenError('A player may read only its own profile');
      return withEtag(request, reply, await users.get(request.params.id));
    },
  });

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/v1/users/:id',
      config: { permission: 'users.write' },
      schema: {
        operationId: method === 'PUT' ? 'updateUser' : 'patchUser',
        summary: 'Update a user (partial: fields not sent are kept)',
        tags,
        params: IdParams,
        body: UpdateUserBody,
        response: { 200: User, ...errorResponses(400, 401, 403, 404, 409, 412, 415) },
      },
      handler: async (request, reply) =>
        withEtag(request, reply, await users.update(request.params.id, request.body, actorOf(request), ifMatchOf(request))),
    });
  }

  app.delete('/api/v1/users/:id', {
    config: { permission: 'users.write' },
    schema: {
      operationId: 'deleteUser',
      summary: 'Delete a user',
      tags,
      params: IdParams,
      response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409, 412) },
    },
    handler: async (request, reply) => {
      await users.delete(request.params.id, actorOf(request), ifMatchOf(request));
      return reply.code(204).send(null);
    },
  });
}
