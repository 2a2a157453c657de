import type { FastifySchema, RouteOptions } from 'fastify';
import { AUDIT_REASON_MAX, PERMISSIONS, type Permission } from '../core/permissions.ts';
import { AUDIT_REASON_HEADER } from './auth.ts';

/**
 * What the OpenAPI document (`/openapi.json`) derives from the routes by itself, so that a route only needs an
 * operationId, summary, description, tags, TypeBox `title`s on its bodies and answers, parameter descriptions and
 * an `examples: [value]` on its success answer (docs/architecture.md, "Adding a route"):
 *
 * - `security`, `x-gatrix-permission`, `x-gatrix-grants` and a sentence naming who may call, from
 *   `config.permission` and PERMISSIONS;
 * - the error answers every route of its kind can give (400 with input, 401/403 with credentials, 413/415 with
 *   a body, 412 with If-Match, 429 with a rate limit), all `application/problem+json` with the `Problem` schema;
 * - request headers: `X-Request-Id` everywhere, `Idempotency-Key` on authenticated POSTs, `X-Audit-Reason` on
 *   authenticated writes, `If-Match` where the route honours it; response headers: `X-Request-Id` everywhere, `ETag` where sent, `Retry-After` on 429;
 * - every object schema with a `title` becomes a named entry of `components.schemas`, referenced by `$ref`.
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The success answer carries an ETag (and a matching If-None-Match on GET answers 304). */
    etag?: boolean;
    /** The route honours If-Match: a stale tag answers 412. */
    ifMatch?: boolean;
    /** A rate limit applies: the route may answer 429 with Retry-After. */
    rateLimited?: boolean;
  }
}

