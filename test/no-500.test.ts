// Every documented route, fed malformed ids, bodies and query strings, answers a 4xx problem and
// never a 500: bad input gets a clear error, whatever the route.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';

let t: TestApp;
let tenant: TestTenant;
let operator: string;
before(async () => {
  t = await startTestApp();
  tenant = await t.createTenant('pooled');
  operator = await t.operatorToken();
});
after(async () => {
  await t.close();
});

const PARAM_VALUES = ['not-a-uuid', randomUUID(), '%27%3B--', 'x'.repeat(300), '2030-02-30'];
const BODIES: unknown[] = [undefined, {}, { unexpected: true }, [], 'text', { start: 'yesterday', patientId: 42, rules: { slotMinutes: 'x' } }, { email: null, password: {} }];
const QUERIES = ['', '?limit=-1', '?cursor=%%%', '?from=nope&to=nope', '?date=2030-13-45&view=year', '?status=bogus'];

/** A well-formed id that names nothing: the path value that lets a request get furthest. */
const UNKNOWN_ID = PARAM_VALUES[1]!;

/**
 * Fastify validates params, then body, then querystring, before any handler. A query or body that
 * the route's schema rejects with a well-formed id ("The querystring is not valid") is rejected the
 * same way whatever the path holds, so the other path values are sent only with the queries and
 * bodies that got past validation (those reach the handler and may meet the malformed id there).
 */
function rejectedBySchema(res: { statusCode: number; body: string }): boolean {
  if (res.statusCode !== 400) return false;
  try {
    const problem = JSON.parse(res.body) as { code?: string; detail?: string };
    return problem.code === 'validation_failed' && /^The (body|querystring) is not valid$/.test(problem.detail ?? '');
  } catch {
    return false;
  }
}

test('no documented route answers 5xx to malformed input', { timeout: 600_000 }, async () => {
  const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
  const failures: string[] = [];
  let calls = 0;
  let schemaRejected = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))) {
      if (path === '/platform/tenants/{tenant}' && method === 'delete') continue; // would delete nothing real, but keep the fixture intact
      const headers: Record<string, string> = path.startsWith('/platform/')
        ? { authorization: `Bearer ${operator}` }
        : { authorization: `Bearer ${tenant.adminToken}`, 'x-tenant': tenant.slug };
      const send = async (value: string, query: string, body: unknown) => {
        const url = path.replace(/\{[^}]+\}/g, value);
        const res = await t.app.inject({
          method: method.toUpperCase() as 'GET',
          url: url + query,
          headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
        });
        calls++;
        if (res.statusCode >= 500) failures.push(`${method.toUpperCase()} ${url}${query} ${JSON.stringify(body)} → ${res.statusCode} ${res.body.slice(0, 200)}`);
        else if (res.statusCode >= 400) assert.match(res.headers['content-type'] as string, /application\/problem\+json/, `${method} ${url}`);
        return res;
      };
      const variants: [string, unknown][] = [];
      for (const query of method === 'get' ? QUERIES : ['']) {
        for (const body of method === 'get' || method === 'delete' ? [undefined] : BODIES) variants.push([query, body]);
      }
      // Every query and body with the well-formed id; the first variant (no query, no body) always.
      const reachHandler: [string, unknown][] = [];
      for (const [i, [query, body]] of variants.entries()) {
        const res = await send(UNKNOWN_ID, query, body);
        if (i > 0 && rejectedBySchema(res)) schemaRejected++;
        else reachHandler.push([query, body]);
      }
      // A path without parameters is the same URL whatever the value: once is enough.
      if (!path.includes('{')) continue;
      for (const value of PARAM_VALUES) {
        if (value === UNKNOWN_ID) continue;
        for (const [query, body] of reachHandler) await send(value, query, body);
      }
    }
  }
  assert.ok(calls > 500, `exercised ${calls} requests`);
  assert.ok(schemaRejected > 100, `the schemas rejected ${schemaRejected} malformed queries and bodies`);
  assert.deepEqual(failures.slice(0, 20), []);
});
