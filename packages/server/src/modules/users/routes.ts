import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError } from '../../core/errors.ts';
import { actorOf } from '../../http/auth.ts';
import { collectionRoutes, itemRoutes } from '../../http/resource-routes.ts';
import { errorResponses, IdParams, JSON_TYPE } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import {
  BulkUsersBody,
  BulkUsersResult,
  CreateUserBody,
  ExportUsersQuery,
  ListUsersQuery,
  SuspendUserBody,
  TemporaryPassword,
  UpdateUserBody,
  User,
  UserPage,
  UserSessionList,
  type BulkUsersInput,
  type ExportUsersFilter,
  type ListUsersFilter,
  type PublicUser,
  type SuspendUserInput,
} from './schemas.ts';
import type { UsersService } from './service.ts';
import { checkFilter } from './store.ts';

const TAGS = ['users'];
const ID = Type.Object({ id: { ...IdParams.properties.id, description: 'The user id.' } });
const SESSION = Type.Object({
  id: { ...IdParams.properties.id, description: 'The user id.' },
  sessionId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'A session id from the user\'s session list.' }),
});
const idOf = (request: FastifyRequest) => (request.params as { id: number }).id;

/** The CSV columns of the export, in order, and how each is read from a user. */
const CSV_COLUMNS: [string, (u: PublicUser) => unknown][] = [
  ['id', (u) => u.id],
  ['username', (u) => u.username],
  ['email', (u) => u.email],
  ['displayName', (u) => u.displayName],
  ['role', (u) => u.role],
  ['status', (u) => u.status],
  ['suspendedReason', (u) => u.suspendedReason],
  ['suspendedUntil', (u) => u.suspendedUntil],
  ['lastLoginAt', (u) => u.lastLoginAt],
  ['createdAt', (u) => u.createdAt],
  ['updatedAt', (u) => u.updatedAt],
];

/**
 * One CSV cell (RFC 4180 quoting). A text that a spreadsheet would run as a formula (it begins with = + - @, a
 * tab or a carriage return) is prefixed with `'`, so opening the file runs nothing a user typed.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const csvLine = (cells: unknown[]) => cells.map(csvCell).join(',') + '\r\n';

/** The rows of a page, serialized on their own by the list's schema: a total that moves reuses them. */
const USER_ROWS = UserPage.properties.data;
const EMPTY_PAGE_START = '{"data":[]';

