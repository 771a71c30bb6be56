/**
 * The operator API over a tenant's whole life: onboard (both tiers), list and show, suspend,
 * reactivate, delete with a verified report, the operator audit log, and authentication.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { startTestApp, uniqueSlug, PASSWORD, type TestApp, type TestTenant } from './support/harness.ts';
import { asOwner, asPlatform, tenantPreamble } from '../src/tenancy/tenant-db.ts';
import { TENANT_TABLES } from '../src/tenancy/manifest.ts';
import { POOLED_SCHEMA } from '../src/db/migrator.ts';
import { ident } from '../src/db/sql-literal.ts';
import { fillSchedulingTables } from './support/scheduling-fixtures.ts';
import { fillBillingTables } from './support/billing-fixtures.ts';
import { fillBrandingTables } from './support/branding-fixtures.ts';
import { fillWebhookTables } from './support/webhook-fixtures.ts';
import { fillTemplatesTables } from './support/templates-fixtures.ts';
import { fillFormTables } from './support/forms-fixtures.ts';
import { fillWorkflowTables } from './support/workflow-fixtures.ts';
import { fillOnlineBookingTables } from './support/online-booking-fixtures.ts';

let t: TestApp;
let opToken: string;
let operatorId: string;

before(async () => {
  t = await startTestApp();
  opToken = await t.operatorToken();
  operatorId = JSON.parse(Buffer.from(opToken.split('.')[1]!, 'base64url').toString('utf8')).sub;
});
after(async () => {
  await t.close();
});

function op(options: InjectOptions): Promise<LightMyRequestResponse> {
  return t.app.inject({ ...options, headers: { authorization: `Bearer ${opToken}`, ...(options.headers ?? {}) } });
}

function newTenantBody(tier: 'pooled' | 'schema', overrides: Record<string, unknown> = {}) {
  const slug = uniqueSlug(tier === 'schema' ? 'ls' : 'lp');
  return { slug, name: `Lifecycle ${slug}`, tier, admin: { email: `boss@${slug}.test`, password: PASSWORD, name: 'Boss' }, ...overrides };
}

function assertProblem(res: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.json().code, code, res.body);
  return res.json();
}

function assertFieldErrors(res: LightMyRequestResponse, fields: string[]): void {
  const body = assertProblem(res, 400, 'validation_failed');
  const named = (body.errors as { field: string }[]).map((e) => e.field);
  for (const field of fields) assert.ok(named.includes(field), `expected an error naming "${field}", got ${JSON.stringify(named)}`);
}

async function login(slug: string, email: string): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: slug, email, password: PASSWORD } });
}

async function staffSession(body: ReturnType<typeof newTenantBody>): Promise<TestTenant> {
  const res = await login(body.slug, body.admin.email);
  assert.equal(res.statusCode, 200, res.body);
  return { id: res.json().tenant.id, slug: body.slug, tier: body.tier, adminEmail: body.admin.email, adminToken: res.json().accessToken, refreshToken: res.json().refreshToken };
}

async function addPatients(tenant: TestTenant, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await t.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/patients', payload: { firstName: `P${i}`, lastName: 'Lifecycle', dateOfBirth: '1980-05-05' } });
    assert.equal(res.statusCode, 201, res.body);
    ids.push(res.json().id);
  }
  return ids;
}

/** Rows carrying `tenantId` in every manifest table of `schema`, counted as owner under that tenant's context. */
async function tenantRowCounts(tenantId: string, schema: string): Promise<Record<string, number>> {
  return asOwner(t.services.db, async (tx) => {
    await tx.exec(tenantPreamble(tenantId, schema));
    const counts: Record<string, number> = {};
    for (const table of TENANT_TABLES) {
      const res = await tx.query<{ n: number }>(`select count(*)::int as n from ${ident(schema)}.${ident(table)} where tenant_id = $1`, [tenantId]);
      counts[table] = res.rows[0]!.n;
    }
    return counts;
  });
}

