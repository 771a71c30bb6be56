/**
 * Invoices from appointments across practices: another practice's appointment answers 404 exactly
 * like a missing one, with or without an idempotency key, and nothing is created in either practice;
 * the invoice list filtered by the other practice's appointment is empty. The meta test in
 * cross-tenant.test.ts reads the COVERAGE keys below.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { DateTime } from 'luxon';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { NOWHERE, assertLikeMissing, runCoveragePairs, type CrossTenantCase } from './support/cross-tenant-kit.ts';
import { bookablePractice, tenantRef } from './support/scheduling-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;

const ZONE = 'America/New_York';

interface Practice {
  readonly tenant: TestTenant;
  /** A checked-in visit whose type names a priced item: billable by its own practice. */
  readonly appointmentId: string;
}

const practices: Record<'A' | 'B' | 'C', Practice> = {} as never;

function call(p: Practice | TestTenant, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const tenant = 'tenant' in p ? p.tenant : p;
  return t.api(tenant, tenant.adminToken, { method, url, headers, ...(payload ? { payload } : {}) });
}

async function makePractice(tier: 'pooled' | 'schema'): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  const { typeId, providerId, locationId, patientId } = await bookablePractice(t, tenant, ZONE);
  const item = await call(tenant, 'POST', '/api/price-items', { code: 'VISIT', description: `Visit ${tenant.slug}`, category: 'medical_service', kind: 'service' });
  assert.equal(item.statusCode, 201, item.body);
  assert.equal((await call(tenant, 'POST', `/api/price-items/${item.json().id}/prices`, { unitPrice: 7000, effectiveFrom: '2020-01-01' })).statusCode, 201);
  assert.equal((await call(tenant, 'PATCH', `/api/appointment-types/${typeId}`, { priceItemCode: 'VISIT' })).statusCode, 200);
  const start = DateTime.now().setZone(ZONE).startOf('week').plus({ weeks: 3 }).set({ hour: 10 }).toISO({ suppressMilliseconds: true })!;
  const booked = await call(tenant, 'POST', '/api/appointments', { patientId, typeId, providerId, locationId, start });
  assert.equal(booked.statusCode, 201, booked.body);
  assert.equal((await call(tenant, 'POST', `/api/appointments/${booked.json().id}/check-in`)).statusCode, 200);
  return { tenant, appointmentId: booked.json().id };
}

/** The practice's invoices and idempotency keys, read straight from its tables. */
async function snapshot(p: Practice): Promise<unknown> {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) => ({
    invoices: (await tx.query('select * from invoices where tenant_id = $1 order by id', [tx.tenantId])).rows,
    idempotency: (await tx.query('select scope, key from idempotency_keys where tenant_id = $1 order by scope, key', [tx.tenantId])).rows,
    appointments: (await tx.query('select id, status, version from appointments where tenant_id = $1 order by id', [tx.tenantId])).rows,
  }));
}

const COVERAGE: Record<string, CrossTenantCase<Practice>> = {
  'POST /api/appointments/{id}/invoice': async (attacker, victim) => {
    const before = { attacker: await snapshot(attacker), victim: await snapshot(victim) };
    const theirs = `/api/appointments/${victim.appointmentId}/invoice`;
    const nowhere = `/api/appointments/${NOWHERE}/invoice`;
    assertLikeMissing(await call(attacker, 'POST', theirs), await call(attacker, 'POST', nowhere));
    const key = { 'idempotency-key': `x-${victim.tenant.slug}` };
    assertLikeMissing(await call(attacker, 'POST', theirs, undefined, key), await call(attacker, 'POST', nowhere, undefined, key));
    const listed = await call(attacker, 'GET', `/api/invoices?appointmentId=${victim.appointmentId}`);
    assert.equal(listed.statusCode, 200, listed.body);
    assert.deepEqual(listed.json().items, []);
    assert.deepEqual(await snapshot(attacker), before.attacker, 'nothing created in the attacker’s practice');
    assert.deepEqual(await snapshot(victim), before.victim, 'nothing created in the victim’s practice');
  },
};

before(async () => {
  t = await startTestApp();
  practices.A = await makePractice('pooled');
  practices.B = await makePractice('pooled');
  practices.C = await makePractice('schema');
});
after(async () => {
  await t.close();
});

runCoveragePairs(practices, COVERAGE, [
  ['A', 'B', 'pooled → pooled'],
  ['A', 'C', 'pooled → schema'],
  ['C', 'A', 'schema → pooled'],
]);

test('each practice can still bill its own visit once', async () => {
  for (const p of Object.values(practices)) {
    const res = await call(p, 'POST', `/api/appointments/${p.appointmentId}/invoice`);
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().appointmentId, p.appointmentId);
    assert.ok(res.json().inputs.lines[0].description.startsWith('Visit'), res.body);
  }
});
