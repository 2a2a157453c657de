/**
 * Fuzzing the HTTP surface: thousands of bad requests, generated from the REAL route table and the OpenAPI
 * schemas of its bodies and parameters (so new routes and fields are fuzzed without touching this file).
 *
 * Every answer must be a client error in problem+json (never a 5xx), validation errors must name their field,
 * and afterwards the data must be intact. A fixed corpus of boundary cases always runs; the random part is
 * seeded: the seed is printed, and FUZZ_SEED=<n> replays a run (FUZZ_COUNT=<n> changes its size).
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import pino from 'pino';
import { MAX_JSON_DEPTH } from '../src/http/validation.ts';
import { allows, type Permission, type Principal } from '../src/core/permissions.ts';
import { ADMIN, eachDatabase, startHarness, type DbKind, type Harness } from './helpers.ts';

// ---------------------------------------------------------------------------------------------------------
// Seeded randomness

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) >>> 0 : Math.floor(Math.random() * 2 ** 32);
const COUNT: Record<DbKind, number> = {
  sqlite: Number(process.env.FUZZ_COUNT ?? 3000),
  postgres: Number(process.env.FUZZ_COUNT ?? 800),
};
console.log(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`);

class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  alnum(len: number): string {
    const abc = 'abcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0; i < len; i++) s += abc[this.int(abc.length)];
    return s;
  }
  /** Any code points: controls, surrogate pairs, RTL marks, combining characters, private use. */
  unicode(len: number): string {
    const ranges: [number, number][] = [[0x00, 0x1f], [0x20, 0x7e], [0x80, 0x2ff], [0x300, 0x36f], [0x200b, 0x202e], [0x3040, 0x30ff], [0x4e00, 0x4fff], [0xe000, 0xe0ff], [0x1f600, 0x1f64f]];
    let s = '';
    for (let i = 0; i < len; i++) {
      const [lo, hi] = this.pick(ranges);
      s += String.fromCodePoint(lo + this.int(hi - lo + 1));
    }
    return s;
  }
}

// ---------------------------------------------------------------------------------------------------------
// JSON with keys and text JSON.stringify will not write: `__proto__` as an own key, lone surrogates

class Raw {
  constructor(readonly text: string) {}
}
class Obj {
  constructor(readonly entries: [string, unknown][]) {}
}