async function schemaExists(schema: string): Promise<boolean> {
  const res = await asOwner(t.services.db, (tx) => tx.query('select 1 from pg_namespace where nspname = $1', [schema]));
  return res.rowCount > 0;
}

async function operatorActions(target: string): Promise<{ action: string; operator_id: string; request_id: string }[]> {
  const res = await asPlatform(t.services.db, (tx) =>
    tx.query<{ action: string; operator_id: string; request_id: string }>('select action, operator_id, request_id from operator_audit where target = $1 order by id', [target]),
  );
  return res.rows;
}

describe('onboarding', () => {
  const created: Record<string, { id: string; slug: string; tier: string; schema: string }> = {};

  test('POST /platform/tenants creates a pooled and a schema practice', async () => {
    for (const tier of ['pooled', 'schema'] as const) {
      const body = newTenantBody(tier);
      const started = performance.now();
      const res = await op({ method: 'POST', url: '/platform/tenants', payload: body });
      const elapsed = performance.now() - started;
      console.log(`create ${tier} tenant: ${elapsed.toFixed(1)} ms over HTTP (server reports ${res.json().elapsedMs?.toFixed?.(1)} ms)`);
      assert.equal(res.statusCode, 201, res.body);
      const out = res.json();
      assert.equal(out.tenant.slug, body.slug);
      assert.equal(out.tenant.tier, tier);
      assert.equal(out.tenant.status, 'active');
      assert.equal(out.tenant.plan, 'standard');
      assert.equal(res.headers.location, `/platform/tenants/${out.tenant.id}`);
      assert.equal(out.admin.email, body.admin.email);
      assert.equal(out.admin.existingUser, false);
      assert.equal(typeof out.elapsedMs, 'number');
      if (tier === 'pooled') {
        assert.equal(out.tenant.schema, POOLED_SCHEMA);
        assert.ok(elapsed < 1000, `pooled onboarding took ${elapsed.toFixed(0)} ms`);
      } else {
        assert.match(out.tenant.schema, /^t_[0-9a-f]{32}$/);
        assert.ok(await schemaExists(out.tenant.schema));
      }
      created[tier] = { ...out.tenant };
      // The new admin can sign in and sees the built-in roles.
      const session = await staffSession(body);
      const roles = await t.api(session, session.adminToken, { method: 'GET', url: '/api/roles' });
      assert.deepEqual(roles.json().items.map((r: { key: string }) => r.key).sort(), ['admin', 'billing', 'front_desk', 'provider']);
    }
  });

  test('a taken slug answers 409 slug_taken, in either tier', async () => {
    const body = newTenantBody('pooled');
    assert.equal((await op({ method: 'POST', url: '/platform/tenants', payload: body })).statusCode, 201);
    assertProblem(await op({ method: 'POST', url: '/platform/tenants', payload: { ...body, admin: { ...body.admin, email: 'other@x.test' } } }), 409, 'slug_taken');
    const asSchema = await op({ method: 'POST', url: '/platform/tenants', payload: { ...body, tier: 'schema' } });
    assertProblem(asSchema, 409, 'slug_taken');
    const list = (await op({ method: 'GET', url: '/platform/tenants' })).json().items as { slug: string }[];
    assert.equal(list.filter((x) => x.slug === body.slug).length, 1);
  });

  test('invalid input answers 400 naming the fields', async () => {
    assertFieldErrors(await op({ method: 'POST', url: '/platform/tenants', payload: newTenantBody('pooled', { slug: 'Bad_Slug!' }) }), ['slug']);
    assertFieldErrors(await op({ method: 'POST', url: '/platform/tenants', payload: newTenantBody('pooled', { slug: '-dash-first' }) }), ['slug']);
    const short = newTenantBody('pooled');
    assertFieldErrors(await op({ method: 'POST', url: '/platform/tenants', payload: { ...short, admin: { ...short.admin, password: 'short' } } }), ['admin.password']);
    assertFieldErrors(await op({ method: 'POST', url: '/platform/tenants', payload: newTenantBody('pooled', { colour: 'teal' }) }), ['colour']);
    assertFieldErrors(await op({ method: 'POST', url: '/platform/tenants', payload: newTenantBody('pooled', { tier: 'shard' }) }), ['tier']);
    const several = newTenantBody('pooled', { slug: 'NO', name: '' });
    assertFieldErrors(
      await op({ method: 'POST', url: '/platform/tenants', payload: { ...several, admin: { email: 'nope', password: 'x', name: 'A' } } }),
      ['slug', 'name', 'admin.email', 'admin.password'],
    );
    assertFieldErrors(await op({ method: 'POST', url: '/platform/tenants', payload: { slug: uniqueSlug(), name: 'No admin' } }), ['admin']);
  });

  test('GET lists both with their tier, and shows each by slug and by id', async () => {
    assert.ok(created.pooled && created.schema, 'created by the first test');
    const list = await op({ method: 'GET', url: '/platform/tenants' });
    assert.equal(list.statusCode, 200);
    const items = list.json().items as { id: string; slug: string; tier: string; users: number }[];
    for (const tier of ['pooled', 'schema'] as const) {
      const c = created[tier]!;
      const row = items.find((x) => x.id === c.id);
      assert.ok(row, `${tier} tenant listed`);
      assert.equal(row.tier, tier);
      assert.equal(row.slug, c.slug);
      assert.equal(row.users, 1);
      for (const key of [c.slug, c.id, c.slug.toUpperCase()]) {
        const one = await op({ method: 'GET', url: `/platform/tenants/${key}` });
        assert.equal(one.statusCode, 200, one.body);
        assert.equal(one.json().id, c.id);
        assert.equal(one.json().tier, tier);
        assert.equal(one.json().schema, c.schema);
      }
    }
    assertProblem(await op({ method: 'GET', url: '/platform/tenants/no-such-practice' }), 404, 'tenant_not_found');
    assertProblem(await op({ method: 'GET', url: '/platform/tenants/01900000-0000-7000-8000-000000000000' }), 404, 'tenant_not_found');
  });
});

