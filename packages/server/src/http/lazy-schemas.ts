import { SerializerSelector, type SerializerFactory } from '@fastify/fast-json-stringify-compiler';
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { validatorCompiler } from './validation.ts';

type Validate = ((data: unknown) => boolean) & { errors?: FastifySchemaValidationError[] | null };

export interface LazySchemas {
  /** For app.setValidatorCompiler: the route's Ajv validator (validation.ts), compiled at its first request. */
  validatorCompiler: FastifySchemaCompiler<object>;
  /** For the schemaController's compilersFactory: Fastify's own fast-json-stringify serializers, compiled at first use. */
  buildSerializer: SerializerFactory;
  /** Validators and serializers not compiled yet. */
  readonly pending: number;
  /** Compiles every one not compiled yet; throws as the first request to a route with a broken schema would. */
  compileAll(): void;
}

/**
 * Route schemas compiled when a request first needs them, not at start. Fastify otherwise compiles every route's
 * validators (Ajv) and response serializers (fast-json-stringify) when the app becomes ready: code generated for
 * ~770 of them (a validator per body, query, params and headers; a serializer per response status), of which a
 * node serves a few (a node behind the game clients never answers the console's routes). On a compiled node at
 * idle that code measured ~9 MiB of RSS (docs/performance.md, "What a node holds"). The first request to a route
 * pays its compile once: the users list answered its first request in 21 ms and the next in 2.4 ms (that first
 * one also warms its queries). A test compiles them all (`compileAll`), so a broken schema still fails the suite
 * rather than a request.
 */
export function lazySchemas(): LazySchemas {
  const pending = new Set<() => void>();

  /** `compile` runs once: at the first call of the getter, or in compileAll. */
  function once<T>(compile: () => T): () => T {
    let compiled: T | undefined;
    const force = () => void get();
    const get = () => {
      if (compiled === undefined) {
        compiled = compile();
        pending.delete(force);
      }
      return compiled;
    };
    pending.add(force);
    return get;
  }

  return {
    validatorCompiler: (route) => {
      const get = once(() => validatorCompiler(route) as Validate);
      // Fastify reads a failed validation's errors from the function it was given.
      const validate: Validate = (data) => {
        const fn = get();
        const ok = fn(data);
        validate.errors = fn.errors;
        return ok;
      };
      return validate;
    },
    buildSerializer: (externalSchemas, options) => {
      const build = SerializerSelector()(externalSchemas, options);
      return (route) => {
        const get = once(() => build(route));
        return (doc) => get()(doc);
      };
    },
    get pending() {
      return pending.size;
    },
    compileAll() {
      for (const force of [...pending]) force();
    },
  };
}