function toJson(v: unknown): string {
  if (v instanceof Raw) return v.text;
  if (v instanceof Obj) return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(',')}}`;
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  return v === undefined ? 'null' : JSON.stringify(v);
}

// ---------------------------------------------------------------------------------------------------------
// The route table, with the schemas the OpenAPI document publishes for it

interface Schema {
  type?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  required?: string[];
  items?: Schema;
  default?: unknown;
}

interface Param {
  name: string;
  in: string;
  required?: boolean;
  schema: Schema;
}

interface Target {
  method: string;
  url: string;
  permission: Permission;
  body?: Schema;
  query: Param[];
}

interface OpenApiOp {
  parameters?: Param[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

const DATE_TIME_EDGES = [
  '2016-12-31T23:59:60Z', // a leap second: valid RFC 3339, but not a JavaScript Date
  '2098-12-31T23:59:60+00:00',
  '0000-01-01T00:00:00Z',
  '0000-01-01T00:00:00+01:00',
  '9999-12-31T23:59:59.999999999-23:59',
  '2024-01-01T00:00:00.1234567890123+05:00', // valid, 38 characters
  '2024-01-01 00:00:00z',
  '2024-02-30T00:00:00Z',
  '2024-13-01T00:00:00Z',
  '1970-01-01T00:00:00Z',
  'now',
];

const INT_EDGES: unknown[] = [0, -1, 1.5, 2 ** 31, 2 ** 31 - 1, 2 ** 53 + 2, 1e20, -(2 ** 31) - 1, new Raw('1e400'), 'Infinity', '-Infinity', '1e400'];
/** The same edges as they arrive in a query string or a path. */
const INT_EDGE_STRINGS = ['0', '-1', '1.5', '2147483648', '9007199254740994', '1e20', '-2147483649', 'Infinity', '-Infinity', '1e400', 'NaN'];

function flatAnyOf(s: Schema): Schema[] {
  return s.anyOf ? s.anyOf.flatMap(flatAnyOf) : [s];
}

/** A value the schema accepts (best effort: formats and the username pattern are what the API uses). */
/** Values at and past the edges a schema declares. */
function edgesOf(s: Schema): unknown[] {
  const out: unknown[] = [];
  for (const b of flatAnyOf(s)) {
    if (b.maxLength !== undefined) out.push('x'.repeat(b.maxLength + 1));
    if (b.format === 'date-time') out.push(...DATE_TIME_EDGES);
    if (b.type === 'integer' || b.type === 'number') out.push(...INT_EDGES, ...(b.maximum !== undefined ? [b.maximum + 1] : []));
  }
  return out;
}

function validValue(s: Schema, rng: Rng): unknown {
  const branches = flatAnyOf(s).filter((b) => b.type !== 'null');
  const b = branches.length > 0 ? rng.pick(branches) : s;
  if (b.enum) return rng.pick(b.enum);
  switch (b.type) {
    case 'integer':
    case 'number':
      return (b.minimum ?? 1) + rng.int(Math.max(1, Math.min(10, (b.maximum ?? 1e9) - (b.minimum ?? 1))));
    case 'boolean':
      return rng.chance(0.5);
    case 'string': {
      if (b.format === 'email') return `fz${rng.alnum(10)}@example.com`;
      if (b.format === 'date-time') return new Date(Date.now() + 86_400_000 * (1 + rng.int(3650))).toISOString();
      const len = Math.max(b.minLength ?? 1, Math.min(12, b.maxLength ?? 12));
      return `f${rng.alnum(len - 1)}`;
    }
    default:
      return null;
  }
}

function validBody(s: Schema, rng: Rng): [string, unknown][] {
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties ?? {})
    .filter(([k]) => required.has(k) || rng.chance(0.5))
    .map(([k, v]) => [k, validValue(v, rng)]);
}

/** Values of the wrong type or shape for any field, from the brief's list and the bugs such lists find. */
function badValue(rng: Rng): unknown {
  const makers: (() => unknown)[] = [
    () => rng.pick([0, -1, 1.5, -0.5, 1e308, -1e308, 2 ** 31, 2 ** 53 + 2, 123, 12345678]),
    () => rng.pick([true, false, null]),
    () => rng.pick<unknown>([[], ['abc'], [1, 2, 3], [null], [[['deep']]], ['admin'], ['active'], [{}]]),
    () => rng.pick<unknown>([{}, { a: 1 }, { $gt: '' }, { $ne: null }, { length: 1e9 }]),
    () => new Obj([['__proto__', { isAdmin: true, role: 'admin' }]]),
    () => new Obj([['constructor', { prototype: { isAdmin: true } }]]),
    () => 'x'.repeat(10_001 + rng.int(40_000)),
    () => rng.pick(['😀'.repeat(5_001), 'é'.repeat(20_000), '\u0000'.repeat(10_001)]),
    () => rng.pick(['', ' ', '\t', 'ünïcödé 名前 ☃', '\u202Eevil\u202C', '\u200B\u200B', 'a\u0301\u0301\u0301', 'Ｆｕｌｌｗｉｄｔｈ', '\uFEFFbom']),
    () => new Raw(rng.pick(['"\\ud800"', '"\\udfff\\ud800"', '"a\\u0000b"', '"\\u0000"'])),
    () => rng.pick(['\u0000', 'a\u0000b', '\u0001\u0002\u0003', '\t\n\r', '\u007f', '\u001b[31mred', '\b\f\u000b', `${rng.alnum(5)}\u0000`]),
    () => rng.pick(["' OR '1'='1", "admin'--", '%', '_', '\\', '${jndi:ldap://x/a}', '<script>alert(1)</script>', '{{7*7}}', '; DROP TABLE users; --']),
    () => rng.pick(['../../../../etc/passwd', '..\\..\\windows\\win.ini', '%2e%2e%2f', '/dev/null', 'file:///etc/passwd']),
    () => rng.pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty']),
    () => rng.pick(DATE_TIME_EDGES),
    () => rng.pick(['admin', 'ADMIN', 'player', 'Active', 'superuser', 'server', 'client']),
    () => rng.pick(['a@b', `${'a'.repeat(300)}@example.com`, '@example.com', 'x@例え.jp', 'a b@example.com']),
    () => rng.unicode(1 + rng.int(300)),
  ];
  return rng.pick(makers)();
}

const MALFORMED_JSON = [
  '{',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  '{"a":1}}',
  '{"a":1} trailing',
  '\uFEFF{}',
  '{"a":NaN}',
  '{"a":undefined}',
  '{"a":0x10}',
  '{"a":1e999}',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  `{"a":"${'x'.repeat(100)}`,
  '\u0000',
  'nul',
  'tru',
  '--',
  '   ',
  '{"a":"line\nbreak"}',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  '{"a":{"__proto__":{"x":1}}}',
  '['.repeat(10_000),
  `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
  `${'{"a":'.repeat(3_000)}1${'}'.repeat(3_000)}`,
  '"just a string"',
  '123',
  'null',
  'true',
  '[]',
  '[{}]',
  JSON.stringify(Array.from({ length: 20_000 }, (_, i) => i)),
];

const CONTENT_TYPES = [
  'text/plain',
  'text/plain; charset=utf-8',
  'application/xml',
  'text/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  'application/json-patch+json',
  'application/jsonx',
  'json',
  'application/vnd.api+json',
  'text/html',
  '*/*',
  'application/json; charset=utf-16',
  'application/json;;;',
  'APPLICATION/JSON',
  'application/json; boundary=x; charset=utf-8',
  '',
];

const BAD_QUERY_VALUES = [
  '-1',
  '0',
  '-0',
  '1.5',
  'abc',
  '',
  '1e3',
  '0x10',
  '99999999999999999999',
  '2147483648',
  '-2147483649',
  '9007199254740993',
  'NaN',
  'Infinity',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  ' 1',
  '+1',
  '１',
  '\u0000',
  'a\u0000b',
  '\u001b[0m',
  'ünïcödé 名前',
  '😀',
  '../../etc/passwd',
  "' OR 1=1 --",
  '%',
  '_',
  '\\',
  '*',
  '__proto__',
  ...DATE_TIME_EDGES,
];

const BAD_IDS = [
  '-1',
  '0',
  '-0',
  'abc',
  '1.5',
  '1e3',
  '0x10',
  '+1',
  '%201',
  '1%20',
  '99999999999999999999',
  '2147483648',
  '999999',
  '%00',
  '..',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e400',
  '%EF%BC%91', // fullwidth 1
  'x'.repeat(101), // longer than the router's maxParamLength
  '%E0%A4%A', // not valid percent-encoding
  '%',
  '1;DROP%20TABLE%20users',
  "1'",
  '[]',
  '__proto__',
  'constructor',
];

const TRAVERSALS = [
  '/api/v1/%2e%2e/%2e%2e/etc/passwd',
  '/api/v1/users/..%2f..%2f..%2fetc%2fpasswd',
  '/api/v1/users%2f1',
  '/api/v1/users/1%2f..',
  '/api/v1/users/1/../../api-keys',
  '//api/v1/users',
  '/api/v1//users',
  '/API/V1/USERS',
  '/api/v1/users/',
  '/api/v1/users;jsessionid=1',
  '/api/v1/users/%u0031',
  '/%00',
  '/api/v1/users%00',
  '/docs/static/..%2f..%2f..%2fpackage.json',
  '/docs/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json',
  '/docs/static/....//....//package.json',
  `/docs/static/${'..%2f'.repeat(20)}etc%2fpasswd`,
  '/docs/static/%00',
  '/docs/static/..%5c..%5cpackage.json',
  '/docs/%2e%2e/%2e%2e/package.json',
  '/openapi.json/..%2f..%2fpackage.json',
  `/api/v1/${'a/'.repeat(500)}`,
  '/api/v1/users/%E0%A4%A',
];

// ---------------------------------------------------------------------------------------------------------
// Requests, and what every answer must look like

interface FuzzCase {
  category: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  admin: boolean;
  /** The permission of the route the case aims at ('public' for paths that match no route). */
  permission: Permission;
  /** The path is the route's own (only the body, query or headers are bad), so the router matches it. */
  pathIntact: boolean;
  route: string;
}

interface Tally {
  sent: number;
  byStatus: Map<number, number>;
  usersCreated: number[];
  usersDeleted: number;
  keysCreated: number;
  violations: Map<string, { count: number; routes: Set<string>; example: string }>;
}

const newTally = (): Tally => ({ sent: 0, byStatus: new Map(), usersCreated: [], usersDeleted: 0, keysCreated: 0, violations: new Map() });

function describeCase(c: FuzzCase): string {
  const body = c.payload === undefined ? '' : ` body=${JSON.stringify(c.payload.length > 160 ? `${c.payload.slice(0, 160)}…(${c.payload.length})` : c.payload)}`;
  const url = c.url.length > 200 ? `${c.url.slice(0, 200)}…(${c.url.length})` : c.url;
  const ct = c.headers['content-type'] !== undefined ? ` content-type=${JSON.stringify(c.headers['content-type'])}` : '';
  return `${c.admin ? 'admin' : 'anonymous'} ${c.method} ${url}${ct}${body}`;
}

/** What is wrong with this answer, or [] when nothing is. */
function problemsOf(c: FuzzCase, r: LightMyRequestResponse): string[] {
  const out: string[] = [];
  if (r.statusCode >= 500) out.push(`${r.statusCode} server error`);
  // Authentication runs in onRequest, before parsing and validation: nothing else may answer first.
  if (!c.admin && c.pathIntact && c.permission !== 'public' && r.statusCode !== 401) out.push(`anonymous call answered ${r.statusCode}, not 401`);
  if (c.admin && c.permission !== 'public' && r.statusCode === 401) out.push('the admin token was refused');
  if (!r.headers['x-request-id']) out.push('no X-Request-Id header');
  if (r.statusCode >= 400) {
    if (!/^application\/problem\+json/.test(String(r.headers['content-type']))) {
      out.push(`${r.statusCode} with content-type ${String(r.headers['content-type'])}, not problem+json`);
      return out;
    }
    let p: { status?: unknown; code?: unknown; requestId?: unknown; detail?: unknown; errors?: unknown };
    try {
      p = r.json();
    } catch {
      return [...out, `${r.statusCode} problem+json body is not JSON`];
    }
    if (p.status !== r.statusCode) out.push(`problem.status ${String(p.status)} ≠ ${r.statusCode}`);
    if (typeof p.code !== 'string' || p.code === '') out.push('problem without code');
    if (typeof p.requestId !== 'string' || p.requestId === '') out.push('problem without requestId');
    // A replayed Idempotency-Key answer is the first answer byte for byte, with that request's id in it.
    else if (r.headers['x-request-id'] && r.headers['idempotent-replayed'] !== 'true' && p.requestId !== r.headers['x-request-id']) {
      out.push('problem.requestId ≠ X-Request-Id');
    }
    if (typeof p.detail !== 'string') out.push('problem without detail');
    if (r.statusCode >= 500 && /at .+\(.+:\d+:\d+\)|SELECT|INSERT|sqlite|postgres/i.test(r.body)) out.push('5xx leaks internals');
    if (p.code === 'validation_failed' && (!Array.isArray(p.errors) || p.errors.length === 0)) out.push('validation_failed without errors[]');
    if (p.errors !== undefined) {
      const errs = Array.isArray(p.errors) ? (p.errors as { path?: unknown; message?: unknown }[]) : [];
      if (!Array.isArray(p.errors) || errs.some((e) => typeof e.path !== 'string' || e.path === '' || typeof e.message !== 'string')) {
        out.push(`errors[] with an empty path: ${JSON.stringify(p.errors).slice(0, 200)}`);
      }
    }
  } else if (r.body !== '' && /json/.test(String(r.headers['content-type']))) {
    try {
      r.json();
    } catch {
      out.push(`${r.statusCode} body is not JSON`);
    }
  }
  if (/^\/docs\/|\/package\.json|etc/.test(c.url) && /"name":\s*"@gatrix|root:x:0:0/.test(r.body)) out.push('path traversal served a file outside the docs');
  return out;
}

function routeKeyOf(t: Pick<Target, 'method' | 'url'>): string {
  return `${t.method} ${t.url}`;
}

/** Ids the router and validator accept as an existing row (1, 0x10, +1…): never used to delete or update. */
function hitsRealRow(id: string): boolean {
  let n: number;
  try {
    n = Number(decodeURIComponent(id));
  } catch {
    return false;
  }
  return Number.isInteger(n) && n >= 1 && n < 999_999;
}

// ---------------------------------------------------------------------------------------------------------
// A running app with its route table, and one existing row per collection to aim updates at

const ADMIN_USER: Principal = { kind: 'user', userId: 1, username: ADMIN.username, role: 'admin' };

class World {
  /** One existing row per collection (`/api/v1/users` → id), so updates reach the service, not just a 404. */
  readonly targetIds = new Map<string, number>();
  /** The created row itself, for routes that name a row by another field (`/game-worlds/:worldId/instances`). */
  readonly targetRows = new Map<string, Record<string, unknown>>();

  private constructor(
    readonly h: Harness,
    readonly targets: Target[],
    /** For routes a signed-in admin may not call (client.read is for keys only). */
    readonly adminKey: string,
  ) {}

  static async start(kind: DbKind): Promise<World> {
    // Fuzzed logins may name the admin account; the limiter is not what this suite is about.
    // FUZZ_LOG=error shows the server's own account of any 5xx.
    const h = await startHarness(kind, { env: { GATRIX_LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000' }, logger: pino({ level: process.env.FUZZ_LOG ?? 'silent' }) });
    const spec = h.app.swagger() as unknown as { paths: Record<string, Record<string, OpenApiOp>>; components: { schemas: Record<string, unknown> } };
    // Named schemas are `$ref`s into components.schemas: the generator wants them inline.
    const inline = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(inline);
      if (typeof node !== 'object' || node === null) return node;
      const ref = (node as { $ref?: unknown }).$ref;
      if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) return inline(spec.components.schemas[ref.slice('#/components/schemas/'.length)]);
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inline(v)]));
    };
    const targets = h.routes
      .filter((r) => !r.url.startsWith('/docs'))
      .map((r): Target => {
        const op = spec.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()] ?? {};
        return {
          method: r.method,
          url: r.url,
          permission: r.permission,
          body: inline(op.requestBody?.content?.['application/json']?.schema) as Schema | undefined,
          query: (op.parameters ?? []).filter((p) => p.in === 'query'),
        };
      });
    const w = new World(h, targets, (await h.apiKey('admin')).key);
    w.targetIds.set('/api/v1/users', (await h.userToken('player', 'fuzz_target')).id);
    // Any other collection (POST /x with a route /x/:id): create one row from its schema.
    const rng = new Rng(0xbeef);
    for (const t of targets.filter((x) => x.method === 'POST' && x.body && targets.some((y) => y.url.startsWith(`${x.url}/:`)))) {
      for (let attempt = 0; attempt < 10 && !w.targetIds.has(t.url); attempt++) {
        const headers = { ...w.adminHeaders(t.permission), 'content-type': 'application/json' };
        const r = await h.app.inject({ method: 'POST', url: t.url, headers, payload: toJson(new Obj(validBody(t.body!, rng))) });
        if (r.statusCode === 201) {
          w.targetIds.set(t.url, r.json<{ id: number }>().id);
          w.targetRows.set(t.url, r.json());
        }
      }
    }
    return w;
  }

  /** The bootstrap admin's token, or an admin API key on the routes a user cannot call. */
  adminHeaders(permission: Permission = 'users.read'): Record<string, string> {
    return allows(permission, ADMIN_USER) ? { authorization: `Bearer ${this.h.adminToken}` } : { 'x-api-key': this.adminKey };
  }

  /** The route's path with ids that exist for reads and updates, and ids that do not for deletes. */
  intactUrl(t: Pick<Target, 'method' | 'url'>): string {
    const collection = t.url.split('/:')[0];
    const id = t.method === 'DELETE' ? undefined : this.targetIds.get(collection);
    const row = t.method === 'DELETE' ? undefined : this.targetRows.get(collection);
    // The first parameter names the collection's row (by id, or by another of its fields); later ones are made up.
    let first = true;
    return t.url.replace(/:(\w+)/g, (_, name: string) => {
      const value = first ? (name === 'id' ? id : row?.[name]) : undefined;
      first = false;
      return String(value ?? 999999);
    });
  }

  baseCase(t: Target, category: string, rng: Rng | undefined, admin = true): FuzzCase {
    return {
      category,
      method: t.method,
      url: this.intactUrl(t),
      headers: admin ? this.adminHeaders(t.permission) : {},
      admin,
      permission: t.permission,
      pathIntact: true,
      route: routeKeyOf(t),
      ...(t.body && rng ? { payload: toJson(new Obj(validBody(t.body, rng))) } : t.body ? { payload: '{}' } : {}),
    };
  }

  /**
   * Every GET route (with the target ids for its parameters) that does not answer 200 — or, when it needs
   * query parameters this generator cannot make up, that answers 5xx.
   */
  async unreadable(): Promise<string[]> {
    const out: string[] = [];
    // Updates during the run may have changed the fields routes name rows by (a world's worldId): read them again.
    for (const [collection, row] of this.targetRows) {
      const r = await this.h.app.inject({ method: 'GET', url: `${collection}/${row.id}`, headers: this.adminHeaders() });
      if (r.statusCode === 200) this.targetRows.set(collection, r.json());
    }
    for (const t of this.targets.filter((x) => x.method === 'GET' && (!x.url.includes(':') || this.targetIds.has(x.url.split('/:')[0])))) {
      const needs = t.query.filter((p) => p.required && p.schema.default === undefined);
      const url = `${this.intactUrl(t)}${needs.length > 0 ? `?${needs.map((p) => `${p.name}=${encodeURIComponent(String(validValue(p.schema, new Rng(3))))}`).join('&')}` : ''}`;
      const r = await this.h.app.inject({ method: 'GET', url, headers: this.adminHeaders(t.permission) });
      if (r.statusCode >= 500 || (r.statusCode !== 200 && needs.length === 0)) out.push(`GET ${url} → ${r.statusCode} ${r.body.slice(0, 120)}`);
    }
    return out;
  }

  async usersTotal(): Promise<number> {
    return (await this.h.call('GET', '/api/v1/users?limit=1', { token: this.h.adminToken })).json().pagination.total as number;
  }

  async keysTotal(): Promise<number> {
    return (await this.h.call('GET', '/api/v1/api-keys?limit=1&includeRevoked=true', { token: this.h.adminToken })).json().pagination.total as number;
  }
}

function withJson(c: FuzzCase, payload: string): FuzzCase {
  return { ...c, payload, headers: { ...c.headers, 'content-type': 'application/json' } };
}

/** The boundary cases every run sends: each field and parameter at its edges, each id, each bad body. */
function corpus(w: World): FuzzCase[] {
  const rng = new Rng(1);
  const out: FuzzCase[] = [];
  for (const t of w.targets) {
    if (t.body?.properties) {
      for (const [field, fs] of Object.entries(t.body.properties)) {
        const edges: unknown[] = ['a\u0000b', new Raw('"\\u0000"'), null, 12345678, ['x'], {}, true, 'Infinity', ...edgesOf(fs)];
        for (const b of flatAnyOf(fs)) if (b.items) edges.push(...edgesOf(b.items).map((v) => [v]), ['a\u0000b']);
        for (const v of edges) {
          const body = validBody(t.body, rng).filter(([k]) => k !== field);
          out.push(withJson(w.baseCase(t, `corpus:field ${field}`, undefined), toJson(new Obj([...body, [field, v]]))));
        }
      }
      for (const raw of MALFORMED_JSON) out.push(withJson(w.baseCase(t, 'corpus:malformed json', undefined), raw));
      for (const ct of CONTENT_TYPES) {
        const c = w.baseCase(t, 'corpus:content type', rng);
        out.push({ ...c, headers: { ...c.headers, 'content-type': ct } });
      }
      // No body at all, and an empty one that claims to be JSON.
      out.push({ ...w.baseCase(t, 'corpus:no body', undefined), payload: undefined });
      out.push(withJson(w.baseCase(t, 'corpus:empty body', undefined), ''));
      if (t.method === 'POST') {
        // Idempotency-Key with a URL longer than anything the key table was sized for.
        const c = withJson(w.baseCase(t, 'corpus:idempotency long url', rng), toJson(new Obj(validBody(t.body, rng))));
        out.push({ ...c, url: `${c.url}?pad=${'p'.repeat(3000)}`, headers: { ...c.headers, 'idempotency-key': `long-url-${rng.alnum(8)}` } });
      }
    }
    for (const p of t.query) {
      const values = ['a\u0000b', '\u0000', 'x'.repeat(10_001), ...DATE_TIME_EDGES, ...INT_EDGE_STRINGS, '99999999999999999999'];
      if (p.schema.maximum !== undefined) values.push(String(p.schema.maximum + 1));
      if (p.schema.maxLength !== undefined) values.push('q'.repeat(p.schema.maxLength + 1));
      for (const v of values) {
        const c = w.baseCase(t, `corpus:query ${p.name}`, undefined);
        out.push({ ...c, url: `${c.url}?${p.name}=${encodeURIComponent(v)}` });
      }
    }
    if (t.url.includes(':')) {
      for (const id of BAD_IDS) {
        if (t.method !== 'GET' && hitsRealRow(id)) continue;
        const c = w.baseCase(t, 'corpus:bad id', rng);
        out.push({ ...(t.body ? withJson(c, c.payload ?? '{}') : c), url: t.url.replace(/:\w+/g, id), pathIntact: false });
      }
    }
  }
  for (const url of TRAVERSALS) {
    for (const admin of [true, false]) {
      out.push({ category: 'corpus:traversal', method: 'GET', url, headers: admin ? w.adminHeaders() : {}, admin, permission: 'public', pathIntact: false, route: 'traversal' });
    }
  }
  return out;
}

/** One random bad request. */
function randomCase(w: World, rng: Rng): FuzzCase {
  const admin = rng.chance(0.85);
  const bodyTargets = w.targets.filter((t) => t.body?.properties);
  const roll = rng.next();
  if (roll < 0.35) {
    // One field of an otherwise valid body gets a wrong value.
    const t = rng.pick(bodyTargets);
    const body = validBody(t.body!, rng);
    const field = rng.chance(0.9) ? rng.pick(Object.keys(t.body!.properties!)) : rng.pick(['isAdmin', 'id', 'passwordHash', 'role ', '', rng.unicode(4)]);
    return withJson(w.baseCase(t, `field ${field}`, undefined, admin), toJson(new Obj([...body.filter(([k]) => k !== field), [field, badValue(rng)]])));
  }
  if (roll < 0.42) {
    // Unknown and prototype-polluting keys.
    const t = rng.pick(bodyTargets);
    const key = rng.pick(['__proto__', 'constructor', 'prototype', 'isAdmin', 'passwordHash', 'id', '', ' ', rng.unicode(3)]);
    const body = validBody(t.body!, rng);
    const entries: [string, unknown][] = rng.chance(0.5) ? [[key, badValue(rng)], ...body] : [...body, [key, badValue(rng)]];
    return withJson(w.baseCase(t, 'unknown field', undefined, admin), toJson(new Obj(entries)));
  }
  if (roll < 0.5) {
    // The whole body is the wrong shape.
    const t = rng.pick(bodyTargets);
    return withJson(w.baseCase(t, 'body shape', undefined, admin), toJson(rng.chance(0.5) ? badValue(rng) : [new Obj(validBody(t.body!, rng))]));
  }
  if (roll < 0.58) {
    return withJson(w.baseCase(rng.pick(bodyTargets), 'malformed json', undefined, admin), rng.pick(MALFORMED_JSON));
  }
  if (roll < 0.65) {
    const base = w.baseCase(rng.pick(bodyTargets), 'content type', rng, admin);
    const payload = rng.pick([base.payload ?? '{}', 'a=b&c=d', '<user><name>x</name></user>', '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--xyz--']);
    return { ...base, payload, headers: { ...base.headers, 'content-type': rng.pick(CONTENT_TYPES) } };
  }
  if (roll < 0.82) {
    // Query strings: declared parameters with bad values, repeated or bracketed keys, unknown keys, huge values.
    const t = rng.chance(0.8) ? rng.pick(w.targets.filter((x) => x.query.length > 0)) : rng.pick(w.targets);
    const name = t.query.length > 0 && rng.chance(0.8) ? rng.pick(t.query).name : rng.pick(['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'x', rng.alnum(3)]);
    const value = rng.chance(0.15) ? 'v'.repeat(10_001 + rng.int(90_000)) : rng.chance(0.2) ? rng.unicode(1 + rng.int(50)) : rng.pick(BAD_QUERY_VALUES);
    let enc: string;
    try {
      enc = encodeURIComponent(value);
    } catch {
      enc = 'x'; // a lone surrogate cannot be percent-encoded
    }
    const forms = [`${name}=${enc}`, `${name}=1&${name}=${enc}`, `${name}[]=${enc}`, `${name}[$gt]=${enc}`, `${name}`, `${name}=${rng.pick(['%', '%E0%A4%A', '%%%', '&&&', '=='])}`];
    const base = w.baseCase(t, `query ${name}`, rng, admin);
    return { ...(base.payload !== undefined ? withJson(base, base.payload) : base), url: `${base.url}?${rng.pick(forms)}` };
  }
  if (roll < 0.92) {
    const t = rng.pick(w.targets.filter((x) => x.url.includes(':')));
    const ids = t.method === 'GET' ? BAD_IDS : BAD_IDS.filter((id) => !hitsRealRow(id));
    const base = w.baseCase(t, 'bad id', rng, admin);
    return { ...(base.payload !== undefined ? withJson(base, base.payload) : base), url: t.url.replace(/:\w+/g, rng.pick(ids)), pathIntact: false };
  }
  if (roll < 0.96) {
    const headers = admin ? w.adminHeaders() : {};
    return { category: 'traversal', method: rng.pick(['GET', 'DELETE', 'POST']), url: rng.pick(TRAVERSALS), headers, admin, permission: 'public', pathIntact: false, route: 'traversal' };
  }
  // Odd headers on an otherwise ordinary request.
  const base = w.baseCase(rng.pick(w.targets), 'headers', rng, admin);
  const odd = rng.pick<Record<string, string>>([
    { 'if-match': rng.pick(['*', '"x"', 'W/"x"', '"', '', 'x'.repeat(8000), '"a", "b", W/"c"']) },
    { 'if-none-match': rng.pick(['*', '"x"', 'W/', ',,,', 'x'.repeat(8000)]) },
    { 'idempotency-key': rng.pick(['', ' ', 'k'.repeat(255), 'k'.repeat(256), 'ÿþ', rng.alnum(20)]) },
    { 'x-request-id': rng.pick(['', 'x'.repeat(200), 'bad id', '../../etc', 'ok-id-1']) },
    { accept: rng.pick(['application/xml', 'text/html', '*/*;q=0', 'application/problem+json']) },
    // An empty X-API-Key falls back to the Authorization header.
    admin ? (base.headers['x-api-key'] ? {} : { 'x-api-key': '' }) : { 'x-api-key': rng.pick(['garbage', `gtx_admin_${rng.alnum(32)}`, 'x'.repeat(300)]) },
    admin ? {} : { authorization: rng.pick(['Bearer', 'Bearer  ', 'Basic Zm9vOmJhcg==', `Bearer ${rng.alnum(40)}`, 'Bearer a.b.c', 'Bearer '.repeat(50)]) },
  ]);
  const json: Record<string, string> = base.payload !== undefined ? { 'content-type': 'application/json' } : {};
  return { ...base, headers: { ...base.headers, ...json, ...odd } };
}

// ---------------------------------------------------------------------------------------------------------

eachDatabase('fuzz', (kind) => {
  let w: World;
  const tally = newTally();
  let usersBefore: number;
  let keysBefore: number;

  async function send(c: FuzzCase, rng: Rng): Promise<void> {
    const r = await w.h.app.inject({
      method: c.method as 'GET',
      url: c.url,
      headers: c.headers,
      // A different client address each time keeps the per-IP login limiter out of the way of the final login.
      remoteAddress: `10.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(254)}`,
      ...(c.payload !== undefined ? { payload: c.payload } : {}),
    });
    tally.sent++;
    tally.byStatus.set(r.statusCode, (tally.byStatus.get(r.statusCode) ?? 0) + 1);
    const created = c.method === 'POST' && r.statusCode === 201 && r.headers['idempotent-replayed'] !== 'true';
    if (created && /^\/api\/v1\/users(\?|$)/.test(c.url)) tally.usersCreated.push(r.json<{ id: number }>().id);
    if (created && /^\/api\/v1\/api-keys(\?|$)/.test(c.url)) tally.keysCreated++;
    if (c.method === 'DELETE' && r.statusCode === 204 && /^\/api\/v1\/users\//.test(c.url)) tally.usersDeleted++;
    for (const problem of problemsOf(c, r)) {
      const sig = `${problem} ← ${c.category}`;
      const v = tally.violations.get(sig) ?? { count: 0, routes: new Set<string>(), example: `${describeCase(c)} → ${r.statusCode} ${r.body.slice(0, 200)}` };
      v.count++;
      v.routes.add(c.route);
      tally.violations.set(sig, v);
    }
  }

  async function run(cases: FuzzCase[], rng: Rng, concurrency = 8): Promise<void> {
    let i = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (i < cases.length) await send(cases[i++], rng);
      }),
    );
  }

  function report(label: string): string {
    const lines = [...tally.violations.entries()]
      .sort((a, b) => b[1].count - a[1].count)
      .slice(0, 40)
      .map(([sig, v]) => `  ${v.count}× ${sig} on ${[...v.routes].slice(0, 4).join(', ')}${v.routes.size > 4 ? ` and ${v.routes.size - 4} more` : ''}\n      e.g. ${v.example}`);
    return `${label} (seed ${SEED}, ${kind}): ${tally.violations.size} kinds of bad answers\n${lines.join('\n')}`;
  }

  before(async () => {
    w = await World.start(kind);
    usersBefore = await w.usersTotal();
    keysBefore = await w.keysTotal();
  });
  after(() => w.h.close());

  it('the route table and its schemas were found (fuzzing an empty table would prove nothing)', (t) => {
    assert.ok(w.targets.length >= 15, `${w.targets.length} routes`);
    assert.ok(w.targets.filter((x) => x.body?.properties).length >= 6, 'routes with a JSON body');
    assert.ok(w.targets.some((x) => x.query.some((p) => p.name === 'page')), 'paginated routes');
    assert.ok(w.targetIds.has('/api/v1/users') && w.targetIds.has('/api/v1/api-keys'), 'rows to aim updates at');
    // A collection whose schema this generator cannot satisfy (a pattern, say) is still fuzzed, at id 999999.
    const without = w.targets.filter((x) => x.method === 'POST' && !w.targetIds.has(x.url) && w.targets.some((y) => y.url.startsWith(`${x.url}/:`)));
    if (without.length > 0) t.diagnostic(`no row could be generated for ${without.map((x) => x.url).join(', ')}; their /:id routes are fuzzed at 999999`);
  });

  it('boundary corpus: every field, parameter and id at its edges → 4xx problem+json, never 5xx', async (t) => {
    const cases = corpus(w);
    t.diagnostic(`${cases.length} corpus requests`);
    tally.violations.clear();
    await run(cases, new Rng(SEED ^ 0x5eed));
    assert.equal(tally.violations.size, 0, report('boundary corpus'));
  });

  it(`${COUNT[kind]} seeded random bad requests → 4xx problem+json naming the field, never 5xx`, async (t) => {
    t.diagnostic(`seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
    const rng = new Rng(SEED);
    const cases = Array.from({ length: COUNT[kind] }, () => randomCase(w, rng));
    tally.violations.clear();
    tally.byStatus.clear();
    const started = Date.now();
    await run(cases, rng);
    t.diagnostic(`${cases.length} requests in ${Date.now() - started} ms; statuses ${JSON.stringify(Object.fromEntries([...tally.byStatus].sort((a, b) => a[0] - b[0])))}`);
    assert.equal(tally.violations.size, 0, report('random fuzz'));
  });

  it('afterwards the data is intact: the admin logs in, counts moved only by 201s and 204s, every row still reads back', async () => {
    const { h } = w;
    const login = await h.call('POST', '/api/v1/auth/login', { body: { username: ADMIN.username, password: ADMIN.password } });
    assert.equal(login.statusCode, 200, login.body);
    const token = login.json<{ accessToken: string }>().accessToken;
    const me = (await h.call('GET', '/api/v1/auth/me', { token })).json();
    assert.equal(me.username, ADMIN.username);
    assert.equal(me.role, 'admin');
    assert.equal(me.status, 'active');

    const total = await w.usersTotal();
    assert.equal(total, usersBefore + tally.usersCreated.length - tally.usersDeleted, `users: ${usersBefore} + ${tally.usersCreated.length} created - ${tally.usersDeleted} deleted`);
    const inDb = await h.db.db.selectFrom('users').select(sql<number | string>`count(*)`.as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(inDb.n), total, 'the API total matches the table');
    assert.equal(await w.keysTotal(), keysBefore + tally.keysCreated, 'API keys changed only by 201 creates');

    // Nothing was stored that the API cannot serve back: every read route answers, every page of every list.
    assert.deepEqual(await w.unreadable(), [], 'read routes after the fuzz run');
    for (const [path, expected] of [['/api/v1/users', total], ['/api/v1/api-keys?includeRevoked=true', keysBefore + tally.keysCreated]] as const) {
      let seen = 0;
      for (let page = 1; ; page++) {
        const r = await h.call('GET', `${path}${path.includes('?') ? '&' : '?'}limit=100&page=${page}`, { token });
        assert.equal(r.statusCode, 200, `${path} page ${page}: ${r.body.slice(0, 200)}`);
        const rows = r.json<{ data: unknown[] }>().data;
        seen += rows.length;
        if (rows.length < 100) break;
      }
      assert.equal(seen, expected, `${path} lists every row`);
    }
    for (let page = 1; page <= 50; page++) {
      const r = await h.call('GET', `/api/v1/audit-logs?limit=100&page=${page}`, { token });
      assert.equal(r.statusCode, 200, `audit page ${page}: ${r.body.slice(0, 200)}`);
      if (r.json<{ data: unknown[] }>().data.length < 100) break;
    }
    for (const id of tally.usersCreated.slice(0, 50)) {
      const r = await h.call('GET', `/api/v1/users/${id}`, { token });
      assert.ok(r.statusCode === 200 || (r.statusCode === 404 && tally.usersDeleted > 0), `created user ${id} reads back: ${r.statusCode}`);
    }
    const admin = (await h.call('GET', '/api/v1/users/1', { token })).json();
    assert.equal(admin.role, 'admin');
    assert.equal(admin.status, 'active');
  });
});

