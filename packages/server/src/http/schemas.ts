import { Type, type TSchema } from '@sinclair/typebox';

/** Schemas of the HTTP layer shared by every route: problem+json, pagination, id params. */

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'A link to the entry of `code` on /docs/problems' }),
    title: Type.String({ description: 'The HTTP status text' }),
    status: Type.Integer({ description: 'The HTTP status code' }),
    detail: Type.String({ description: 'What went wrong, for people' }),
    code: Type.String({ description: 'A stable machine-readable code, e.g. validation_failed (see /docs/problems)' }),
    requestId: Type.String({ description: 'The id of the request (also in the X-Request-Id header)' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object(
          { path: Type.String({ description: 'The field: a body field by name (`tags.0`), others prefixed `query.`, `params.` or `headers.`' }), message: Type.String() },
          { title: 'FieldError' },
        ),
        { description: 'Each invalid field (at most 20)' },
      ),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

export const ProblemRef = Type.Ref('Problem');

/** The documented error responses of a route, by status. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ProblemRef]));
}

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'The id of the resource' }) });

export const PageQuery = {
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1, description: 'The page to answer, from 1' }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50, description: 'Items per page (at most 100)' }),
};

export const Pagination = Type.Object(
  {
    page: Type.Integer({ description: 'This page, from 1' }),
    limit: Type.Integer({ description: 'Items per page' }),
    total: Type.Integer({ description: 'Items matching the query, on all pages' }),
    totalPages: Type.Integer({ description: 'Pages at this limit' }),
  },
  { title: 'Pagination' },
);

const plural = (title: string) => {
  const w = title.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return w.endsWith('y') && !/[aeiou]y$/.test(w) ? `${w.slice(0, -1)}ies` : w.endsWith('s') ? `${w}es` : `${w}s`;
};

/**
 * A page of `item`: `{ data, pagination }`. Named `<item title>Page` in the OpenAPI document, with an example
 * built from the item's own example.
 */
export function Paginated<T extends TSchema>(item: T) {
  const title = typeof item.title === 'string' ? item.title : undefined;
  const example = (item.examples as unknown[] | undefined)?.[0];
  return Type.Object(
    { data: Type.Array(item), pagination: Pagination },
    {
      ...(title ? { title: `${title}Page`, description: `A page of ${plural(title)}` } : {}),
      ...(example !== undefined ? { examples: [{ data: [example], pagination: { page: 1, limit: 50, total: 1, totalPages: 1 } }] } : {}),
    },
  );
}

/** The content type Fastify gives JSON answers; routes that send pre-serialized JSON set it themselves. */
export const JSON_TYPE = 'application/json; charset=utf-8';

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ maxLength: 200, description: 'The ETag last read: the change is made only if the resource still has it (else 412)' })),
});
