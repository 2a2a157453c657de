/**
 * http/resource-routes.ts without a database: a fake in-memory service behind the helper, answered by Fastify's
 * inject with the real problem handler, auth hook, validator and no-store hook.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type RouteOptions } from 'fastify';
import { ConflictError, ForbiddenError, NotFoundError } from '../../src/core/errors.ts';
import { checkIfMatch, etagOf } from '../../src/core/etag.ts';
import type { Actor, Principal } from '../../src/core/permissions.ts';
import { registerAuth } from '../../src/http/auth.ts';
import { registerNoStore } from '../../src/http/no-store.ts';
import { registerProblemHandlers } from '../../src/http/problem.ts';
import { DEFAULT_ERRORS, resourceRoutes } from '../../src/http/resource-routes.ts';
import { PageQuery, Problem } from '../../src/http/schemas.ts';
import type { App } from '../../src/http/types.ts';
import { validatorCompiler } from '../../src/http/validation.ts';

const Thing = Type.Object({ id: Type.Integer(), name: Type.String(), note: Type.Union([Type.String(), Type.Null()]) });
type Thing = Static<typeof Thing>;
const CreateThing = Type.Object({ name: Type.String({ minLength: 1 }), note: Type.Optional(Type.String()) }, { additionalProperties: false });
const UpdateThing = Type.Partial(CreateThing, { additionalProperties: false });
const ListThings = Type.Object(PageQuery);
const ThingWithSecret = Type.Object({ ...Thing.properties, secret: Type.String() });

/** The fake service: the rules a real one keeps (404, If-Match through core/etag, a unique name), in a Map. */
function fakeService() {
  const rows = new Map<number, Thing>();
  const actors: Actor[] = [];
  let next = 1;
  const find = (id: number) => {
    const row = rows.get(id);
    if (!row) throw new NotFoundError('Thing');
    return row;
  };
  return {
    rows,
    actors,
    async list(q: Static<typeof ListThings>) {
      const all = [...rows.values()];
      const data = all.slice((q.page - 1) * q.limit, q.page * q.limit);
      return { data, pagination: { page: q.page, limit: q.limit, total: all.length, totalPages: Math.ceil(all.length / q.limit) } };
    },
    async get(id: number) {
      return find(id);
    },
    async create(input: Static<typeof CreateThing>, actor: Actor) {
      actors.push(actor);
      if ([...rows.values()].some((r) => r.name === input.name)) throw new ConflictError('id', 'name taken');
      const row = { id: next++, name: input.name, note: input.note ?? null };
      rows.set(row.id, row);
      return row;
    },
    async update(id: number, input: Static<typeof UpdateThing>, actor: Actor, ifMatch?: string) {
      actors.push(actor);
      const row = find(id);
      checkIfMatch(ifMatch, row);
      const changed = { ...row, ...input };
      rows.set(id, changed);
      return changed;
    },
    async delete(id: number, actor: Actor, ifMatch?: string) {
      actors.push(actor);
      checkIfMatch(ifMatch, find(id));
      rows.delete(id);
    },
  };
}

const PRINCIPALS: Record<string, Principal> = {
  admin: { kind: 'user', userId: 1, username: 'admin', role: 'admin' },
  viewer: { kind: 'user', userId: 2, username: 'viewer', role: 'viewer' },
  player: { kind: 'user', userId: 3, username: 'player', role: 'player' },
};

