import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor, Permission } from '../core/permissions.ts';
import { actorOf } from './auth.ts';
import { ifMatchOf, withEtag } from './resource.ts';
import { errorResponses, IdParams, Paginated, type Pagination } from './schemas.ts';
import type { App } from './types.ts';

/**
 * The routes every resource of the admin API has, from one description: list, create, get, update (PUT and PATCH,
 * both partial) and delete under `path` and `path/:id`. Single resources carry an ETag (a matching If-None-Match
 * on GET answers 304); create answers 201 with a Location; update and delete pass If-Match to the service, which
 * answers 412 when it does not match (without If-Match the change is made). A verb left out of the description is
 * not registered. Routes that are not this shape (an order, a test call, a secret rotation) stay written out in
 * the feature's route file.
 */

/** The documented error statuses of each verb, unless its description names others. */
export const DEFAULT_ERRORS = {
  list: [400, 401, 403],
  create: [400, 401, 403, 409, 415, 422],
  get: [401, 403, 404],
  update: [400, 401, 403, 404, 409, 412, 415],
  delete: [401, 403, 404, 412],
} as const satisfies Record<string, readonly number[]>;

/** A page of a list, as services answer it. */
export interface Page {
  data: object[];
  pagination: Static<typeof Pagination>;
}

/** The service functions behind the routes; only those of the described verbs are called. */
export interface ResourceService<Q extends TSchema, C extends TSchema, U extends TSchema> {
  list?(query: Static<Q>): Promise<Page>;
  create?(input: Static<C>, actor: Actor): Promise<{ id: number }>;
  get?(id: number): Promise<object>;
  update?(id: number, input: Static<U>, actor: Actor, ifMatch?: string): Promise<object>;
  delete?(id: number, actor: Actor, ifMatch?: string): Promise<void>;
}

/** What the OpenAPI document says of one route, and who may call it. */
export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  /** Instead of the description's `permissions.read` (list, get) or `permissions.write` (the others). */
  permission?: Permission;
  /** Error statuses documented for the route, instead of DEFAULT_ERRORS of its verb. */
  errors?: readonly number[];
}

type IdRequest = FastifyRequest<{ Params: { id: number } }>;

export interface ResourceDescription<Q extends TSchema, C extends TSchema, U extends TSchema> {
  /** The collection, e.g. `/api/v1/users`; a single resource is at `${path}/:id`. */
  path: string;
  tags: string[];
  permissions: { read: Permission; write: Permission };
  schemas: { item: TSchema; query?: Q; create?: C; update?: U; params?: TSchema };
  service: ResourceService<Q, C, U>;
  list?: Operation & {
    /** Sends the page itself (e.g. pre-serialized); by default it is returned for Fastify to serialize. */
    send?(page: Page, reply: FastifyReply): FastifyReply;
    /** The schema of a listed item when the list carries more than the item (e.g. live figures). */
    item?: TSchema;
  };
  create?: Operation & {
    /** The 201 body's schema when it is not the item's (e.g. the item with its secret). */
    response?: TSchema;
    /**
     * The answer shows a secret this once: it is sent with `Cache-Control: no-store` and without an ETag
     * (the tag of a body nobody can GET again would match nothing).
     */
    secretOnce?: boolean;
  };
  get?: Operation & {
    /** Runs before the service is asked; throws to refuse (e.g. a player reading another's profile). */
    check?(request: IdRequest): void;
  };
  /** PUT and PATCH: operationId names the PUT, patchOperationId the PATCH. */
  update?: Operation & { patchOperationId: string };
  delete?: Operation;
}

function need<T>(fn: T | undefined, path: string, verb: string): T {
  if (!fn) throw new Error(`resource ${path}: ${verb} is described but the service has no ${verb} function`);
  return fn;
}

type Verb = keyof typeof DEFAULT_ERRORS;
type Handler = (request: FastifyRequest, reply: FastifyReply) => unknown;

/**
 * Registers one route of a resource. Its schema holds the OpenAPI fields, the input schemas given and the
 * responses in the order the written-out routes had them, so that the OpenAPI document stays the same.
 */
/** The description a verb gets when its Operation gives none, naming the resource by its item schema's title. */
function defaultDescription(verb: Verb, item: TSchema): string {
  const noun = typeof item.title === 'string' ? item.title.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase() : 'resource';
  switch (verb) {
    case 'list':
      return `A page of ${noun} records (at most 100 a page, by \`limit\`), filtered by the query parameters given.`;
    case 'create':
      return `Creates a ${noun}; answers 201 with it and its Location.`;
    case 'get':
      return `One ${noun} by id, with its ETag; If-None-Match with that tag answers 304.`;
    case 'update':
      return `Changes the fields sent of a ${noun} (PUT and PATCH are both partial); If-Match makes the change conditional (412 when stale).`;
    case 'delete':
      return `Deletes a ${noun}; If-Match makes it conditional (412 when stale).`;
  }
}

