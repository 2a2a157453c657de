import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { ValidationError } from '../errors.ts';

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

/** The first place in a parsed input that no store can take, as a field path; undefined when there is none. */
function unstorable(value: unknown, path: string): string | undefined {
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

export function registerInputGuards(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    for (const [where, value] of [['', request.body], ['query', request.query], ['params', request.params]] as const) {
      const path = unstorable(value, where);
      if (path !== undefined) throw new ValidationError(path || '(body)', 'must be a finite number or text without NUL characters');
    }
  });
}
