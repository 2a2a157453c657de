import { Type } from '@sinclair/typebox';
import { actorOf, userIdOf } from '../../http/auth.ts';
import { errorResponses } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { ValidationError } from '../../core/errors.ts';
import { Password, User } from '../users/schemas.ts';
import type { UsersService } from '../users/service.ts';
import type { AuthService } from './service.ts';

const tags = ['auth'];

const Tokens = Type.Object({
  accessToken: Type.String(),
  refreshToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Seconds until the access token expires' }),
});

const RefreshBody = Type.Object({ refreshToken: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });

export function authRoutes(app: App, auth: AuthService, users: UsersService): void {
  app.post('/api/v1/auth/login', {
    config: { permission: 'public', noStore: true },
    schema: {
      operationId: 'login',
      summary: 'Sign in with username or email and password',
      tags,
      security: [],
      body: Type.Object(
        {
          username: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'Username or email' })),
          email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
          password: Type.String({ minLength: 1, maxLength: 256 }),
        },
        { additionalProperties: false },
      ),
      response: { 200: Type.Intersect([Tokens, Type.Object({ user: User })]), ...errorResponses(400, 401, 403, 415, 429) },
    },
    handler: (request) => {
      const login = request.body.username ?? request.body.email;
      if (!login) throw new ValidationError('username', 'username or email is required');
      return auth.login(login, request.body.password, request.ip, request.id);
    },
  });

  app.post('/api/v1/auth/refresh', {
    config: { permission: 'public', noStore: true },
    schema: {
      operationId: 'refreshToken',
      summary: 'Trade a refresh token for a new token pair (the old refresh token is spent)',
      tags,
      security: [],
      body: RefreshBody,
      response: { 200: Tokens, ...errorResponses(400, 401, 415) },
    },
    handler: (request) => auth.refresh(request.body.refreshToken),
  });

  app.post('/api/v1/auth/logout', {
    config: { permission: 'self' },
    schema: {
      operationId: 'logout',
      summary: 'End the session of a refresh token, or every session when none is sent',
      tags,
      body: Type.Object({ refreshToken: Type.Optional(RefreshBody.properties.refreshToken) }, { additionalProperties: false }),
      response: { 204: Type.Null(), ...errorResponses(400, 401, 403) },
    },
    // The body is optional: none at all, or an empty one under a JSON content type, means `{}`.
    onRequest: (request, _reply, done) => {
      if (request.headers['content-length'] === '0') delete request.headers['content-type'];
      done();
    },
    preValidation: (request, _reply, done) => {
      request.body ??= {};
      done();
    },
    handler: async (request, reply) => {
      await auth.logout(userIdOf(request), request.body?.refreshToken);
      return reply.code(204).send(null);
    },
  });

  app.get('/api/v1/auth/me', {
    config: { permission: 'self' },
    schema: { operationId: 'getMe', summary: 'The signed-in user', tags, response: { 200: User, ...errorResponses(401, 403) } },
    handler: (request) => users.get(userIdOf(request)),
  });

  app.put('/api/v1/auth/password', {
    config: { permission: 'self' },
    schema: {
      operationId: 'changePassword',
      summary: 'Change your password (ends your other sessions)',
      tags,
      body: Type.Object({ currentPassword: Type.String({ minLength: 1, maxLength: 256 }), newPassword: Password }, { additionalProperties: false }),
      response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 415) },
    },
    handler: async (request, reply) => {
      await auth.changePassword(userIdOf(request), request.body.currentPassword, request.body.newPassword, actorOf(request));
      return reply.code(204).send(null);
    },
  });
}