export function usersRoutes(app: App, users: UsersService): void {
  /** A cached page's rows → their JSON; an answer (rows and total) → its body. */
  const serializedRows = new WeakMap<object, Buffer>();
  const serializedPages = new WeakMap<object, Buffer>();

  app.get('/api/v1/users', {
    config: { permission: 'users.read' },
    schema: {
      operationId: 'listUsers',
      summary: 'List users',
      description:
        'A page of users, filtered and sorted. Page with `page` (offset) or, stable under concurrent changes, with `cursor` = the previous `nextCursor`. Pages are cached for up to 2 s.',
      tags: TAGS,
      querystring: ListUsersQuery,
      response: { 200: UserPage, ...errorResponses(400, 401, 403) },
    },
    // Hot list pages are cached for up to 2 s (service.ts); serializing 50 users was the largest cost left on
    // this route, so a cached page's rows are serialized once, by the route's own response schema, and a total
    // that a registration moves only re-serializes the small rest of the answer.
    handler: async (request, reply) => {
      const page = await users.list(request.query as ListUsersFilter);
      let body = serializedPages.get(page);
      if (!body) {
        let rows = serializedRows.get(page.data);
        if (!rows) {
          rows = Buffer.from(reply.compileSerializationSchema(USER_ROWS)(page.data as never));
          serializedRows.set(page.data, rows);
        }
        const rest = reply.serialize({ ...page, data: [] }) as string;
        if (!rest.startsWith(EMPTY_PAGE_START)) throw new Error('the users page schema no longer serializes data first');
        body = Buffer.concat([Buffer.from('{"data":'), rows, Buffer.from(rest.slice(EMPTY_PAGE_START.length))]);
        serializedPages.set(page, body);
      }
      return reply.type(JSON_TYPE).send(body as never);
    },
  });

  app.get('/api/v1/users/export.csv', {
    config: { permission: 'users.read', noStore: true },
    schema: {
      operationId: 'exportUsersCsv',
      summary: 'Export users as CSV',
      description:
        'Every user matching the list filters, as a streamed UTF-8 CSV file (header row first; `bom=true` starts it with a byte order mark). Cells a spreadsheet would run as formulas are prefixed with `\'`. The export is audited (`users.exported`, with its filter and row count).',
      tags: TAGS,
      querystring: ExportUsersQuery,
      response: {
        200: {
          description: 'The CSV file (`Content-Disposition: attachment`).',
          content: { 'text/csv': { schema: Type.String({ examples: ['id,username,email,displayName,role,status,suspendedReason,suspendedUntil,lastLoginAt,createdAt,updatedAt\r\n123,player123,player@example.com,,player,active,,,,2026-01-01T00:00:00.000Z,2026-01-01T00:00:00.000Z\r\n'] }) } },
        },
        ...errorResponses(400, 401, 403),
      },
    },
    handler: async (request, reply) => {
      const query = request.query as ExportUsersFilter;
      checkFilter(query);
      const actor = actorOf(request);
      async function* lines(): AsyncGenerator<string, void, undefined> {
        let rows = 0;
        let complete = false;
        try {
          yield (query.bom ? '\uFEFF' : '') + csvLine(CSV_COLUMNS.map(([name]) => name));
          for await (const batch of users.matching(query, query.sort ?? 'id')) {
            yield batch.map((u) => csvLine(CSV_COLUMNS.map(([, read]) => read(u)))).join('');
            rows += batch.length;
          }
          complete = true;
        } finally {
          await users.recordExport(query, rows, complete, actor).catch((err: unknown) => request.log.error({ err }, 'users export: audit entry failed'));
        }
      }
      const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
      await reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="users-${stamp}.csv"`)
        .send(Readable.from(lines()) as never);
    },
  });

  app.post('/api/v1/users/bulk', {
    config: { permission: 'users.write' },
    schema: {
      operationId: 'bulkUsers',
      summary: 'Change or delete many users',
      description:
        'Sets the status or role of, or deletes, up to 10,000 users given by `ids` or by `filter` ("all matching"). Each user is its own audited change under the single routes\' rules; refusals are reported per user and do not stop the others.',
      tags: TAGS,
      body: BulkUsersBody,
      response: { 200: BulkUsersResult, ...errorResponses(400, 401, 403, 413, 415) },
    },
    handler: (request) => users.bulk(request.body as BulkUsersInput, actorOf(request)),
  });

  collectionRoutes(app, {
    path: '/api/v1/users',
    tags: TAGS,
    permissions: { read: 'users.read', write: 'users.write' },
    schemas: { item: User, create: CreateUserBody },
    service: users,
    create: { operationId: 'createUser', summary: 'Create a user' },
  });
  itemRoutes(app, {
    path: '/api/v1/users',
    tags: TAGS,
    permissions: { read: 'users.read', write: 'users.write' },
    schemas: { item: User, update: UpdateUserBody },
    service: users,
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

  app.post('/api/v1/users/:id/suspend', {
    config: { permission: 'users.write' },
    schema: {
      operationId: 'suspendUser',
      summary: 'Suspend a user',
      description:
        'Sets the status to `suspended` with a reason and, optionally, an end time (`until`, in the future) at which the server lifts it. Ends the user\'s login sessions; a suspended user cannot sign in. Not for your own account or the last active admin.',
      tags: TAGS,
      params: ID,
      body: SuspendUserBody,
      response: { 200: User, ...errorResponses(400, 401, 403, 404, 409, 415) },
    },
    handler: (request) => users.suspend(idOf(request), request.body as SuspendUserInput, actorOf(request)),
  });

  app.post('/api/v1/users/:id/unsuspend', {
    config: { permission: 'users.write' },
    schema: {
      operationId: 'unsuspendUser',
      summary: 'Lift a suspension',
      description: 'Sets a suspended user\'s status back to `active` and clears its reason and end time; a user who is not suspended is answered unchanged.',
      tags: TAGS,
      params: ID,
      response: { 200: User, ...errorResponses(401, 403, 404) },
    },
    handler: (request) => users.unsuspend(idOf(request), actorOf(request)),
  });

  app.post('/api/v1/users/:id/unlock', {
    config: { permission: 'users.write' },
    schema: {
      operationId: 'unlockUser',
      summary: 'Lift a login lockout',
      description:
        'Clears the failed-login counters of the account (by username and email) on every node, so it may sign in again at once. Counters per source address are kept.',
      tags: TAGS,
      params: ID,
      response: { 204: Type.Null({ description: 'Unlocked.' }), ...errorResponses(401, 403, 404) },
    },
    handler: async (request, reply) => {
      await users.unlock(idOf(request), actorOf(request));
      return reply.code(204).send(null);
    },
  });

  app.post('/api/v1/users/:id/reset-password', {
    config: { permission: 'users.write', noStore: true },
    schema: {
      operationId: 'resetUserPassword',
      summary: 'Reset a user\'s password',
      description:
        'Replaces the password with a random one, answered this once (the server keeps only its hash), ends the user\'s login sessions and lifts its login lockout. Not for your own account.',
      tags: TAGS,
      params: ID,
      response: { 200: TemporaryPassword, ...errorResponses(401, 403, 404) },
    },
    handler: (request) => users.resetPassword(idOf(request), actorOf(request)),
  });

  app.get('/api/v1/users/:id/sessions', {
    config: { permission: 'users.write' },
    schema: {
      operationId: 'listUserSessions',
      summary: 'List a user\'s login sessions',
      description: 'The user\'s live login sessions (refresh-token families), newest first; never a token. Staff with users.write only.',
      tags: TAGS,
      params: ID,
      response: { 200: UserSessionList, ...errorResponses(401, 403, 404) },
    },
    handler: async (request) => ({ data: await users.sessions(idOf(request)) }),
  });

  app.delete('/api/v1/users/:id/sessions/:sessionId', {
    config: { permission: 'users.write' },
    schema: {
      operationId: 'revokeUserSession',
      summary: 'End a user\'s login session',
      description: 'Revokes the session\'s refresh tokens and closes its sockets; its access token stops working for sockets at once and for HTTP when it expires.',
      tags: TAGS,
      params: SESSION,
      response: { 204: Type.Null({ description: 'Ended.' }), ...errorResponses(401, 403, 404) },
    },
    handler: async (request, reply) => {
      const { id, sessionId } = request.params as { id: number; sessionId: string };
      await users.revokeSession(id, sessionId, actorOf(request));
      return reply.code(204).send(null);
    },
  });
}
