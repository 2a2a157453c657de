import cookie from '@fastify/cookie';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, userIdOf } from '../../http/auth.ts';
import { errorResponses } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { DomainError, ValidationError } from '../../core/errors.ts';
import { Password, User, USER_EXAMPLE } from '../users/schemas.ts';
import type { UsersService } from '../users/service.ts';
import type { AuthService } from './service.ts';

const tags = ['auth'];

const TOKENS_EXAMPLE = {
  accessToken: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
  refreshToken: 'rt_8f3a2c1d9e7b4a6f0c5d2e8b1a9f7c3d',
  tokenType: 'Bearer' as const,
  expiresIn: 900,
};

const Tokens = Type.Object(
  {
    accessToken: Type.String({ description: 'The access JWT: send it as Authorization: Bearer <token>' }),
    refreshToken: Type.String({ description: 'Single-use refresh token (in the `gatrix_refresh` cookie instead, for the console: see `X-Gatrix-Client`).' }),
    tokenType: Type.Literal('Bearer'),
    expiresIn: Type.Integer({ description: 'Seconds until the access token expires' }),
  },
  { title: 'TokenPair', description: 'A new access and refresh token pair', examples: [TOKENS_EXAMPLE] },
);
const LoginResult = Type.Intersect([Tokens, Type.Object({ user: User })], {
  title: 'LoginResult',
  description: 'The tokens and the signed-in user',
  examples: [{ ...TOKENS_EXAMPLE, user: USER_EXAMPLE }],
});

/**
 * What the console gets: the same without the refresh token, which is in its cookie, and when that cookie's session
 * ends unless refreshed again (the console warns before it).
 */
const ConsoleTokens = Type.Intersect([Type.Omit(Tokens, ['refreshToken']), Type.Object({ refreshExpiresIn: Type.Integer() })]);
const ConsoleLoginResult = Type.Intersect([ConsoleTokens, Type.Object({ user: User })]);

const RefreshToken = Type.String({ minLength: 1, maxLength: 200 });

/** The console's refresh token lives in this cookie, sent back to the auth routes only. */
export const REFRESH_COOKIE = 'gatrix_refresh';
const COOKIE_PATH = '/api/v1/auth';

const ClientHeaders = Type.Object({
  'x-gatrix-client': Type.Optional(
    Type.String({
      maxLength: 32,
      description:
        '`console` for the operator console: the refresh token travels in the HttpOnly cookie `gatrix_refresh` (never in the body), and a present `Origin` must match the host. Other clients leave it out.',
    }),
  ),
});

const isConsole = (request: FastifyRequest) => request.headers['x-gatrix-client'] === 'console';

/**
 * Cookie-authenticated calls must come from the console's own page: a cross-site form cannot send the custom
 * header at all, and a cross-site script that could would carry its own Origin, which must be this host.
 */
function assertSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host === undefined || host.toLowerCase() !== request.host.toLowerCase()) {
    throw new DomainError('forbidden', 'cross_origin_refused', 'The Origin of this console call does not match the host it was sent to');
  }
}

export async function authRoutes(root: App, auth: AuthService, users: UsersService, refreshTtlSeconds: number): Promise<void> {
  // Cookies are parsed for these routes only (the refresh cookie's Path is /api/v1/auth).
  await root.register(async (scope) => {
    await scope.register(cookie);
    routes(scope as unknown as App, auth, users, refreshTtlSeconds);
  });
}