describe('suspend and reactivate', () => {
  for (const tier of ['pooled', 'schema'] as const) {
    test(`a suspended ${tier} practice is locked out until reactivated`, async () => {
      const body = newTenantBody(tier);
      const res = await op({ method: 'POST', url: '/platform/tenants', payload: body });
      assert.equal(res.statusCode, 201, res.body);
      const tenantId = res.json().tenant.id as string;
      const session = await staffSession(body);
      assert.equal((await t.api(session, session.adminToken, { method: 'GET', url: '/api/patients' })).statusCode, 200);

      assertFieldErrors(await op({ method: 'POST', url: `/platform/tenants/${body.slug}/suspend`, payload: {} }), ['reason']);
      const suspended = await op({ method: 'POST', url: `/platform/tenants/${body.slug}/suspend`, payload: { reason: 'Unpaid invoice' } });
      assert.equal(suspended.statusCode, 200, suspended.body);
      assert.equal(suspended.json().status, 'suspended');
      assert.equal(suspended.json().suspendedReason, 'Unpaid invoice');
      assert.equal((await op({ method: 'GET', url: `/platform/tenants/${tenantId}` })).json().status, 'suspended');

      assertProblem(await t.api(session, session.adminToken, { method: 'GET', url: '/api/patients' }), 403, 'tenant_suspended');
      assertProblem(
        await t.api(session, session.adminToken, { method: 'POST', url: '/api/patients', payload: { firstName: 'A', lastName: 'B', dateOfBirth: '1990-01-01' } }),
        403,
        'tenant_suspended',
      );
      // The session's refresh token was revoked with the suspension.
      const refresh = await t.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: session.refreshToken } });
      assert.equal(refresh.statusCode >= 400, true, refresh.body);

      const reactivated = await op({ method: 'POST', url: `/platform/tenants/${tenantId}/reactivate` });
      assert.equal(reactivated.statusCode, 200, reactivated.body);
      assert.equal(reactivated.json().status, 'active');
      assert.equal(reactivated.json().suspendedReason, null);
      const again = await t.api(session, session.adminToken, { method: 'GET', url: '/api/patients' });
      assert.equal(again.statusCode, 200, again.body);
      assert.equal((await login(body.slug, body.admin.email)).statusCode, 200);

      const actions = await operatorActions(tenantId);
      assert.deepEqual(actions.map((a) => a.action), ['tenant.create', 'tenant.suspend', 'tenant.reactivate']);
      for (const a of actions) assert.equal(a.operator_id, operatorId);
      assert.equal(actions[1]!.request_id, suspended.headers['x-request-id']);
    });
  }

  test('suspending or reactivating an unknown practice answers 404', async () => {
    assertProblem(await op({ method: 'POST', url: '/platform/tenants/no-such-practice/suspend', payload: { reason: 'x' } }), 404, 'tenant_not_found');
    assertProblem(await op({ method: 'POST', url: '/platform/tenants/no-such-practice/reactivate' }), 404, 'tenant_not_found');
  });
});

