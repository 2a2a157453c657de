/**
 * The OpenAPI document (/openapi.json) is what the console's client and the SDK types are generated from: it must
 * be valid OpenAPI 3.1, and every operation must be usable by an integrator and a code generator — described,
 * with an example, its security, described parameters, named schemas and problem+json errors
 * (docs/architecture.md, "Adding a route"). Each failure names the operation and what it lacks.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { schemaNameClashes } from '../src/http/openapi.ts';
import { eachDatabase, startHarness, type DbKind, type Harness } from './helpers.ts';

const addFormats = addFormatsModule.default;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

function operations(doc: Json): { name: string; op: Json; method: string; path: string }[] {
  return Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ name: `${method.toUpperCase()} ${path} (${(op as Json).operationId ?? 'no operationId'})`, op: op as Json, method, path })),
  );
}

const isNamed = (schema: Json | undefined): boolean => !schema || typeof schema.$ref === 'string' || (schema.type !== 'object' && schema.properties === undefined && schema.allOf === undefined && (schema.type !== 'array' || isNamed(schema.items)));

/** Everything the convention asks of the document, as one list of failures naming the operation. */
export function conventionFailures(doc: Json): string[] {
  const failures: string[] = [];
  for (const { name, op } of operations(doc)) {
    for (const field of ['operationId', 'summary', 'description'] as const) if (!op[field]) failures.push(`${name}: no ${field}`);
    if (!Array.isArray(op.tags) || op.tags.length === 0) failures.push(`${name}: no tags`);
    if (!Array.isArray(op.security)) failures.push(`${name}: no security`);
    if (typeof op['x-gatrix-permission'] !== 'string') failures.push(`${name}: no x-gatrix-permission`);
    for (const p of (op.parameters ?? []) as Json[]) {
      if (!p.description) failures.push(`${name}: ${p.in} parameter ${p.name} has no description`);
    }
    if (op.requestBody) {
      for (const [type, media] of Object.entries(op.requestBody.content as Json) as [string, Json][]) {
        if (!isNamed(media.schema)) failures.push(`${name}: the request body (${type}) is an inline object schema; give it a title`);
        if (media.example === undefined && media.examples === undefined) failures.push(`${name}: the request body has no example`);
      }
    }
    let example = false;
    let content = false;
    for (const [status, r] of Object.entries(op.responses as Json) as [string, Json][]) {
      if (!r.description || r.description === 'Default Response') failures.push(`${name}: response ${status} has no meaningful description`);
      if (!r.headers?.['X-Request-Id']) failures.push(`${name}: response ${status} does not declare X-Request-Id`);
      if (Number(status) >= 400) {
        const types = Object.keys(r.content ?? {});
        // The Problem, or a named richer problem (the Problem's members and more).
        const ref = r.content?.['application/problem+json']?.schema?.$ref as string | undefined;
        const schema = ref ? doc.components.schemas[ref.split('/').pop()!] : undefined;
        const problemMembers = (doc.components.schemas.Problem.required as string[]).every((m) => schema?.properties?.[m] !== undefined);
        if (types.length !== 1 || types[0] !== 'application/problem+json' || !problemMembers) {
          failures.push(`${name}: error response ${status} is not application/problem+json with the Problem schema`);
        }
        if (status === '429' && !r.headers?.['Retry-After']) failures.push(`${name}: 429 without Retry-After`);
        continue;
      }
      for (const [type, media] of Object.entries((r.content ?? {}) as Json) as [string, Json][]) {
        content = true;
        if (media.example !== undefined || media.examples !== undefined) example = true;
        if (type.includes('json') && !isNamed(media.schema)) failures.push(`${name}: response ${status} is an inline object schema; give it a title`);
      }
    }
    if (content && !example) failures.push(`${name}: no example on its success response`);
  }
  return failures;
}

/** A schema of the document, resolvable by Ajv with its `$ref`s into components. */
function schemaValidator(doc: Json) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi.json', components: doc.components });
  return (schema: Json) => ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/')));
}