function routes(app: App, auth: AuthService, users: UsersService, refreshTtlSeconds: number): void {
  const cookieOptions = (request: FastifyRequest) =>
    ({ path: COOKIE_PATH, httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' }) as const;
  const setRefreshCookie = (request: FastifyRequest, reply: FastifyReply, token: string) =>
    reply.setCookie(REFRESH_COOKIE, token, { ...cookieOptions(request), maxAge: refreshTtlSeconds });
  const clearRefreshCookie = (request: FastifyRequest, reply: FastifyReply) => reply.clearCookie(REFRESH_COOKIE, cookieOptions(request));

  app.post('/api/v1/auth/login', {
    config: { permission: 'public', noStore: true, rateLimited: true },
    schema: {
      operationId: 'login',
      summary: 'Sign in with username or email and password',
      description:
        'Returns an access token and a single-use refresh token. With `X-Gatrix-Client: console` the refresh token is set in the HttpOnly cookie `gatrix_refresh` instead of the body, and players are refused (403 `console_forbidden`). Failed attempts are throttled per account and per IP (429).',
      tags,
      security: [],
      headers: ClientHeaders,
      body: Type.Object(
        {
          username: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'Username or email' })),
          email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
          password: Type.String({ minLength: 1, maxLength: 256 }),
        },
        { additionalProperties: false, title: 'LoginRequest', examples: [{ username: 'admin', password: 'correct horse battery staple' }] },
      ),
      response: { 200: LoginResult, ...errorResponses(400, 401, 403, 415, 429) },
    },
    handler: async (request, reply) => {
      const login = request.body.username ?? request.body.email;
      if (!login) throw new ValidationError('username', 'username or email is required');
      const forConsole = isConsole(request);
      if (forConsole) assertSameOrigin(request);
      const { refreshToken, ...rest } = await auth.login(login, request.body.password, request.ip, request.id, forConsole);
      if (!forConsole) return { refreshToken, ...rest };
      setRefreshCookie(request, reply, refreshToken);
      return sendConsole(reply, { ...rest, refreshExpiresIn: refreshTtlSeconds }, ConsoleLoginResult);
    },
  });

  app.post('/api/v1/auth/refresh', {
    config: { permission: 'public', noStore: true },
    schema: {
      operationId: 'refreshToken',
      summary: 'Trade a refresh token for a new token pair (the old refresh token is spent)',
      description:
        'Send the refresh token in the body; the console (`X-Gatrix-Client: console`) sends no body and the `gatrix_refresh` cookie instead, which is replaced. A refresh token used twice ends its whole session (401 `refresh_token_reused`).',
      tags,
      security: [],
      headers: ClientHeaders,
      body: Type.Object(
        { refreshToken: Type.Optional(RefreshToken) },
        { additionalProperties: false, title: 'RefreshRequest', examples: [{ refreshToken: TOKENS_EXAMPLE.refreshToken }] },
      ),
      response: { 200: Tokens, ...errorResponses(400, 401, 403, 415) },
    },
    onRequest: optionalBody,
    preValidation: emptyBody,
    handler: async (request, reply) => {
      if (!isConsole(request)) {
        const token = request.body?.refreshToken;
        if (!token) throw new ValidationError('refreshToken', 'is required (or send X-Gatrix-Client: console with the gatrix_refresh cookie)');
        return auth.refresh(token);
      }
      assertSameOrigin(request);
      const token = request.cookies[REFRESH_COOKIE] ?? request.body?.refreshToken;
      if (!token) {
        throw new DomainError('unauthorized', 'invalid_refresh_token', 'No gatrix_refresh cookie: sign in again');
      }
      try {
        const { refreshToken, ...rest } = await auth.refresh(token);
        setRefreshCookie(request, reply, refreshToken);
        return sendConsole(reply, { ...rest, refreshExpiresIn: refreshTtlSeconds }, ConsoleTokens);
      } catch (err) {
        clearRefreshCookie(request, reply);
        throw err;
      }
    },
  });

  app.post('/api/v1/auth/logout', {
    config: { permission: 'self' },
    schema: {
      operationId: 'logout',
      summary: 'End the session of a refresh token, or every session when none is sent',
      description:
        'With `X-Gatrix-Client: console`, ends the session of the `gatrix_refresh` cookie (none: nothing is ended) and clears the cookie. Otherwise ends the session of the body\'s refresh token, or every session of the user when the body has none.',
      tags,
      headers: ClientHeaders,
      body: Type.Object(
        { refreshToken: Type.Optional(RefreshToken) },
        { additionalProperties: false, title: 'LogoutRequest', examples: [{ refreshToken: TOKENS_EXAMPLE.refreshToken }] },
      ),
      response: { 204: Type.Null(), ...errorResponses(400, 401, 403) },
    },
    onRequest: optionalBody,
    preValidation: emptyBody,
    handler: async (request, reply) => {
      const userId = userIdOf(request);
      if (isConsole(request)) {
        assertSameOrigin(request);
        const token = request.cookies[REFRESH_COOKIE];
        if (token) await auth.logout(userId, token);
        clearRefreshCookie(request, reply);
      } else {
        await auth.logout(userId, request.body?.refreshToken);
      }
      return reply.code(204).send(null);
    },
  });

  app.get('/api/v1/auth/me', {
    config: { permission: 'self' },
    schema: {
      operationId: 'getMe',
      summary: 'The signed-in user',
      description: 'The user the access token belongs to; API keys are refused (403).',
      tags,
      response: { 200: User, ...errorResponses(401, 403) },
    },
    handler: (request) => users.get(userIdOf(request)),
  });

  app.put('/api/v1/auth/password', {
    config: { permission: 'self', rateLimited: true },
    schema: {
      operationId: 'changePassword',
      summary: 'Change your password (ends your other sessions)',
      description: 'Needs the current password; wrong guesses are throttled like failed logins (429). The new password must pass the password policy.',
      tags,
      body: Type.Object(
        { currentPassword: Type.String({ minLength: 1, maxLength: 256 }), newPassword: Password },
        {
          additionalProperties: false,
          title: 'ChangePasswordRequest',
          examples: [{ currentPassword: 'correct horse battery staple', newPassword: 'another long passphrase 42' }],
        },
      ),
      response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 415) },
    },
    handler: async (request, reply) => {
      await auth.changePassword(userIdOf(request), request.body.currentPassword, request.body.newPassword, actorOf(request));
      return reply.code(204).send(null);
    },
  });
}

// The body is optional: none at all, or an empty one under a JSON content type, means `{}`.
function optionalBody(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  if (request.headers['content-length'] === '0') delete request.headers['content-type'];
  done();
}

function emptyBody(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  request.body ??= {};
  done();
}

/**
 * The console's answers leave out the refresh token the route's documented schema (for API clients) requires:
 * they are serialized with their own schema, which drops anything it does not name, as the route's would.
 */
function sendConsole(reply: FastifyReply, body: Record<string, unknown>, schema: TSchema): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(reply.serializeInput(body, schema));
}
