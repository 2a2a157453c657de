import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifySchemaCompiler, preHandlerHookHandler, preValidationHookHandler } from 'fastify';
import { invalidFields, MAX_FIELD_ERRORS, type FieldError } from '../core/errors.ts';
import { addRouteHook } from './route-hooks.ts';

const addFormats = addFormatsModule.default;

/**
 * Two validators: query strings, path parameters and headers are text, so their numbers and booleans are
 * coerced; JSON bodies are typed already, so `{"username": 123}` or `{"role": ["admin"]}` is a 400, not a
 * value quietly converted. Both report every invalid field, so a client fixes a form in one round trip
 * (the answer lists the first MAX_FIELD_ERRORS; bodies are bounded by the body limit and the depth limit).
 */
function makeAjv(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ removeAdditional: false, useDefaults: true, allErrors: true, coerceTypes });
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

/** How deep a JSON body may nest (objects and arrays, the body itself being level 1). */
export const MAX_JSON_DEPTH = 32;

/**
 * The first value in a JSON body nested deeper than MAX_JSON_DEPTH, as a field path; undefined when there is
 * none. Free-form fields (`customPayload`) would otherwise take any depth, and every later walk over the value
 * (serializing, storing, answering) recurses once per level.
 */
export function tooDeep(value: unknown, path = '', depth = 1): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (depth > MAX_JSON_DEPTH) return path;
  for (const [k, v] of Object.entries(value)) {
    const found = tooDeep(v, path ? `${path}.${k}` : k, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * A leaf value no store can take. PostgreSQL text cannot hold U+0000 (SQLite can): refused on both, so both answer the
 * same 400. Ajv coerces "Infinity" and "1e400" to Infinity and then skips minimum/maximum, which only test finite
 * numbers.
 */
const unstorableLeaf = (value: unknown): boolean =>
  typeof value === 'string' ? value.includes('\u0000') : typeof value === 'number' && !Number.isFinite(value);

/**
 * The places in a parsed input that no store can take, as field paths (at most MAX_FIELD_ERRORS of them);
 * empty when there are none.
 */
export function unstorable(value: unknown, path: string, found: string[] = []): string[] {
  if (found.length >= MAX_FIELD_ERRORS) return found;
  if (value !== null && typeof value === 'object') {
    // The path is built only for what is reported or walked into (every query of the game-client API passes here).
    const object = value as Record<string, unknown>;
    for (const k of Object.keys(object)) {
      const v = object[k];
      if (unstorableLeaf(v) || (v !== null && typeof v === 'object')) unstorable(v, path ? `${path}.${k}` : k, found);
    }
  } else if (unstorableLeaf(value)) {
    found.push(path);
  }
  return found;
}

/**
 * Checks the parts of a request that the route takes (body, query, path parameters), only on routes that take
 * any: a body's depth before validation (so nothing walks a deep one), and after validation (which coerces query
 * text to numbers) what no store can take.
 */
export function registerInputGuards(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const parts = (['body', 'querystring', 'params'] as const).filter((part) => route.schema?.[part] !== undefined);
    if (parts.length === 0) return;
    if (parts.includes('body')) {
      const depthGuard: preValidationHookHandler = (request, _reply, done) => {
        const path = tooDeep(request.body);
        done(path === undefined ? undefined : invalidFields([{ path: path || '(body)', message: `nests deeper than ${MAX_JSON_DEPTH} levels of objects and arrays` }]));
      };
      addRouteHook(route, 'preValidation', depthGuard);
    }
    const guard: preHandlerHookHandler = (request, _reply, done) => {
      const errors: FieldError[] = [];
      for (const part of parts) {
        const [value, where] = part === 'body' ? [request.body, ''] : part === 'querystring' ? [request.query, 'query'] : [request.params, 'params'];
        for (const path of unstorable(value, where)) errors.push({ path: path || '(body)', message: 'must be a finite number or text without NUL characters' });
      }
      done(errors.length === 0 ? undefined : invalidFields(errors));
    };
    addRouteHook(route, 'preHandler', guard);
  });
}
