/**
 * Custom subdomains: a practice reached at `<subdomain>.<base host>` besides `<slug>.<base host>`.
 * Set by its admin (PUT /api/branding/subdomain) or the operator; names are unique across every
 * practice's slug and subdomain, also when two practices claim one at the same moment.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, PASSWORD, type TestApp, type TestTenant } from './support/harness.ts';
import { tenantRef } from './support/scheduling-fixtures.ts';
import { asPlatform, withTenant } from '../src/tenancy/tenant-db.ts';
import { RESERVED_SUBDOMAINS } from '../src/platform/tenant-subdomain.ts';

let t: TestApp;

before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

function assertProblem(res: LightMyRequestResponse, status: number, code: string, field?: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json();
  assert.equal(body.code, code, res.body);
  if (field) assert.ok((body.errors as { field: string }[]).some((e) => e.field === field), res.body);
}

const freshName = () => `cs-${randomBytes(5).toString('hex')}`;
const hostOf = (name: string) => `${name}.${t.config.baseHost}`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** PUT /api/branding/subdomain as the practice's admin (or `token`), naming the practice by X-Tenant. */
function setOwn(p: TestTenant, subdomain: unknown, token = p.adminToken) {
  return t.api(p, token, { method: 'PUT', url: '/api/branding/subdomain', payload: { subdomain } });
}

async function setByOperator(tenant: string, subdomain: unknown) {
  return t.app.inject({
    method: 'PUT',
    url: `/platform/tenants/${tenant}/subdomain`,
    headers: bearer(await t.operatorToken()),
    payload: { subdomain },
  });
}

/** GET /api/me through the Host header only (no X-Tenant). */
function meByHost(name: string, token: string, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'GET', url: '/api/me', headers: { host: hostOf(name), ...bearer(token), ...headers } });
}

async function createPractice(slug: string) {
  return t.app.inject({
    method: 'POST',
    url: '/platform/tenants',
    headers: bearer(await t.operatorToken()),
    payload: { slug, name: `Practice ${slug}`, admin: { email: `admin@${slug}.test`, password: PASSWORD, name: 'Admin' } },
  });
}