const either = (words: readonly string[]) => (words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`);

/** "Requires ops.write: users with role admin or operator, admin API keys." */
export function permissionSentence(permission: Permission, metricsToken = false): string {
  if (permission === 'public') return 'Public: no credentials needed.';
  const grants: readonly string[] = PERMISSIONS[permission];
  const roles = grants.filter((g) => !g.startsWith('key:'));
  const keys = grants.filter((g) => g.startsWith('key:')).map((g) => g.slice(4));
  const who = [roles.length > 0 ? `users with role ${either(roles)}` : '', keys.length > 0 ? `${either(keys)} API keys` : ''].filter(Boolean);
  return `Requires ${permission}: ${who.join(', ')}${metricsToken ? ', or the METRICS_TOKEN as a bearer token when one is configured' : ''}.`;
}

/** The security requirements of a permission: bearer for users (and keys, which may also be sent as a bearer token), X-API-Key for keys. */
export function securityOf(permission: Permission): Record<string, string[]>[] {
  if (permission === 'public') return [];
  const grants: readonly string[] = PERMISSIONS[permission];
  return grants.some((g) => g.startsWith('key:')) ? [{ bearer: [] }, { apiKey: [] }] : [{ bearer: [] }];
}

interface ObjectSchema {
  type?: unknown;
  properties?: Record<string, unknown>;
  required?: string[];
  [key: string]: unknown;
}

const ERROR_STATUS_ORDER = (a: string, b: string) => Number(a) - Number(b);

/**
 * The per-route step (@fastify/swagger `transform`): adds what the route's config and shape imply. Works on a copy;
 * the route's schema is also what Fastify validates with.
 */
export function transformRoute({ schema, url, route }: { schema: FastifySchema; url: string; route: RouteOptions }): { schema: FastifySchema; url: string } {
  if (!schema || (schema as { hide?: boolean }).hide) return { schema, url };
  const s = { ...schema } as FastifySchema & Record<string, unknown>;
  const config = route.config ?? {};
  const permission = config.permission ?? 'public';
  const methods = ([] as string[]).concat(route.method);

  // A query parameter with a default (page, limit, sort…) may be left out: say so in the document.
  const query = s.querystring as ObjectSchema | undefined;
  if (query?.required && query.properties) {
    s.querystring = { ...query, required: query.required.filter((name) => (query.properties![name] as { default?: unknown })?.default === undefined) };
  }

  s.security = s.security ?? securityOf(permission);
  s['x-gatrix-permission'] = permission;
  s['x-gatrix-grants'] = [...PERMISSIONS[permission]];
  const tokenRoute = 'metricsToken' in config;
  const sentence = permissionSentence(permission, tokenRoute);
  s.description = s.description ? `${String(s.description).trim()} ${sentence}` : sentence;

  // Request headers the server reads on this route.
  const headers = (s.headers as ObjectSchema | undefined) ?? { type: 'object', properties: {} };
  const props: Record<string, unknown> = { ...headers.properties };
  props['x-request-id'] ??= { type: 'string', pattern: '^[\\w.:-]{1,128}$', description: 'A request id to use for this request (echoed in the X-Request-Id answer header, logs and audit entries); a fresh UUID when absent or not of this form' };
  if (methods.includes('POST') && permission !== 'public') {
    props['idempotency-key'] ??= {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description: 'Makes a retry safe: the first answer for this key (per caller) is kept 24 h and replayed for the same body; a different body is 422, a retry while the first still runs is 409',
    };
  }
  if (permission !== 'public' && methods.some((m) => m !== 'GET' && m !== 'HEAD')) {
    props[AUDIT_REASON_HEADER] ??= {
      type: 'string',
      description: `Why this change is made: URL-encoded UTF-8 (encodeURIComponent), at most ${AUDIT_REASON_MAX} characters once decoded, no control characters; stored in every audit entry the request writes`,
    };
  }
  if (config.ifMatch) props['if-match'] ??= { type: 'string', maxLength: 200, description: 'The ETag last read: the change is made only if the resource still has it (else 412)' };
  if (props['if-match']) (props['if-match'] as { description?: string }).description ??= 'The ETag last read: the change is made only if the resource still has it (else 412)';
  s.headers = { ...headers, type: 'object', properties: props };

  // Error answers every route of its kind can give.
  const response = { ...(s.response as Record<string, unknown> | undefined) };
  const errors = new Set(Object.keys(response).filter((k) => Number(k) >= 400));
  const has = (status: number) => errors.add(String(status));
  if (s.body || s.querystring || s.params) has(400);
  if (permission !== 'public' || tokenRoute) {
    has(401);
    if (permission !== 'public') has(403);
  }
  if (s.body) {
    has(413);
    has(415);
  }
  if (config.ifMatch) has(412);
  if (config.rateLimited) has(429);
  if (methods.includes('POST') && permission !== 'public') {
    has(409);
    has(422);
  }
  const problem = { $ref: 'Problem' };
  for (const status of [...errors].sort(ERROR_STATUS_ORDER)) response[status] ??= problem;
  s.response = response;

  if (config.etag) s['x-gatrix-etag'] = true;
  return { schema: s, url };
}

const ERROR_DESCRIPTIONS: Record<string, string> = {
  400: 'Invalid input: `errors` names each invalid field',
  401: 'No credential, or an invalid, expired or revoked one',
  403: 'The credential lacks the permission this route needs',
  404: 'No such resource',
  405: 'Method not allowed',
  409: 'Conflict with the current state (a unique field taken, an Idempotency-Key still in progress)',
  410: 'Gone: what the request points at is no longer kept (`code` says what)',
  412: 'If-Match does not match the current ETag: read the resource again',
  413: 'The body is larger than the body limit (GATRIX_BODY_LIMIT)',
  414: 'URI too long',
  415: 'The body is not JSON (send content-type: application/json)',
  422: 'The request is well formed but cannot be done (an Idempotency-Key reused with another body, a rule of the resource)',
  429: 'Too many requests: retry after the seconds in Retry-After',
  500: 'Unexpected server error: quote the request id',
  503: 'A dependency is down: `code` names it',
};

/** The example Problem the document shows. */
export const PROBLEM_EXAMPLE = {
  type: '/docs/problems#validation_failed',
  title: 'Bad Request',
  status: 400,
  detail: 'email: must match format "email"',
  code: 'validation_failed',
  requestId: '0b6f3f0e-8a61-4c2b-9d1e-2f7c9a4b5d10',
  errors: [{ path: 'email', message: 'must match format "email"' }],
};

type Json = Record<string, unknown>;

/** Request headers as the document spells them (Fastify's header schemas use lowercase names). */
const HEADER_NAMES: Record<string, string> = {
  'x-request-id': 'X-Request-Id',
  'idempotency-key': 'Idempotency-Key',
  'if-match': 'If-Match',
  [AUDIT_REASON_HEADER]: 'X-Audit-Reason',
};

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * JSON text of a schema without its examples and its own description: two uses of one schema may differ there
 * (a property describes what the named schema means in its place).
 */
function shapeOf(schema: unknown): string {
  const { description: _description, ...rest } = schema as Json;
  return JSON.stringify(rest, (key, value: unknown) => (key === 'examples' || key === 'example' ? undefined : value));
}

const words = (title: string) => title.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

/** Names of hoisted schemas that two different shapes claimed (each later one got a numbered name). */
export const schemaNameClashes: string[] = [];

/**
 * Replaces every object schema with a `title` below `node` (itself included when `hoistSelf`) by a `$ref` to a
 * `components.schemas` entry of that name. Innermost first, so named schemas refer to each other by name.
 */
function hoist(node: unknown, schemas: Json, hoistSelf: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => hoist(n, schemas, true));
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'examples' || key === 'enum' || key === 'const' || key === 'default') out[key] = value;
    else if (key === 'properties' || key === 'patternProperties' || key === '$defs') {
      out[key] = Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, hoist(v, schemas, true)]));
    } else if (isObject(value) || Array.isArray(value)) out[key] = hoist(value, schemas, true);
    else out[key] = value;
  }
  const title = out.title;
  const objectLike = out.type === 'object' || out.properties !== undefined || out.allOf !== undefined;
  if (!hoistSelf || typeof title !== 'string' || !objectLike || !/^[A-Za-z0-9._-]+$/.test(title)) return out;
  let name = title;
  for (let i = 2; schemas[name] !== undefined && shapeOf(schemas[name]) !== shapeOf(out); i++) {
    if (i === 2) schemaNameClashes.push(title);
    name = `${title}${i}`;
  }
  const existing = schemas[name] as Json | undefined;
  if (!existing || (existing.examples === undefined && out.examples !== undefined)) schemas[name] = existing ? { ...out, description: existing.description } : out;
  const kept = (schemas[name] as Json).description;
  // A description of its own in this place stays beside the reference (JSON Schema 2020-12 allows it).
  return out.description !== undefined && out.description !== kept ? { $ref: `#/components/schemas/${name}`, description: out.description } : { $ref: `#/components/schemas/${name}` };
}

