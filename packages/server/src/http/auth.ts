import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../core/errors.ts';
import { allows, AUDIT_REASON_MAX, neededFor, type Permission, type Principal, type Actor } from '../core/permissions.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route; every route must declare one (checked when routes are registered). */
    permission?: Permission;
    /** A fixed bearer token that also opens this route (METRICS_TOKEN on /metrics, for scrapers). */
    metricsToken?: string;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Routes registered by the docs UI plugin; they are public and carry no config of ours. */
const DOCS_PREFIX = '/docs';

export function credentialOf(headers: FastifyRequest['headers']): string | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.length > 0) return apiKey.trim();
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  return undefined;
}

/** The header a caller explains a change with; its decoded text goes into every audit entry the request writes. */
export const AUDIT_REASON_HEADER = 'x-audit-reason';

/**
 * The request's audit reason: the X-Audit-Reason header, URL-decoded (UTF-8), trimmed; undefined when absent or
 * blank. A 400 naming the header when it is sent twice, is not valid percent-encoding, has control characters,
 * or is longer than AUDIT_REASON_MAX characters once decoded.
 */
export function auditReasonOf(headers: FastifyRequest['headers']): string | undefined {
  const raw = headers[AUDIT_REASON_HEADER];
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw new ValidationError('X-Audit-Reason', 'must be sent once');
  let text: string;
  try {
    text = decodeURIComponent(raw);
  } catch {
    throw new ValidationError('X-Audit-Reason', 'must be URL-encoded UTF-8 (encodeURIComponent)');
  }
  text = text.trim();
  if (text === '') return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) throw new ValidationError('X-Audit-Reason', 'must not contain control characters such as line breaks');
  if ([...text].length > AUDIT_REASON_MAX) throw new ValidationError('X-Audit-Reason', `must be at most ${AUDIT_REASON_MAX} characters once decoded`);
  return text;
}

export function actorOf(request: FastifyRequest): Actor {
  return { principal: request.principal, ip: request.ip, requestId: request.id, reason: auditReasonOf(request.headers) ?? null };
}

/** The signed-in user's id; routes with permission `self` are reached by users only. */
export function userIdOf(request: FastifyRequest): number {
  const p = request.principal;
  if (p?.kind !== 'user') throw new ForbiddenError('This route needs a signed-in user, not an API key');
  return p.userId;
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Who a credential (access token or API key) belongs to; a cached one is answered without a promise. */
export type Authenticate = (credential: string) => Principal | undefined | Promise<Principal | undefined>;

export function registerAuth(app: FastifyInstance, authenticate: Authenticate): void {
  app.addHook('onRoute', (route) => {
    if (route.config?.permission) return;
    if (route.url.startsWith(DOCS_PREFIX)) {
      route.config = { ...route.config, permission: 'public' };
      return;
    }
    throw new Error(`route ${String(route.method)} ${route.url} declares no permission`);
  });

  // Callback style: a cached credential is checked without a promise (this runs on every request).
  app.addHook('onRequest', (request, _reply, done) => {
    const permission = request.routeOptions.config.permission;
    if (permission === undefined || permission === 'public') return done(); // 404/405 handler, or a public route
    const credential = credentialOf(request.headers);
    if (!credential) return done(new UnauthorizedError('Authentication is required: send Authorization: Bearer <token> or X-API-Key'));
    const { metricsToken } = request.routeOptions.config;
    if (metricsToken !== undefined && sameSecret(credential, metricsToken)) return done();
    const decide = (principal: Principal | undefined) => {
      if (!principal) return done(new UnauthorizedError('The credential is invalid, expired or revoked', 'invalid_credentials'));
      request.principal = principal;
      done(allows(permission, principal) ? undefined : new ForbiddenError(neededFor(permission)));
    };
    const found = authenticate(credential);
    if (found instanceof Promise) found.then(decide, done);
    else decide(found);
  });
}