describe('resourceRoutes', () => {
  let app: App;
  let things: ReturnType<typeof fakeService>;
  const routes: RouteOptions[] = [];
  const shapedPages: object[] = [];

  const call = (method: string, url: string, opts: { as?: string; body?: object; headers?: Record<string, string> } = {}) =>
    app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${opts.as ?? 'admin'}`, ...opts.headers },
      ...(opts.body ? { payload: opts.body } : {}),
    });

  before(async () => {
    things = fakeService();
    app = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>();
    app.addSchema(Problem);
    app.setValidatorCompiler(validatorCompiler);
    registerProblemHandlers(app);
    registerAuth(app, (credential) => PRINCIPALS[credential]);
    registerNoStore(app);
    app.addHook('onRoute', (route) => {
      if (route.method !== 'HEAD') routes.push(route);
    });
    resourceRoutes(app, {
      path: '/api/v1/things',
      tags: ['things'],
      permissions: { read: 'ops.read', write: 'ops.write' },
      schemas: { item: Thing, query: ListThings, create: CreateThing, update: UpdateThing },
      service: things,
      list: { operationId: 'listThings', summary: 'List things', description: 'All of them' },
      create: { operationId: 'createThing', summary: 'Create a thing' },
      get: {
        operationId: 'getThing',
        summary: 'Get a thing',
        permission: 'users.readSelf',
        check: (request) => {
          if (request.principal?.kind === 'user' && request.principal.role === 'player' && request.params.id !== request.principal.userId) {
            throw new ForbiddenError('not yours');
          }
        },
      },
      update: { operationId: 'updateThing', patchOperationId: 'patchThing', summary: 'Update a thing' },
      delete: { operationId: 'deleteThing', summary: 'Delete a thing', errors: [401, 403, 404] },
    });
    // A second resource: the create answer shows a secret once, the list is sent by a hook, no update or delete.
    const secrets = fakeService();
    resourceRoutes(app, {
      path: '/api/v1/keys',
      tags: ['keys'],
      permissions: { read: 'apiKeys.read', write: 'apiKeys.write' },
      schemas: { item: Thing, query: ListThings, create: CreateThing },
      service: { ...secrets, create: async (input, actor) => ({ ...(await secrets.create(input, actor)), secret: 's3cret' }) },
      list: {
        operationId: 'listKeys',
        summary: 'List keys',
        send: (page, reply) => {
          shapedPages.push(page);
          return reply.header('x-shaped', 'yes').send(page);
        },
      },
      create: { operationId: 'createKey', summary: 'Create a key', response: ThingWithSecret, secretOnce: true },
      get: { operationId: 'getKey', summary: 'Get a key' },
    });
    await app.ready();
  });
  after(() => app.close());

  it('POST answers 201 with a Location, an ETag of the body and the actor passed to the service', async () => {
    const r = await call('POST', '/api/v1/things', { body: { name: 'one' } });
    assert.equal(r.statusCode, 201);
    const body = r.json<Thing>();
    assert.deepEqual(body, { id: 1, name: 'one', note: null });
    assert.equal(r.headers.location, '/api/v1/things/1');
    assert.equal(r.headers.etag, etagOf(body));
    assert.equal(r.headers['cache-control'], undefined);
    assert.equal(things.actors.at(-1)?.principal, PRINCIPALS.admin);
  });

  it('GET of one answers it with its ETag, 304 for a matching If-None-Match, 404 problem when missing', async () => {
    const r = await call('GET', '/api/v1/things/1');
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers.etag, etagOf(things.rows.get(1)));
    const again = await call('GET', '/api/v1/things/1', { headers: { 'if-none-match': `W/${r.headers.etag}` } });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
    const missing = await call('GET', '/api/v1/things/999');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal(missing.json().code, 'not_found');
    assert.equal(missing.json().status, 404);
    const bad = await call('GET', '/api/v1/things/abc');
    assert.equal(bad.statusCode, 400);
  });

  it('the get check runs before the service and its refusal is a 403 problem', async () => {
    const r = await call('GET', '/api/v1/things/1', { as: 'player' });
    assert.equal(r.statusCode, 403);
    assert.equal(r.json().detail, 'not yours');
    const missing = await call('GET', '/api/v1/things/999', { as: 'player' });
    assert.equal(missing.statusCode, 403, 'refused before the service could answer 404');
  });

  it('permissions: read for list and get, write for the rest; refusals are 401/403 problems', async () => {
    assert.equal((await call('GET', '/api/v1/things', { as: 'viewer' })).statusCode, 200);
    const denied = await call('POST', '/api/v1/things', { as: 'viewer', body: { name: 'x' } });
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().code, 'forbidden');
    assert.equal((await call('PATCH', '/api/v1/things/1', { as: 'viewer', body: { note: 'n' } })).statusCode, 403);
    assert.equal((await call('DELETE', '/api/v1/things/1', { as: 'viewer' })).statusCode, 403);
    const anonymous = await app.inject({ method: 'GET', url: '/api/v1/things' });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(things.rows.get(1)?.note, null, 'nothing changed');
  });

  it('PUT and PATCH are both partial updates with If-Match: stale 412, matching or * 200, none 200', async () => {
    const first = await call('GET', '/api/v1/things/1');
    const stale = first.headers.etag as string;
    const put = await call('PUT', '/api/v1/things/1', { body: { note: 'put' }, headers: { 'if-match': stale } });
    assert.equal(put.statusCode, 200);
    assert.deepEqual(put.json(), { id: 1, name: 'one', note: 'put' }, 'PUT keeps the fields not sent');
    assert.equal(put.headers.etag, etagOf(put.json()));
    assert.notEqual(put.headers.etag, stale);

    const refused = await call('PATCH', '/api/v1/things/1', { body: { note: 'late' }, headers: { 'if-match': stale } });
    assert.equal(refused.statusCode, 412);
    assert.equal(refused.json().code, 'precondition_failed');
    assert.equal(things.rows.get(1)?.note, 'put');

    const patch = await call('PATCH', '/api/v1/things/1', { body: { name: 'uno' }, headers: { 'if-match': put.headers.etag as string } });
    assert.equal(patch.statusCode, 200);
    assert.deepEqual(patch.json(), { id: 1, name: 'uno', note: 'put' });
    assert.equal((await call('PATCH', '/api/v1/things/1', { body: { note: 'star' }, headers: { 'if-match': '*' } })).statusCode, 200);
    assert.equal((await call('PUT', '/api/v1/things/1', { body: { note: 'free' } })).statusCode, 200, 'If-Match is optional');
    assert.equal((await call('PUT', '/api/v1/things/1', { body: { colour: 'red' } })).statusCode, 400, 'the update schema validates');
    assert.equal((await call('PATCH', '/api/v1/things/999', { body: { note: 'x' } })).statusCode, 404);
  });

  it('DELETE answers 204 with no body; a stale If-Match is 412 and keeps the resource', async () => {
    const created = await call('POST', '/api/v1/things', { body: { name: 'two' } });
    const url = created.headers.location as string;
    const refused = await call('DELETE', url, { headers: { 'if-match': '"stale"' } });
    assert.equal(refused.statusCode, 412);
    assert.equal((await call('GET', url)).statusCode, 200);
    const r = await call('DELETE', url, { headers: { 'if-match': created.headers.etag as string } });
    assert.equal(r.statusCode, 204);
    assert.equal(r.body, '');
    assert.equal((await call('GET', url)).statusCode, 404);
    assert.equal((await call('DELETE', url)).statusCode, 404);
  });

  it('list answers the service page, serialized by the paginated item schema, with the query validated', async () => {
    const r = await call('GET', '/api/v1/things?limit=1');
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), { data: [things.rows.get(1)], pagination: { page: 1, limit: 1, total: 1, totalPages: 1 } });
    assert.equal((await call('GET', '/api/v1/things?limit=0')).statusCode, 400);
  });

  it('a create that shows a secret once: no-store, no ETag, the secret schema; the list send hook shapes the answer', async () => {
    const r = await call('POST', '/api/v1/keys', { body: { name: 'k' } });
    assert.equal(r.statusCode, 201);
    assert.equal(r.headers.location, '/api/v1/keys/1');
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(r.headers.etag, undefined);
    assert.equal(r.json().secret, 's3cret');
    const one = await call('GET', '/api/v1/keys/1');
    assert.equal(one.json().secret, undefined);
    assert.equal(one.headers['cache-control'], undefined);

    const list = await call('GET', '/api/v1/keys');
    assert.equal(list.headers['x-shaped'], 'yes');
    assert.equal(shapedPages.length, 1);
    assert.deepEqual(list.json(), shapedPages[0]);
  });

  it('registers the described verbs in order with their operationIds, permissions and documented errors', () => {
    const summary = routes.map((r) => [r.method, r.url, r.schema?.operationId, r.config?.permission]);
    assert.deepEqual(summary, [
      ['GET', '/api/v1/things', 'listThings', 'ops.read'],
      ['POST', '/api/v1/things', 'createThing', 'ops.write'],
      ['GET', '/api/v1/things/:id', 'getThing', 'users.readSelf'],
      ['PUT', '/api/v1/things/:id', 'updateThing', 'ops.write'],
      ['PATCH', '/api/v1/things/:id', 'patchThing', 'ops.write'],
      ['DELETE', '/api/v1/things/:id', 'deleteThing', 'ops.write'],
      ['GET', '/api/v1/keys', 'listKeys', 'apiKeys.read'],
      ['POST', '/api/v1/keys', 'createKey', 'apiKeys.write'],
      ['GET', '/api/v1/keys/:id', 'getKey', 'apiKeys.read'],
    ]);
    const statuses = (operationId: string) =>
      Object.keys(routes.find((r) => r.schema?.operationId === operationId)!.schema!.response as object).map(Number);
    assert.deepEqual(statuses('listThings'), [200, ...DEFAULT_ERRORS.list]);
    assert.deepEqual(statuses('createThing'), [201, ...DEFAULT_ERRORS.create]);
    assert.deepEqual(statuses('updateThing'), [200, ...DEFAULT_ERRORS.update]);
    assert.deepEqual(statuses('deleteThing'), [204, 401, 403, 404]);
    const list = routes.find((r) => r.schema?.operationId === 'listThings')!.schema!;
    assert.deepEqual(Object.keys(list), ['operationId', 'summary', 'description', 'tags', 'querystring', 'response']);
    const get = routes.find((r) => r.schema?.operationId === 'getKey')!.schema!;
    assert.deepEqual(Object.keys(get), ['operationId', 'summary', 'description', 'tags', 'params', 'response']);
    assert.match(String(get.description), /^One .+ by id, with its ETag/, 'a verb without a description gets one naming the resource');
    const config = (operationId: string) => routes.find((r) => r.schema?.operationId === operationId)!.config;
    assert.equal(config('getThing')?.etag, true, 'the OpenAPI document declares the ETag of single resources');
    assert.equal(config('patchThing')?.ifMatch, true, 'and If-Match on changes');
    assert.equal(config('deleteThing')?.ifMatch, true);
    assert.equal(config('listThings')?.etag, undefined);
    assert.equal(config('createKey')?.etag, undefined, 'a secret shown once has no ETag');
    assert.equal(routes.find((r) => r.schema?.operationId === 'createKey')!.config?.noStore, true);
    assert.equal(routes.find((r) => r.schema?.operationId === 'createThing')!.config?.noStore, undefined);
  });

  it('a described verb whose service function is missing fails at registration', () => {
    const bare = Fastify().withTypeProvider<TypeBoxTypeProvider>();
    assert.throws(
      () => resourceRoutes(bare, { path: '/x', tags: [], permissions: { read: 'ops.read', write: 'ops.write' }, schemas: { item: Thing }, service: {}, get: { operationId: 'g', summary: 'g' } }),
      /resource \/x: get is described but the service has no get function/,
    );
  });
});