describe('custom subdomains', () => {
  test("the admin sets it, the same token works through it, GET /api/branding shows it, null removes it; each change is audited", async () => {
    const p = await t.createTenant();
    const name = freshName();
    const before = await meByHost(name, p.adminToken);
    assertProblem(before, 404, 'tenant_not_found'); // cached as unknown: the change must invalidate it

    const set = await setOwn(p, `  ${name.toUpperCase()} `);
    assert.equal(set.statusCode, 200, set.body);
    assert.deepEqual(set.json(), { slug: p.slug, subdomain: name });
    const branding = await t.api(p, p.adminToken, { method: 'GET', url: '/api/branding' });
    assert.equal(branding.json().subdomain, name);

    const bySubdomain = await meByHost(name, p.adminToken);
    assert.equal(bySubdomain.statusCode, 200, bySubdomain.body);
    assert.equal(bySubdomain.json().tenant.id, p.id);
    assert.equal((await meByHost(p.slug, p.adminToken)).statusCode, 200, 'the slug keeps working');
    const patients = await t.app.inject({ method: 'GET', url: '/api/patients', headers: { host: hostOf(name), ...bearer(p.adminToken) } });
    assert.equal(patients.statusCode, 200, patients.body);

    // Renaming frees the old name at once (in this process) and takes the new one.
    const renamed = freshName();
    assert.equal((await setOwn(p, renamed)).statusCode, 200);
    assertProblem(await meByHost(name, p.adminToken), 404, 'tenant_not_found');
    assert.equal((await meByHost(renamed, p.adminToken)).statusCode, 200);
    // Setting the same name again changes nothing and records nothing.
    assert.equal((await setOwn(p, renamed)).statusCode, 200);

    const cleared = await setOwn(p, null);
    assert.equal(cleared.statusCode, 200, cleared.body);
    assert.deepEqual(cleared.json(), { slug: p.slug, subdomain: null });
    assertProblem(await meByHost(renamed, p.adminToken), 404, 'tenant_not_found');
    assert.equal((await t.api(p, p.adminToken, { method: 'GET', url: '/api/branding' })).json().subdomain, null);

    const ref = await tenantRef(t, p.slug);
    const audit = await withTenant(t.services.db, ref, async (tx) =>
      (await tx.query<{ action: string; details: { from: string | null; to: string | null } }>(
        `select action, details from audit_events where tenant_id = $1 and action = 'branding.subdomain' order by id`,
        [tx.tenantId],
      )).rows,
    );
    assert.deepEqual(audit.map((a) => a.details), [
      { from: null, to: name },
      { from: name, to: renamed },
      { from: renamed, to: null },
    ]);
  });

  test('the operator sets and removes it by id or slug, audited; unknown practice 404', async () => {
    const p = await t.createTenant('schema');
    const name = freshName();
    const set = await setByOperator(p.id, name);
    assert.equal(set.statusCode, 200, set.body);
    assert.deepEqual(set.json(), { slug: p.slug, subdomain: name });
    assert.equal((await meByHost(name, p.adminToken)).json().tenant.id, p.id);
    const shown = await t.app.inject({ method: 'GET', url: `/platform/tenants/${p.id}`, headers: bearer(await t.operatorToken()) });
    assert.equal(shown.json().subdomain, name);
    assert.equal((await t.api(p, p.adminToken, { method: 'GET', url: '/api/branding' })).json().subdomain, name);

    const cleared = await setByOperator(p.slug, null);
    assert.equal(cleared.statusCode, 200, cleared.body);
    assertProblem(await meByHost(name, p.adminToken), 404, 'tenant_not_found');

    const logged = await asPlatform(t.services.db, (tx) =>
      tx.query<{ details: unknown }>(`select details from operator_audit where action = 'tenant.subdomain' and target = $1 order by id`, [p.id]),
    );
    assert.deepEqual(logged.rows.map((r) => r.details), [{ from: null, to: name }, { from: name, to: null }]);
    assertProblem(await setByOperator(`nope-${randomBytes(4).toString('hex')}`, freshName()), 404, 'tenant_not_found');
    const anonymous = await t.app.inject({ method: 'PUT', url: `/platform/tenants/${p.id}/subdomain`, payload: { subdomain: freshName() } });
    assertProblem(anonymous, 401, 'token_missing');
  });

  test('Host and X-Tenant must name the same practice (compared by id); X-Tenant takes the slug only', async () => {
    const a = await t.createTenant();
    const b = await t.createTenant();
    const name = freshName();
    assert.equal((await setOwn(a, name)).statusCode, 200);

    const same = await meByHost(name, a.adminToken, { 'x-tenant': a.slug });
    assert.equal(same.statusCode, 200, same.body);
    assert.equal(same.json().tenant.id, a.id);
    assertProblem(await meByHost(name, a.adminToken, { 'x-tenant': b.slug }), 400, 'tenant_mismatch');
    assertProblem(await meByHost(name, b.adminToken, { 'x-tenant': b.slug }), 400, 'tenant_mismatch');
    assertProblem(await meByHost(b.slug, a.adminToken, { 'x-tenant': name }), 400, 'tenant_mismatch');
    // The subdomain in X-Tenant alone names no practice (documented: API clients use the slug).
    assertProblem(await t.api({ slug: name }, a.adminToken, { method: 'GET', url: '/api/me' }), 404, 'tenant_not_found');
    // The public `:slug` routes stay on the slug.
    assert.equal((await t.app.inject({ method: 'GET', url: `/public/practices/${a.slug}/branding` })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: `/public/practices/${name}/branding` })).statusCode, 404);
  });

  test("practice A's token through B's subdomain answers 401 token_tenant_mismatch", async () => {
    const a = await t.createTenant();
    const b = await t.createTenant();
    const name = freshName();
    assert.equal((await setOwn(b, name)).statusCode, 200);
    assertProblem(await meByHost(name, a.adminToken), 401, 'token_tenant_mismatch');
    const write = await t.app.inject({ method: 'PUT', url: '/api/branding/subdomain', headers: { host: hostOf(name), ...bearer(a.adminToken) }, payload: { subdomain: null } });
    assertProblem(write, 401, 'token_tenant_mismatch');
    assert.equal((await meByHost(name, b.adminToken)).json().tenant.id, b.id, "B's subdomain is untouched");
  });

  test('staff sign in through the subdomain with the slug in the body', async () => {
    const p = await t.createTenant();
    const name = freshName();
    assert.equal((await setOwn(p, name)).statusCode, 200);
    const login = await t.app.inject({ method: 'POST', url: '/auth/login', headers: { host: hostOf(name) }, payload: { tenant: p.slug, email: p.adminEmail, password: PASSWORD } });
    assert.equal(login.statusCode, 200, login.body);
    const other = await t.createTenant();
    const wrong = await t.app.inject({ method: 'POST', url: '/auth/login', headers: { host: hostOf(name) }, payload: { tenant: other.slug, email: other.adminEmail, password: PASSWORD } });
    assertProblem(wrong, 400, 'tenant_mismatch');
  });

  test('names are unique across slugs and subdomains, in both directions', async () => {
    const a = await t.createTenant();
    const b = await t.createTenant();
    const name = freshName();
    assertProblem(await setOwn(a, b.slug), 409, 'subdomain_taken');
    assertProblem(await setByOperator(a.id, b.slug), 409, 'subdomain_taken');
    assert.equal((await setOwn(b, name)).statusCode, 200);
    assertProblem(await setOwn(a, name), 409, 'subdomain_taken');
    assertProblem(await setByOperator(a.slug, name), 409, 'subdomain_taken');
    // A new practice cannot take a subdomain as its slug.
    assertProblem(await createPractice(name), 409, 'slug_taken');
    // Once B lets go of it, the name is free again.
    assert.equal((await setOwn(b, null)).statusCode, 200);
    assert.equal((await setOwn(a, name)).statusCode, 200);
    assert.equal((await meByHost(name, a.adminToken)).json().tenant.id, a.id);
  });

  test('reserved, malformed and own-slug names are 400 naming subdomain', async () => {
    const p = await t.createTenant();
    for (const reserved of RESERVED_SUBDOMAINS) assertProblem(await setOwn(p, reserved), 400, 'validation_failed', 'subdomain');
    assertProblem(await setByOperator(p.id, 'WWW'), 400, 'validation_failed', 'subdomain');
    for (const bad of ['', '-lead', 'trail-', 'under_score', 'dot.ted', 'x'.repeat(41), 'spa ce', 'ümlaut']) {
      assertProblem(await setOwn(p, bad), 400, 'validation_failed', 'subdomain');
    }
    assertProblem(await setOwn(p, 'x'.repeat(64)), 400, 'validation_failed', 'subdomain');
    assertProblem(await setOwn(p, p.slug), 400, 'validation_failed', 'subdomain');
    const missing = await t.api(p, p.adminToken, { method: 'PUT', url: '/api/branding/subdomain', payload: {} });
    assertProblem(missing, 400, 'validation_failed', 'subdomain');
    assert.equal((await t.api(p, p.adminToken, { method: 'GET', url: '/api/branding' })).json().subdomain, null);
  });

  test('staff without settings:manage get 403', async () => {
    const p = await t.createTenant();
    const email = `desk@${p.slug}.test`;
    const created = await t.api(p, p.adminToken, { method: 'POST', url: '/api/staff', payload: { email, name: 'Desk', password: PASSWORD, roles: ['front_desk'] } });
    assert.equal(created.statusCode, 201, created.body);
    const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: p.slug, email, password: PASSWORD } });
    const desk = login.json().accessToken as string;
    assertProblem(await setOwn(p, freshName(), desk), 403, 'permission_denied');
    assert.equal((await t.api(p, desk, { method: 'GET', url: '/api/branding' })).json().subdomain, null);
  });

  test('two practices claiming one name at once: exactly one wins', async () => {
    const a = await t.createTenant();
    const b = await t.createTenant();
    for (let round = 0; round < 4; round++) {
      const name = freshName();
      const results = await Promise.all([setOwn(a, name), setOwn(b, name), setByOperator(a.id, name)]);
      const winners = results.filter((r) => r.statusCode === 200);
      // A's two requests may both succeed (the same practice), B's and A's never both.
      const aWon = results[0]!.statusCode === 200 || results[2]!.statusCode === 200;
      const bWon = results[1]!.statusCode === 200;
      assert.ok(aWon !== bWon, results.map((r) => r.body).join('\n'));
      for (const r of results) if (r.statusCode !== 200) assertProblem(r, 409, 'subdomain_taken');
      assert.ok(winners.length >= 1);
      const owner = (await meByHost(name, (aWon ? a : b).adminToken)).json().tenant.id;
      assert.equal(owner, (aWon ? a : b).id);
    }
    // A subdomain claim racing a new practice's slug.
    for (let round = 0; round < 3; round++) {
      const name = freshName();
      const [claim, created] = await Promise.all([setOwn(b, name), createPractice(name)]);
      assert.ok((claim.statusCode === 200) !== (created.statusCode === 201), `${claim.body}\n${created.body}`);
      if (claim.statusCode !== 200) assertProblem(claim, 409, 'subdomain_taken');
      if (created.statusCode !== 201) assertProblem(created, 409, 'slug_taken');
    }
  });
});
