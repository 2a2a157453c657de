import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifySchemaCompiler, preHandlerHookHandler } from 'fastify';
import { ValidationError } from '../errors.ts';
import { addRouteHook } from './route-hooks.ts';

const addFormats = addFormatsModule.default;

/**
 * Two validators: query strings, path parameters and headers are text, so their numbers and booleans are
 * coerced; JSON bodies are typed already, so `{"username": 123}` or `{"role": ["admin"]}` is a 400, not a
 * value quietly converted.
 */
function makeAjv(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ removeAdditional: false, useDefaults: true, allErrors: false, coerceTypes });
  addFormats(ajv);
  // RFC 3339 allows a leap second (23:59:60) and offsets that move a time outside years 0000-9999. A JavaScript
  // Date cannot hold the first, and stores the others as ±YYYYYY-…, which is no date-time: refuse both here.
  const rfc3339 = ajv.formats['date-time'] as { validate: (s: string) => boolean };
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (s: string) => {
      if (!rfc3339.validate(s)) return false;
      const t = new Date(s);
      return !Number.isNaN(t.getTime()) && t.getUTCFullYear() >= 0 && t.getUTCFullYear() <= 9999;
    },
  });
  return ajv;
}

const bodies = makeAjv(false);
const text = makeAjv('array');

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodies : text).compile(schema) as ReturnType<FastifySchemaCompiler<object>>;

/** A validator for a query-string schema, compiled exactly as Fastify compiles a route's (coercing text). */
export function compileQueryValidator(schema: object): (query: unknown) => boolean {
  return text.compile(schema);
}

/** The first place in a parsed input that no store can take, as a field path; undefined when there is none. */
export function unstorable(value: unknown, path: string): string | undefined {
  // PostgreSQL text cannot hold U+0000 (SQLite can): refuse it on both, so both answer the same 400.
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  // Ajv coerces "Infinity" and "1e400" to Infinity and then skips minimum/maximum, which only test finite numbers.
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = unstorable(v, path ? `${path}.${k}` : k);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Checks the parts of a request that the route takes (body, query, path parameters), only on routes that take any. */
export function registerInputGuards(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const parts = (['body', 'querystring', 'params'] as const).filter((part) => route.schema?.[part] !== undefined);
    if (parts.length === 0) return;
    const guard: preHandlerHookHandler = (request, _reply, done) => {
      for (const part of parts) {
        const [value, where] = part === 'body' ? [request.body, ''] : part === 'querystring' ? [request.query, 'query'] : [request.params, 'params'];
        const path = unstorable(value, where);
        if (path !== undefined) return done(new ValidationError(path || '(body)', 'must be a finite number or text without NUL characters'));
      }
      done();
    };
    addRouteHook(route, 'preHandler', guard);
  });
}