describe('deletion', () => {
  for (const tier of ['pooled', 'schema'] as const) {
    test(`deleting a ${tier} practice removes all its data and nothing else`, async () => {
      // Bystanders in both tiers, with data, that must come through untouched.
      const bystanders = [await t.createTenant('pooled'), await t.createTenant('schema')];
      const bystanderPatients = await Promise.all(bystanders.map((b) => addPatients(b, 2)));
      const bystanderRefs = await Promise.all(bystanders.map((b) => t.services.tenants.bySlug(b.slug)));
      const bystanderCounts = await Promise.all(bystanderRefs.map((r) => tenantRowCounts(r!.id, r!.schema)));

      const body = newTenantBody(tier);
      const created = await op({ method: 'POST', url: '/platform/tenants', payload: body });
      assert.equal(created.statusCode, 201, created.body);
      const { id: tenantId, schema } = created.json().tenant as { id: string; schema: string };
      const session = await staffSession(body);
      const patientIds = await addPatients(session, 3);
      await fillSchedulingTables(t, (await t.services.tenants.bySlug(body.slug))!, patientIds[0]!);
      await fillBillingTables(t, (await t.services.tenants.bySlug(body.slug))!);
      await fillBrandingTables(t, (await t.services.tenants.bySlug(body.slug))!);
      await fillWebhookTables(t, (await t.services.tenants.bySlug(body.slug))!);
      await fillTemplatesTables(t, (await t.services.tenants.bySlug(body.slug))!);
      await fillFormTables(t, (await t.services.tenants.bySlug(body.slug))!);
      await fillWorkflowTables(t, (await t.services.tenants.bySlug(body.slug))!);
      await fillOnlineBookingTables(t, (await t.services.tenants.bySlug(body.slug))!);
      const before = await tenantRowCounts(tenantId, schema);
      assert.equal(before.patients, 3);
      assert.ok(Object.values(before).every((n) => n > 0), `every table holds rows before: ${JSON.stringify(before)}`);

      const del = await op({ method: 'DELETE', url: `/platform/tenants/${body.slug}` });
      assert.equal(del.statusCode, 200, del.body);
      const report = del.json();
      assert.equal(report.verified, true);
      assert.equal(report.tenant.id, tenantId);
      assert.ok(Object.keys(report.remaining).length > 0);
      for (const [table, n] of Object.entries(report.remaining)) assert.equal(n, 0, `remaining ${table}`);
      if (tier === 'pooled') {
        for (const table of TENANT_TABLES) assert.ok(table in report.remaining, `report covers ${table}`);
        assert.equal(report.rowsDeleted.patients, 3);
      } else {
        assert.equal(report.remaining.schema, 0);
      }

      // Gone for staff and operators alike.
      assertProblem(await login(body.slug, body.admin.email), 401, 'invalid_credentials');
      assertProblem(await op({ method: 'GET', url: `/platform/tenants/${tenantId}` }), 404, 'tenant_not_found');
      assertProblem(await op({ method: 'GET', url: `/platform/tenants/${body.slug}` }), 404, 'tenant_not_found');
      assertProblem(await t.api(session, session.adminToken, { method: 'GET', url: '/api/patients' }), 404, 'tenant_not_found');
      assertProblem(await op({ method: 'DELETE', url: `/platform/tenants/${tenantId}` }), 404, 'tenant_not_found');
      const list = (await op({ method: 'GET', url: '/platform/tenants' })).json().items as { id: string }[];
      assert.ok(!list.some((x) => x.id === tenantId));

      // Checked in the database itself, not only through the report.
      if (tier === 'pooled') {
        assert.deepEqual(await tenantRowCounts(tenantId, POOLED_SCHEMA), Object.fromEntries(TENANT_TABLES.map((x) => [x, 0])));
      } else {
        assert.equal(await schemaExists(schema), false, `schema ${schema} dropped`);
        const ledger = await asOwner(t.services.db, (tx) => tx.query('select 1 from platform.schema_migrations where schema_name = $1', [schema]));
        assert.equal(ledger.rowCount, 0);
      }
      const controlPlane = await asPlatform(t.services.db, (tx) =>
        tx.query<{ n: number }>(
          `select (select count(*) from tenants where id = $1) + (select count(*) from memberships where tenant_id = $1)
                + (select count(*) from refresh_tokens where tenant_id = $1) as n`,
          [tenantId],
        ),
      );
      assert.equal(Number(controlPlane.rows[0]!.n), 0);

      // The bystanders are untouched.
      for (const [i, b] of bystanders.entries()) {
        assert.deepEqual(await tenantRowCounts(bystanderRefs[i]!.id, bystanderRefs[i]!.schema), bystanderCounts[i]);
        const list = await t.api(b, b.adminToken, { method: 'GET', url: '/api/patients' });
        assert.equal(list.statusCode, 200);
        assert.deepEqual(list.json().items.map((p: { id: string }) => p.id).sort(), [...bystanderPatients[i]!].sort());
      }

      const actions = await operatorActions(tenantId);
      assert.deepEqual(actions.map((a) => a.action), ['tenant.create', 'tenant.delete']);
      assert.equal(actions[1]!.operator_id, operatorId);
      assert.equal(actions[1]!.request_id, del.headers['x-request-id']);
    });
  }
});