eachDatabase('OpenAPI document', (kind: DbKind) => {
  let h: Harness;
  let doc: Json;
  before(async () => {
    h = await startHarness(kind);
    const r = await h.call('GET', '/openapi.json');
    assert.equal(r.statusCode, 200);
    doc = r.json();
  });
  after(() => h.close());

  test('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(structuredClone(doc) as never);
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
  });

  test('every operation follows the convention (description, example, security, parameter descriptions, named schemas, problem+json errors)', () => {
    assert.ok(operations(doc).length > 50);
    const failures = conventionFailures(doc);
    assert.deepEqual(failures, [], `${failures.length} failures:\n${failures.join('\n')}`);
    assert.deepEqual(schemaNameClashes, [], 'two different schemas have the same title');
  });

  test('the checker catches what it should: an inline answer, a missing description, example or security, a JSON error', () => {
    const broken = structuredClone(doc);
    const op = broken.paths['/api/v1/users/{id}'].get;
    delete op.description;
    delete op.security;
    op.parameters[0].description = '';
    const ok = op.responses['200'];
    ok.content['application/json'] = { schema: { type: 'object', properties: { id: { type: 'integer' } } } };
    op.responses['404'].content = { 'application/json': { schema: { type: 'object' } } };
    const failures = conventionFailures(broken).filter((f) => f.includes('(getUser)'));
    assert.deepEqual(failures, [
      'GET /api/v1/users/{id} (getUser): no description',
      'GET /api/v1/users/{id} (getUser): no security',
      'GET /api/v1/users/{id} (getUser): path parameter id has no description',
      'GET /api/v1/users/{id} (getUser): response 200 is an inline object schema; give it a title',
      'GET /api/v1/users/{id} (getUser): error response 404 is not application/problem+json with the Problem schema',
      'GET /api/v1/users/{id} (getUser): no example on its success response',
    ]);
  });

  test('every example is valid by the schema it illustrates', () => {
    const compile = schemaValidator(doc);
    const invalid: string[] = [];
    const check = (where: string, schema: Json, value: unknown) => {
      const validate = compile(schema);
      if (!validate(value)) invalid.push(`${where}: ${JSON.stringify(validate.errors)}`);
    };
    for (const { name, op } of operations(doc)) {
      for (const [type, media] of Object.entries((op.requestBody?.content ?? {}) as Json) as [string, Json][]) {
        if (media.example !== undefined) check(`${name} request ${type}`, media.schema, media.example);
      }
      for (const [status, r] of Object.entries(op.responses as Json) as [string, Json][]) {
        for (const [type, media] of Object.entries((r.content ?? {}) as Json) as [string, Json][]) {
          if (media.example !== undefined) check(`${name} ${status} ${type}`, media.schema, media.example);
        }
      }
    }
    for (const [schemaName, schema] of Object.entries(doc.components.schemas as Json) as [string, Json][]) {
      for (const [i, value] of ((schema.examples ?? []) as unknown[]).entries()) check(`components.schemas.${schemaName} example ${i}`, { $ref: `#/components/schemas/${schemaName}` }, value);
    }
    assert.deepEqual(invalid, []);
  });

  test('security and x-gatrix-permission follow each route permission', () => {
    const byId = new Map(operations(doc).map(({ op }) => [op.operationId as string, op]));
    const login = byId.get('login')!;
    assert.deepEqual(login.security, []);
    assert.equal(login['x-gatrix-permission'], 'public');
    assert.ok(login.responses['429'], 'login documents its rate limit');
    const setMaintenance = byId.get('setMaintenance')!;
    assert.equal(setMaintenance['x-gatrix-permission'], 'ops.write');
    assert.deepEqual(setMaintenance['x-gatrix-grants'], ['admin', 'operator', 'key:admin']);
    assert.match(setMaintenance.description, /Requires ops\.write: users with role admin or operator, admin API keys\.$/);
    assert.deepEqual(setMaintenance.security, [{ bearer: [] }, { apiKey: [] }]);
    assert.deepEqual(byId.get('getMe')!.security, [{ bearer: [] }], 'self: signed-in users only');
    // the routes' documented grants are what the server enforces
    for (const route of h.routes) {
      const op = doc.paths[route.url.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      if (op) assert.equal(op['x-gatrix-permission'], route.permission, `${route.method} ${route.url}`);
    }
  });

  test('headers: If-Match and ETag on resources, Idempotency-Key on authenticated POSTs, X-Request-Id everywhere', () => {
    const byId = new Map(operations(doc).map(({ op }) => [op.operationId as string, op]));
    const headerNames = (op: Json) => ((op.parameters ?? []) as Json[]).filter((p) => p.in === 'header').map((p) => p.name as string);
    const patch = byId.get('patchGameWorld')!;
    assert.ok(headerNames(patch).includes('If-Match'));
    assert.ok(patch.responses['412']);
    assert.ok(patch.responses['200'].headers.ETag);
    assert.ok(headerNames(byId.get('createUser')!).includes('Idempotency-Key'));
    assert.ok(!headerNames(byId.get('login')!).includes('Idempotency-Key'), 'login is public: no idempotency scope');
    assert.ok(headerNames(byId.get('listUsers')!).includes('X-Request-Id'));
    assert.ok(headerNames(byId.get('deleteUser')!).includes('X-Audit-Reason'), 'authenticated writes take a reason');
    assert.ok(!headerNames(byId.get('listUsers')!).includes('X-Audit-Reason'));
    assert.ok(byId.get('createUser')!.responses['413'], 'a route with a body documents 413');
  });

  test('the document matches what the server sends: problem+json errors, X-Request-Id, ETag', async () => {
    const compile = schemaValidator(doc);
    const problem = compile({ $ref: '#/components/schemas/Problem' });
    const bad = await h.call('POST', '/api/v1/users', { token: h.adminToken, body: { username: 'x', email: 'nope' }, headers: { 'x-request-id': 'openapi-test-1' } });
    assert.equal(bad.statusCode, 400);
    assert.match(String(bad.headers['content-type']), /^application\/problem\+json/);
    assert.equal(bad.headers['x-request-id'], 'openapi-test-1');
    assert.ok(problem(bad.json()), JSON.stringify(problem.errors));
    const unauthorized = await h.call('GET', '/api/v1/users');
    assert.equal(unauthorized.statusCode, 401);
    assert.ok(problem(unauthorized.json()), JSON.stringify(problem.errors));

    const user = await h.call('GET', '/api/v1/users/1', { token: h.adminToken });
    assert.equal(user.statusCode, 200);
    assert.ok(user.headers.etag);
    const schema = doc.paths['/api/v1/users/{id}'].get.responses['200'].content['application/json'].schema;
    const validUser = compile(schema);
    assert.ok(validUser(user.json()), JSON.stringify(validUser.errors));
    const page = await h.call('GET', '/api/v1/users', { token: h.adminToken });
    const validPage = compile(doc.paths['/api/v1/users'].get.responses['200'].content['application/json'].schema);
    assert.ok(validPage(page.json()), JSON.stringify(validPage.errors));
  });

  test('the Swagger UI at /docs renders', async () => {
    const r = await h.call('GET', '/docs/');
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /swagger/i);
    const init = await h.call('GET', '/docs/json');
    assert.equal(init.statusCode, 200);
    assert.equal(init.json<Json>().openapi, '3.1.0');
  });
});
