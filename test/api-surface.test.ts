/**
 * The public surface: probes, the OpenAPI document against the routes actually registered, the
 * docs UI, uniform problem+json errors, the error catalogue against docs/errors.md, request ids.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestApp, type TestApp } from './support/harness.ts';
import { ERROR_CODES } from '../src/errors/catalogue.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Every method+path the server registered, read from Fastify's own route tree
 * (`printRoutes({ commonPrefix: false })`: one node per line, 4 columns per level, each label
 * the continuation of its parent's path, methods in parentheses). HEAD is Fastify's automatic twin.
 */
function registeredRoutes(): string[] {
  const tree = t.app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const path = (depth > 0 ? stack[depth - 1]! : '') + m[2]!;
    stack.push(path);
    for (const method of (m[3] ?? '').split(', ').filter((x) => HTTP_METHODS.includes(x))) routes.push(`${method} ${path}`);
  }
  return routes;
}

/**
 * Routes deliberately outside the OpenAPI document: the document itself, the docs UI, the web
 * app's static files (`/assets/*`, which the route tree may print as a bare `*` or `/assets/*`), and
 * the Prometheus scrape endpoint (for operators' scrapers, not API clients).
 */
const UNDOCUMENTED = (route: string) =>
  / \/openapi\.json$/.test(route) || / \/docs(\/|$)/.test(route) || /^(GET|HEAD) (\/assets\/)?\*$/.test(route) || /^(GET|HEAD) \/metrics$/.test(route);

const EXPECTED = [
  'GET /healthz',
  'GET /readyz',
  'POST /auth/login',
  'POST /auth/refresh',
  'POST /auth/logout',
  'GET /.well-known/jwks.json',
  'POST /platform/auth/login',
  'POST /platform/auth/refresh',
  'POST /platform/auth/logout',
  'POST /platform/tenants',
  'GET /platform/tenants',
  'GET /platform/tenants/{tenant}',
  'DELETE /platform/tenants/{tenant}',
  'POST /platform/tenants/{tenant}/suspend',
  'POST /platform/tenants/{tenant}/reactivate',
  'GET /platform/migrations',
  'POST /api/patients',
  'GET /api/patients',
  'GET /api/patients/{id}',
  'PATCH /api/patients/{id}',
  'POST /api/patients/{id}/archive',
  'POST /api/patients/{id}/restore',
  'GET /api/audit-events',
  'GET /api/me',
  'GET /api/roles',
];

describe('probes', () => {
  test('GET /healthz answers ok', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
  });

  test('GET /readyz names the database kind', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { status: 'ready', database: t.services.db.kind });
    assert.ok(['pglite', 'postgres'].includes(res.json().database));
  });
});

describe('OpenAPI document', () => {
  let doc: { openapi: string; paths: Record<string, Record<string, { responses?: unknown; security?: unknown }>> };
  let documented: string[];
  before(async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /application\/json/);
    doc = res.json();
    documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => HTTP_METHODS.includes(m.toUpperCase()))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
  });

  test('is OpenAPI 3.x', () => {
    assert.match(doc.openapi, /^3\.\d+\.\d+$/);
    assert.ok(documented.length > 0);
  });

  test('lists every route the server registered, and nothing it did not', () => {
    const registered = registeredRoutes();
    assert.ok(registered.includes('GET /healthz') && registered.includes('PATCH /api/patients/:id'), `route tree parsed: ${registered.join(', ')}`);
    const toOpenApi = (r: string) => r.replace(/:(\w+)/g, '{$1}');
    const undocumented = registered.filter((r) => !UNDOCUMENTED(r)).map(toOpenApi).filter((r) => !documented.includes(r));
    assert.deepEqual(undocumented, [], 'registered routes missing from /openapi.json');
    for (const route of documented) {
      const [method, path] = route.split(' ') as [string, string];
      assert.ok(t.app.hasRoute({ method: method as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }), `documented but not served: ${route}`);
    }
    assert.equal(new Set(documented).size, registered.filter((r) => !UNDOCUMENTED(r)).length);
  });

  test('contains the known routes', () => {
    const missing = EXPECTED.filter((r) => !documented.includes(r));
    assert.deepEqual(missing, []);
  });

  test('tenant and operator routes declare their security', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (path.startsWith('/api/')) assert.deepEqual(op.security, [{ staffToken: [], tenantHeader: [] }], `${method} ${path}`);
        if (path.startsWith('/platform/tenants')) assert.deepEqual(op.security, [{ operatorToken: [] }], `${method} ${path}`);
      }
    }
  });
});

