import { ForbiddenError } from '../../core/errors.ts';
import { resourceRoutes } from '../../http/resource-routes.ts';
import { JSON_TYPE } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { CreateUserBody, ListUsersQuery, UpdateUserBody, User } from './schemas.ts';
import type { UsersService } from './service.ts';

export function usersRoutes(app: App, users: UsersService): void {
  const serializedPages = new WeakMap<object, Buffer>();
  resourceRoutes(app, {
    path: '/api/v1/users',
    tags: ['users'],
    permissions: { read: 'users.read', write: 'users.write' },
    schemas: { item: User, query: ListUsersQuery, create: CreateUserBody, update: UpdateUserBody },
    service: users,
    list: {
      operationId: 'listUsers',
      summary: 'List users',
      // Hot list pages are cached for up to 2 s (service.ts); serializing 50 users was the largest cost left on
      // this route, so each cached page is serialized once, by the route's own response schema.
      send: (page, reply) => {
        let body = serializedPages.get(page);
        if (!body) {
          body = Buffer.from(reply.serialize(page) as string);
          serializedPages.set(page, body);
        }
        return reply.type(JSON_TYPE).send(body);
      },
    },
    create: { operationId: 'createUser', summary: 'Create a user' },
    get: {
      operationId: 'getUser',
      summary: 'Get a user',
      permission: 'users.readSelf',
      check: (request) => {
        const p = request.principal!;
        if (p.kind === 'user' && p.role === 'player' && p.userId !== request.params.id) throw new ForbiddenError('A player may read only its own profile');
      },
    },
    update: { operationId: 'updateUser', patchOperationId: 'patchUser', summary: 'Update a user (partial: fields not sent are kept)' },
    delete: { operationId: 'deleteUser', summary: 'Delete a user', errors: [401, 403, 404, 409, 412] },
  });
}
