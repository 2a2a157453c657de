import { Type, type SchemaOptions, type Static, type TSchema } from '@sinclair/typebox';

/** Schemas shared by every module: problem+json, pagination, id params, timestamps. */

/**
 * One of a fixed set of strings, as `{ type: 'string', enum }` rather than TypeBox's `anyOf` of literals:
 * validation errors list the allowed values, and fast-json-stringify serializes it without trying branches.
 */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** `T` or null, as `type: [T, 'null']` (JSON Schema 2020-12 / OpenAPI 3.1) rather than an `anyOf`. */
export function Nullable<T extends TSchema>(schema: T, options: SchemaOptions = {}) {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type as string, 'null'], ...options });
}

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    requestId: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

export const ProblemRef = Type.Ref('Problem');

/** The documented error responses of a route, by status. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ProblemRef]));
}

export const IsoDateTime = Type.String({ format: 'date-time', maxLength: 40 });
export const NullableIsoDateTime = Nullable(IsoDateTime);

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

export const PageQuery = {
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
};

export const Pagination = Type.Object({
  page: Type.Integer(),
  limit: Type.Integer(),
  total: Type.Integer(),
  totalPages: Type.Integer(),
});

export function Paginated<T extends TSchema>(item: T) {
  return Type.Object({ data: Type.Array(item), pagination: Pagination });
}

export interface Page<T> {
  data: T[];
  pagination: { page: number; limit: number; total: number; totalPages: number };
}

/** The content type Fastify gives JSON answers; routes that send pre-serialized JSON set it themselves. */
export const JSON_TYPE = 'application/json; charset=utf-8';

export function page<T>(data: T[], pageNo: number, limit: number, total: number): Page<T> {
  return { data, pagination: { page: pageNo, limit, total, totalPages: Math.ceil(total / limit) } };
}

export const IfMatchHeaders = Type.Object({ 'if-match': Type.Optional(Type.String({ maxLength: 200 })) });