test('GET /docs serves the HTML documentation', async () => {
  let res = await t.app.inject({ method: 'GET', url: '/docs' });
  for (let hops = 0; res.statusCode >= 300 && res.statusCode < 400 && hops < 5; hops++) {
    const location = new URL(String(res.headers.location), 'http://localhost/docs');
    res = await t.app.inject({ method: 'GET', url: location.pathname + location.search });
  }
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.match(res.body, /<html/i);
  assert.match(res.body, /swagger/i);
});

describe('errors', () => {
  test('an unknown route answers 404 problem+json route_not_found', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/no/such/route?x=1' });
    assert.equal(res.statusCode, 404);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    const body = res.json();
    assert.equal(body.code, 'route_not_found');
    assert.equal(body.status, 404);
    assert.equal(body.type, 'https://healthtrack.dev/errors/route_not_found');
    assert.equal(body.title, ERROR_CODES.route_not_found.title);
    assert.equal(body.instance, '/no/such/route');
    assert.equal(body.requestId, res.headers['x-request-id']);
  });

  test('an invalid JSON body answers 400 invalid_json', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"tenant": "x",' });
    assert.equal(res.statusCode, 400, res.body);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal(res.json().code, 'invalid_json');

    const tenant = await t.createTenant();
    const api = await t.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/patients', headers: { 'content-type': 'application/json' }, payload: '{not json}' });
    assert.equal(api.statusCode, 400, api.body);
    assert.equal(api.json().code, 'invalid_json');
  });

  test('every catalogue code is documented in docs/errors.md with its status, and vice versa', () => {
    const markdown = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    const documented = new Map<string, number>();
    for (const m of markdown.matchAll(/^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|/gm)) {
      assert.ok(!documented.has(m[1]!), `${m[1]} is documented twice`);
      documented.set(m[1]!, Number(m[2]));
    }
    assert.ok(documented.size > 0, 'the table in docs/errors.md was found');
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      assert.equal(documented.get(code), spec.status, `${code} (${spec.status}) in docs/errors.md`);
    }
    for (const code of documented.keys()) assert.ok(code in ERROR_CODES, `${code} is documented but not in the catalogue`);
  });
});

describe('request ids', () => {
  test('every response carries x-request-id, and each request gets its own', async () => {
    const responses = [
      await t.app.inject({ method: 'GET', url: '/healthz' }),
      await t.app.inject({ method: 'GET', url: '/healthz' }),
      await t.app.inject({ method: 'GET', url: '/nowhere' }),
      await t.app.inject({ method: 'GET', url: '/api/me' }),
    ];
    const ids = responses.map((r) => r.headers['x-request-id']);
    for (const id of ids) assert.match(String(id), /^[A-Za-z0-9._-]{8,128}$/);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(responses[3]!.statusCode, 400, 'tenant route without a practice');
    assert.equal(responses[3]!.json().requestId, ids[3]);
  });

  test('a valid incoming X-Request-Id is echoed, an invalid one replaced', async () => {
    const echoed = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'trace-abc.123_XYZ' } });
    assert.equal(echoed.headers['x-request-id'], 'trace-abc.123_XYZ');
    const problem = await t.app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': 'trace-abc.456_XYZ' } });
    assert.equal(problem.headers['x-request-id'], 'trace-abc.456_XYZ');
    assert.equal(problem.json().requestId, 'trace-abc.456_XYZ');
    for (const bad of ['short', 'has spaces in it', 'x'.repeat(129), 'semi;colon;id']) {
      const res = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': bad } });
      const id = String(res.headers['x-request-id']);
      assert.notEqual(id, bad);
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });
});