eachDatabase('fuzz: targeted regressions', (kind) => {
  let w: World;
  before(async () => {
    w = await World.start(kind);
  });
  after(() => w.h.close());

  it('a JSON value of the wrong type is a 400 naming the field, not silently coerced', async () => {
    const { h } = w;
    const userId = w.targetIds.get('/api/v1/users')!;
    const users = await w.usersTotal();
    const keys = await w.keysTotal();
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/v1/users', { username: 123456, email: 'coerce1@example.com' }, 'username'],
      ['POST', '/api/v1/users', { username: ['coerce2'], email: 'coerce2@example.com' }, 'username'],
      ['POST', '/api/v1/users', { username: 'coerce3', email: ['coerce3@example.com'] }, 'email'],
      ['POST', '/api/v1/users', { username: 'coerce4', email: 'coerce4@example.com', displayName: false }, 'displayName'],
      ['POST', '/api/v1/users', { username: 'coerce5', email: 'coerce5@example.com', password: 12345678 }, 'password'],
      ['POST', '/api/v1/users', { username: 'coerce6', email: 'coerce6@example.com', role: ['operator'] }, 'role'],
      ['POST', '/api/v1/api-keys', { name: 42, type: 'client' }, 'name'],
      ['POST', '/api/v1/api-keys', { name: 'coerced key', type: ['admin'] }, 'type'],
      ['PATCH', `/api/v1/users/${userId}`, { status: ['suspended'] }, 'status'],
      ['PATCH', `/api/v1/users/${userId}`, { displayName: 7 }, 'displayName'],
    ];
    const wrong: string[] = [];
    for (const [method, url, body, field] of cases) {
      const r = await h.call(method, url, { token: h.adminToken, body });
      const path = r.statusCode === 400 ? r.json<{ errors?: { path: string }[] }>().errors?.[0]?.path : undefined;
      if (r.statusCode !== 400 || path !== field) wrong.push(`${method} ${url} ${JSON.stringify(body)} → ${r.statusCode} ${r.body.slice(0, 150)}`);
    }
    const login = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.255.0.1', payload: { username: 1234, password: 12345678 } });
    if (login.statusCode !== 400) wrong.push(`POST /api/v1/auth/login {"username":1234,"password":12345678} → ${login.statusCode}`);
    const created = (await w.usersTotal()) - users + (await w.keysTotal()) - keys;
    assert.deepEqual(wrong, [], `wrong types must be rejected (bodies are JSON, so nothing needs coercing); ${created} rows were created from them`);
  });

  it('"Infinity" is not an integer: ids, pages and integer fields refuse it with 400', async () => {
    const wrong: string[] = [];
    const urls = ['/api/v1/users/Infinity', '/api/v1/users/-Infinity', '/api/v1/users/1e400', '/api/v1/users?page=Infinity', '/api/v1/users?limit=-Infinity', '/api/v1/audit-logs?actorId=Infinity'];
    for (const url of urls) {
      const r = await w.h.call('GET', url, { token: w.h.adminToken });
      if (r.statusCode !== 400) wrong.push(`GET ${url} → ${r.statusCode} ${r.body.slice(0, 120)}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('every free-form JSON field refuses nesting past the depth limit with a 400 naming it, and takes the limit', async () => {
    const rng = new Rng(11);
    const wrong: string[] = [];
    /** Fields whose schema takes any JSON (`Type.Unknown()`, or a record of it), as paths into the body. */
    const freeForm = (s: Schema, path: string[]): string[][] => {
      if (s.type === undefined && !s.anyOf && !s.enum) return [path];
      if (typeof s.additionalProperties === 'object' && Object.keys(s.additionalProperties).length === 0) return [path];
      return Object.entries(s.properties ?? {}).flatMap(([k, v]) => freeForm(v, [...path, k]));
    };
    /** `{"a":{"a":…1}}`, `levels` objects deep, as JSON text (too deep for JSON.stringify's recursion). */
    const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    const fields = w.targets
      .filter((t) => ['POST', 'PUT', 'PATCH'].includes(t.method) && t.body?.properties)
      .flatMap((t) => freeForm(t.body!, []).filter((p) => p.length > 0).map((path) => ({ t, path })));
    assert.ok(fields.some(({ path }) => path.join('.') === 'customPayload'), 'customPayload was found as a free-form field');
    for (const { t, path } of fields) {
      // The body is level 1, so a field `path.length` deep holds MAX_JSON_DEPTH - path.length more levels.
      const room = MAX_JSON_DEPTH - path.length;
      for (const levels of [room, room + 1, 5000]) {
        // A PATCH body of the field alone is valid, so there the field's depth is all that decides between 400 and
        // 200 (or 404 where the generator could make no row to patch).
        const body = (t.method === 'PATCH' ? {} : Object.fromEntries(validBody(t.body!, rng).filter(([k]) => k !== path[0]))) as Record<string, unknown>;
        let at = body;
        for (const k of path.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
        at[path[path.length - 1]] = '<deep>';
        const payload = JSON.stringify(body).replace('"<deep>"', nested(levels));
        const r = await w.h.app.inject({ method: t.method as 'PUT', url: w.intactUrl(t), headers: { ...w.adminHeaders(t.permission), 'content-type': 'application/json' }, payload });
        const errors = r.statusCode === 400 ? r.json<{ errors?: { path: string; message: string }[] }>().errors ?? [] : [];
        const depthError = errors.find((e) => /deeper than/.test(e.message));
        const what = `${t.method} ${t.url} ${path.join('.')} ${levels} levels deep → ${r.statusCode} ${r.body.slice(0, 160)}`;
        if (levels <= room && (depthError || r.statusCode >= 500 || (t.method === 'PATCH' && ![200, 404].includes(r.statusCode)))) wrong.push(`${what} (within the limit)`);
        if (levels > room && !(depthError && depthError.path.startsWith(path.join('.')))) wrong.push(`${what} (past the limit)`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('an unknown docs asset is 404 route_not_found, not 405 with "use GET"', async () => {
    const r = await w.h.call('GET', '/docs/static/no-such-file.js');
    assert.equal(r.statusCode, 404, r.body);
    assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
  });

  // Last: when it fails, it leaves rows the API cannot serve.
  it('a date-time the API accepts is one it can store and serve back, on every route with a date-time field', async () => {
    const rng = new Rng(7);
    const wrong: string[] = [];
    assert.deepEqual(await w.unreadable(), [], 'every read route answers before the test');
    for (const t of w.targets.filter((x) => ['POST', 'PUT', 'PATCH'].includes(x.method) && x.body?.properties && !x.url.startsWith('/api/v1/auth/'))) {
      const dateFields = Object.entries(t.body!.properties!).filter(([, fs]) => flatAnyOf(fs).some((b) => b.format === 'date-time'));
      for (const [field] of dateFields) {
        for (const v of DATE_TIME_EDGES) {
          const body = [...validBody(t.body!, rng).filter(([k]) => k !== field), [field, v] as [string, unknown]];
          const r = await w.h.app.inject({ method: t.method as 'PUT', url: w.intactUrl(t), headers: { ...w.adminHeaders(t.permission), 'content-type': 'application/json' }, payload: toJson(new Obj(body)) });
          if (r.statusCode >= 500) wrong.push(`${t.method} ${t.url} ${field}=${v} → ${r.statusCode}`);
          const broken = await w.unreadable();
          for (const u of broken) wrong.push(`after ${t.method} ${t.url} ${field}=${v} (${r.statusCode}): ${u}`);
          if (broken.length > 0) {
            // Report the first value that breaks reads on this route, then stop: everything after would fail too.
            assert.deepEqual(wrong, []);
          }
        }
      }
    }
    assert.deepEqual(wrong, []);
  });
});
