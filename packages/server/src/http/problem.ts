import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { DomainError, invalidFields, RateLimitedError, type ErrorKind, type FieldError } from '../core/errors.ts';
import { principalLabel } from '../core/permissions.ts';
import { PROBLEM_CODES, type ProblemCode } from '../core/problem-codes.ts';

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  precondition_failed: 412,
  unprocessable: 422,
  rate_limited: 429,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Fastify's own client errors, with the code we give them. */
const FASTIFY_CODES: Record<string, ProblemCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
};

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: ProblemCode,
  detail: string,
  errors?: FieldError[],
): FastifyReply {
  return reply
    .code(status)
    .type('application/problem+json')
    .send({
      type: `/docs/problems#${code}`,
      title: TITLES[status] ?? 'Error',
      status,
      detail,
      code,
      requestId: request.id,
      ...(errors && errors.length > 0 ? { errors } : {}),
    });
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/**
 * Ajv errors → [{ path, message }] where path names the field: body fields by name (`email`, `tags.0`), others
 * with where they came from (`query.limit`, `params.id`, `headers.if-match`), like the paths services report.
 */
export function fieldErrors(context: string | undefined, validation: AjvError[]): FieldError[] {
  const where = context === 'querystring' ? 'query' : context === 'body' || context === undefined ? [] : context;
  return validation.map((v) => {
    const segments = v.instancePath.split('/').filter(Boolean);
    if (v.keyword === 'required') segments.push(String(v.params.missingProperty));
    if (v.keyword === 'additionalProperties') {
      const name = String(v.params.additionalProperty);
      segments.push(name === '' ? '""' : name);
      return { path: [where, ...segments].flat().join('.'), message: 'is not a known field' };
    }
    const path = [where, ...segments].flat().join('.') || '(body)';
    let message = v.message ?? 'is invalid';
    if (v.keyword === 'required') message = 'is required';
    if (v.keyword === 'enum' || (v.keyword === 'const' && v.params.allowedValue !== undefined)) {
      message = `must be one of ${JSON.stringify(v.params.allowedValues ?? [v.params.allowedValue])}`;
    }
    return { path, message };
  });
}

/** What a 5xx is reported with: the request, its route template and who called (never a credential). */
export interface ServerErrorContext {
  requestId: string;
  method: string;
  route: string | undefined;
  actor: string | undefined;
}

/** One error handler for the whole API: domain errors, validation, Fastify's client errors; 5xx say nothing internal. */
export function registerProblemHandlers(app: FastifyInstance, onServerError: (err: Error, context: ServerErrorContext) => void = () => undefined): void {
  // A second router knows every registered path, so an existing path with the wrong method answers 405.
  const known = FindMyWay();
  app.addHook('onRoute', (route) => {
    // A catch-all that hands what it does not serve back to this handler (the console's page fallback) does not
    // make every path "known": a POST to an unknown path stays 404 rather than 405.
    if (route.config?.catchAll) return;
    for (const m of ([] as string[]).concat(route.method)) {
      if (!known.hasRoute(m as HTTPMethod, route.url)) known.on(m as HTTPMethod, route.url, () => undefined);
    }
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const allowed = (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).filter((m) => known.find(m, path));
    // A route that exists for this method but found nothing to serve (a missing docs asset) is a plain 404.
    if (allowed.length > 0 && !allowed.includes(request.method as (typeof allowed)[number])) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(request, reply, 405, 'method_not_allowed', `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}`);
    }
    return sendProblem(request, reply, 404, 'route_not_found', `No route ${request.method} ${path}`);
  });

  app.setErrorHandler((err: FastifyError | DomainError | Error, request, reply) => {
    if (err instanceof DomainError) {
      if (err instanceof RateLimitedError) reply.header('retry-after', String(err.retryAfterSeconds));
      return sendProblem(request, reply, STATUS_BY_KIND[err.kind], err.code, err.message, err.errors);
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const invalid = invalidFields(fieldErrors(fe.validationContext, fe.validation as AjvError[]));
      return sendProblem(request, reply, 400, invalid.code, invalid.message, invalid.errors);
    }
    const status = fe.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      if (status === 429) reply.header('retry-after', String(reply.getHeader('retry-after') ?? 1));
      const code = (fe.code ? FASTIFY_CODES[fe.code] : undefined) ?? (err instanceof SyntaxError ? 'malformed_json' : 'bad_request');
      const detail = code === 'unsupported_media_type' ? `${fe.message}; send the body as JSON with content-type: application/json` : fe.message;
      return sendProblem(request, reply, status, code, detail);
    }
    const context = { method: request.method, route: request.routeOptions.url, actor: principalLabel(request.principal) };
    request.log.error({ err, ...context }, 'request failed');
    onServerError(err, { requestId: request.id, ...context });
    return sendProblem(request, reply, 500, 'internal_error', 'An unexpected error occurred; quote the request id when reporting it');
  });
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The page each problem `type` (`/docs/problems#<code>`) points into: one entry per code, anchored by the code. */
export const PROBLEMS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gatrix problem codes</title></head>
<body>
<h1>Gatrix problem codes</h1>
<p>Every error answer is RFC 9457 <code>application/problem+json</code>: <code>type</code>, <code>title</code>, <code>status</code>,
<code>detail</code>, <code>code</code>, <code>requestId</code> and, for invalid fields, <code>errors: [{ path, message }]</code>.
Programs should branch on <code>code</code>; <code>detail</code> is for people.</p>
<dl>
${Object.entries(PROBLEM_CODES)
  .map(([code, [status, text]]) => `<dt id="${code}"><code>${code}</code> (${status} ${TITLES[status]})</dt>\n<dd>${escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>')}</dd>`)
  .join('\n')}
</dl>
</body></html>
`;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A wildcard route that calls `reply.callNotFound()` for what it does not serve (see registerProblemHandlers). */
    catchAll?: boolean;
  }
}