function addRoute(
  app: App,
  d: { tags: string[]; permissions: { read: Permission; write: Permission }; schemas: { item: TSchema } },
  route: { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; verb: Verb; op: Operation; noStore?: boolean },
  input: Record<string, TSchema | undefined>,
  ok: Record<number, TSchema>,
  handler: Handler,
): void {
  const { op, verb } = route;
  const permission = op.permission ?? (verb === 'list' || verb === 'get' ? d.permissions.read : d.permissions.write);
  app.route({
    method: route.method,
    url: route.url,
    config: {
      permission,
      ...(route.noStore ? { noStore: true } : {}),
      // What the OpenAPI document says of the headers (http/openapi.ts): the ETag of single resources, If-Match on changes.
      ...((verb === 'get' || verb === 'update' || (verb === 'create' && !route.noStore)) ? { etag: true } : {}),
      ...(verb === 'update' || verb === 'delete' ? { ifMatch: true } : {}),
    },
    schema: {
      operationId: op.operationId,
      summary: op.summary,
      description: op.description ?? defaultDescription(verb, d.schemas.item),
      tags: d.tags,
      ...Object.fromEntries(Object.entries(input).filter(([, schema]) => schema !== undefined)),
      response: { ...ok, ...errorResponses(...(op.errors ?? DEFAULT_ERRORS[verb])) },
    },
    // The input types are not known here: the handlers cast what the schemas above have already validated.
    handler: handler as never,
  });
}

/** list and create, on `path`. */
export function collectionRoutes<Q extends TSchema, C extends TSchema, U extends TSchema>(app: App, d: ResourceDescription<Q, C, U>): void {
  const { path, schemas, service } = d;
  if (d.list) {
    const { send } = d.list;
    const list = need(service.list, path, 'list');
    const query = (request: FastifyRequest) => request.query as Static<Q>;
    const handler: Handler = send ? async (request, reply) => send(await list(query(request)), reply) : (request) => list(query(request));
    addRoute(app, d, { method: 'GET', url: path, verb: 'list', op: d.list }, { querystring: schemas.query }, { 200: Paginated(d.list.item ?? schemas.item) }, handler);
  }
  if (d.create) {
    const { secretOnce } = d.create;
    const create = need(service.create, path, 'create');
    const handler: Handler = async (request, reply) => {
      const created = await create(request.body as Static<C>, actorOf(request));
      reply.code(201).header('location', `${path}/${created.id}`);
      return secretOnce ? reply.send(created) : withEtag(request, reply, created);
    };
    const route = { method: 'POST', url: path, verb: 'create', op: d.create, noStore: secretOnce } as const;
    addRoute(app, d, route, { body: schemas.create }, { 201: d.create.response ?? schemas.item }, handler);
  }
}

/** get, PUT, PATCH and delete, on `path/:id`. */
export function itemRoutes<Q extends TSchema, C extends TSchema, U extends TSchema>(app: App, d: ResourceDescription<Q, C, U>): void {
  const { schemas, service } = d;
  const url = `${d.path}/:id`;
  const params = schemas.params ?? IdParams;
  const idOf = (request: FastifyRequest) => (request.params as { id: number }).id;
  if (d.get) {
    const { check } = d.get;
    const get = need(service.get, d.path, 'get');
    addRoute(app, d, { method: 'GET', url, verb: 'get', op: d.get }, { params }, { 200: schemas.item }, async (request, reply) => {
      check?.(request as IdRequest);
      return withEtag(request, reply, await get(idOf(request)));
    });
  }
  if (d.update) {
    const op = d.update;
    const update = need(service.update, d.path, 'update');
    for (const method of ['PUT', 'PATCH'] as const) {
      const operationId = method === 'PUT' ? op.operationId : op.patchOperationId;
      const handler: Handler = async (request, reply) =>
        withEtag(request, reply, await update(idOf(request), request.body as Static<U>, actorOf(request), ifMatchOf(request)));
      addRoute(app, d, { method, url, verb: 'update', op: { ...op, operationId } }, { params, body: schemas.update }, { 200: schemas.item }, handler);
    }
  }
  if (d.delete) {
    const remove = need(service.delete, d.path, 'delete');
    addRoute(app, d, { method: 'DELETE', url, verb: 'delete', op: d.delete }, { params }, { 204: Type.Null() }, async (request, reply) => {
      await remove(idOf(request), actorOf(request), ifMatchOf(request));
      return reply.code(204).send(null);
    });
  }
}

/** Every described route of a resource: the collection's, then the single resource's. */
export function resourceRoutes<Q extends TSchema, C extends TSchema, U extends TSchema>(app: App, d: ResourceDescription<Q, C, U>): void {
  collectionRoutes(app, d);
  itemRoutes(app, d);
}