/** The document-wide step (@fastify/swagger `transformObject`): named schemas, problem+json errors, headers, answer descriptions. */
export function transformDocument({ openapiObject }: { openapiObject: Json }): Json {
  const doc = structuredClone(openapiObject) as Json & { paths: Record<string, Record<string, Json>>; components: Json & { schemas: Json } };
  const schemas = doc.components.schemas;
  schemaNameClashes.length = 0;

  schemas.Problem = {
    ...(schemas.Problem as Json),
    title: 'Problem',
    description:
      'RFC 9457 problem details, sent as application/problem+json with every error. Branch on `code` (listed at /docs/problems); `detail` is for people.',
    examples: [PROBLEM_EXAMPLE],
  };
  doc.components.headers = {
    RequestId: { description: 'The id of this request, as given in X-Request-Id or made by the server; quote it when reporting a problem', schema: { type: 'string' } },
    ETag: { description: 'The version of the resource; send it in If-Match to change it only if unchanged, or in If-None-Match to get 304 when unchanged', schema: { type: 'string' } },
    RetryAfter: { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } },
  };

  for (const pathItem of Object.values(doc.paths)) {
    for (const op of Object.values(pathItem)) {
      if (!isObject(op) || !isObject(op.responses)) continue;
      const etag = op['x-gatrix-etag'] === true;
      delete op['x-gatrix-etag'];
      if (isObject(op.requestBody)) op.requestBody = hoistContent(op.requestBody, schemas);
      for (const p of (op.parameters ?? []) as Json[]) if (p.in === 'header') p.name = HEADER_NAMES[p.name as string] ?? p.name;
      for (const [status, r] of Object.entries(op.responses as Record<string, Json>)) {
        const code = Number(status);
        const headers: Json = { 'X-Request-Id': { $ref: '#/components/headers/RequestId' } };
        if (code >= 400) {
          // A route may document a richer problem (more members) by a titled schema of its own; else the Problem.
          const own = isObject(r.content) ? (Object.values(hoistContent(r, schemas).content as Json)[0] as Json | undefined)?.schema : undefined;
          const richer = isObject(own) && typeof own.$ref === 'string' && own.$ref !== '#/components/schemas/Problem' ? own : undefined;
          (op.responses as Json)[status] = {
            description: richer && r.description && r.description !== 'Default Response' ? r.description : (ERROR_DESCRIPTIONS[status] ?? 'Error'),
            headers: code === 429 ? { ...headers, 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } : headers,
            content: { 'application/problem+json': { schema: richer ?? { $ref: '#/components/schemas/Problem' } } },
          };
          continue;
        }
        if (etag && code >= 200 && code < 300 && code !== 204) headers.ETag = { $ref: '#/components/headers/ETag' };
        const hoisted = hoistContent(r, schemas);
        const media = isObject(hoisted.content) ? (Object.values(hoisted.content)[0] as Json | undefined) : undefined;
        const ref = isObject(media?.schema) ? (media.schema.$ref as string | undefined) : undefined;
        let description = hoisted.description as string | undefined;
        if (!description || description === 'Default Response') {
          const name = ref?.split('/').pop();
          description = code === 204 ? 'Done; no content' : name ? `The ${words(name)}` : 'The answer';
        }
        (op.responses as Json)[status] = { ...hoisted, description, headers: { ...headers, ...(isObject(hoisted.headers) ? hoisted.headers : {}) } };
      }
    }
  }
  // Named schemas inside named schemas (Problem's own, and any added as components).
  for (const [name, schema] of Object.entries({ ...schemas })) schemas[name] = hoist(schema, schemas, false);
  return doc;
}

function hoistContent(part: Json, schemas: Json): Json {
  if (!isObject(part.content)) return part;
  const content: Json = {};
  for (const [type, media] of Object.entries(part.content as Record<string, Json>)) {
    if (!isObject(media.schema)) {
      content[type] = media;
      continue;
    }
    // A schema's `examples: [value]` becomes the media type's example (written-out `content` is left as written by Fastify's plugin).
    const examples = media.schema.examples;
    const lifted = media.example === undefined && media.examples === undefined && Array.isArray(examples) && examples.length > 0 ? { example: examples[0] } : {};
    content[type] = { ...media, ...lifted, schema: hoist(media.schema, schemas, true) };
  }
  return { ...part, content };
}