describe('operator authentication', () => {
  const routes: [InjectOptions['method'], string, unknown?][] = [
    ['POST', '/platform/tenants', {}],
    ['GET', '/platform/tenants'],
    ['GET', '/platform/tenants/some-slug'],
    ['POST', '/platform/tenants/some-slug/suspend', { reason: 'x' }],
    ['POST', '/platform/tenants/some-slug/reactivate'],
    ['DELETE', '/platform/tenants/some-slug'],
    ['GET', '/platform/migrations'],
  ];

  test('every operator route without a token answers 401 token_missing', async () => {
    for (const [method, url, payload] of routes) {
      const res = await t.app.inject({ method, url, ...(payload ? { payload: payload as object } : {}) });
      assertProblem(res, 401, 'token_missing');
      assert.match(String(res.headers['www-authenticate']), /^Bearer/);
    }
  });

  test('a staff token, even an admin’s, is not an operator token', async () => {
    const tenant = await t.createTenant();
    for (const [method, url, payload] of routes) {
      const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${tenant.adminToken}` }, ...(payload ? { payload: payload as object } : {}) });
      assertProblem(res, 401, 'token_invalid');
    }
    assertProblem(await t.app.inject({ method: 'GET', url: '/platform/tenants', headers: { authorization: 'Bearer not.a.jwt' } }), 401, 'token_invalid');
    // And an operator token opens no tenant route.
    assertProblem(await t.api(tenant, opToken, { method: 'GET', url: '/api/patients' }), 401, 'token_invalid');
  });
});
