/**
 * Tenant resolution over the real HTTP stack: the practice is named by subdomain
 * (`<slug>.<base host>`) or X-Tenant; the two must agree, and the token's practice must be it.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, PASSWORD, type TestApp, type TestTenant } from './support/harness.ts';

let t: TestApp;

before(async () => {
  t = await startTestApp();
});
after(async () => { await t.close(); });

function assertProblem(res: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json();
  assert.equal(body.code, code, res.body);
  assert.equal(body.status, status);
  assert.equal(typeof body.title, 'string');
}

function hostOf(tenant: { slug: string }, port = ''): string {
  return `${tenant.slug}.${t.config.baseHost}${port}`;
}

function get(url: string, headers: Record<string, string>) {
  return t.app.inject({ method: 'GET', url, headers });
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

function unknownSlug(): string {
  return `nope-${randomBytes(5).toString('hex')}`;
}

/** Two fresh practices of this test's own. */
async function twoTenants(): Promise<[TestTenant, TestTenant]> {
  return [await t.createTenant(), await t.createTenant()];
}

describe('tenant resolution', () => {
  test('the subdomain alone names the practice (no X-Tenant), with or without a port, in any case', async () => {
    const a = await t.createTenant();
    for (const host of [hostOf(a), hostOf(a, ':3000'), hostOf(a).toUpperCase()]) {
      const res = await get('/api/me', { host, ...bearer(a.adminToken) });
      assert.equal(res.statusCode, 200, `${host}: ${res.body}`);
      assert.equal(res.json().tenant.id, a.id);
    }
    const patients = await get('/api/patients', { host: hostOf(a), ...bearer(a.adminToken) });
    assert.equal(patients.statusCode, 200, patients.body);
  });

  test('a schema-tier practice resolves by subdomain too', async () => {
    const s = await t.createTenant('schema');
    const res = await get('/api/me', { host: hostOf(s), ...bearer(s.adminToken) });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().tenant.slug, s.slug);
  });

  test('subdomain and X-Tenant naming the same practice is fine; naming different ones is 400 tenant_mismatch', async () => {
    const [a, b] = await twoTenants();
    const same = await get('/api/me', { host: hostOf(a), 'x-tenant': a.slug.toUpperCase(), ...bearer(a.adminToken) });
    assert.equal(same.statusCode, 200, same.body);
    assertProblem(await get('/api/me', { host: hostOf(a), 'x-tenant': b.slug, ...bearer(a.adminToken) }), 400, 'tenant_mismatch');
    assertProblem(await get('/api/me', { host: hostOf(a), 'x-tenant': b.slug, ...bearer(b.adminToken) }), 400, 'tenant_mismatch');
    // Checked before authentication: no token needed to be told.
    assertProblem(await get('/api/patients', { host: hostOf(b), 'x-tenant': a.slug }), 400, 'tenant_mismatch');
  });

  test("practice A's token on practice B answers 401 token_tenant_mismatch, by X-Tenant or by subdomain", async () => {
    const [a, b] = await twoTenants();
    assertProblem(await t.api(b, a.adminToken, { method: 'GET', url: '/api/patients' }), 401, 'token_tenant_mismatch');
    assertProblem(await get('/api/patients', { host: hostOf(b), ...bearer(a.adminToken) }), 401, 'token_tenant_mismatch');
    assertProblem(await get('/api/me', { host: hostOf(a), ...bearer(b.adminToken) }), 401, 'token_tenant_mismatch');
  });

  test('a login whose body names A while the subdomain or X-Tenant names B answers 400 tenant_mismatch', async () => {
    const [a, b] = await twoTenants();
    const body = { tenant: a.slug, email: a.adminEmail, password: PASSWORD };
    const byHost = await t.app.inject({ method: 'POST', url: '/auth/login', headers: { host: hostOf(b) }, payload: body });
    assertProblem(byHost, 400, 'tenant_mismatch');
    const byHeader = await t.app.inject({ method: 'POST', url: '/auth/login', headers: { 'x-tenant': b.slug }, payload: body });
    assertProblem(byHeader, 400, 'tenant_mismatch');
    // The same login against its own subdomain succeeds.
    const own = await t.app.inject({ method: 'POST', url: '/auth/login', headers: { host: hostOf(a) }, payload: body });
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.json().tenant.id, a.id);
  });

  test('an unknown practice answers 404 tenant_not_found, by X-Tenant or by subdomain', async () => {
    const a = await t.createTenant();
    assertProblem(await get('/api/patients', { 'x-tenant': unknownSlug(), ...bearer(a.adminToken) }), 404, 'tenant_not_found');
    assertProblem(await get('/api/patients', { host: `${unknownSlug()}.${t.config.baseHost}`, ...bearer(a.adminToken) }), 404, 'tenant_not_found');
    assertProblem(await get('/api/patients', { 'x-tenant': unknownSlug() }), 404, 'tenant_not_found');
    // A header value that could never be a slug is simply not found.
    assertProblem(await get('/api/patients', { 'x-tenant': 'no_such/../practice', ...bearer(a.adminToken) }), 404, 'tenant_not_found');
  });

  test('no practice named at all on /api answers 400 tenant_required', async () => {
    const a = await t.createTenant();
    assertProblem(await get('/api/patients', bearer(a.adminToken)), 400, 'tenant_required');
    assertProblem(await get('/api/me', {}), 400, 'tenant_required');
    assertProblem(await get('/api/patients', { host: t.config.baseHost, ...bearer(a.adminToken) }), 400, 'tenant_required');
    assertProblem(await get('/api/patients', { 'x-tenant': '   ', ...bearer(a.adminToken) }), 400, 'tenant_required');
  });

  test('hosts that are not a direct subdomain of the base host name no practice', async () => {
    const a = await t.createTenant();
    for (const host of [
      `${a.slug}.${t.config.baseHost}.evil.test`,
      `${a.slug}.evil.test`,
      `x.${a.slug}.${t.config.baseHost}`,
      `${a.slug}${t.config.baseHost}`,
    ]) {
      assertProblem(await get('/api/me', { host, ...bearer(a.adminToken) }), 400, 'tenant_required');
    }
  });

  test('every error answer is problem+json with a code, including routes and bodies the server rejects', async () => {
    const a = await t.createTenant();
    assertProblem(await get('/api/no-such-route', { 'x-tenant': a.slug, ...bearer(a.adminToken) }), 404, 'route_not_found');
    assertProblem(await get('/nowhere', {}), 404, 'route_not_found');
    const badLogin = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: a.slug } });
    assertProblem(badLogin, 400, 'validation_failed');
    const badJson = await t.app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"tenant":' });
    assertProblem(badJson, 400, 'invalid_json');
  });
});
