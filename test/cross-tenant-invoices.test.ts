// Cross-tenant cases for the invoice routes (see the meta test in test/cross-tenant.test.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { tenantRef } from './support/scheduling-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;
interface Practice {
  tenant: TestTenant;
  patientId: string;
  itemId: string;
  draftId: string;
  issuedId: string;
  issuedNumber: string;
}
type Case = (attacker: Practice, victim: Practice) => Promise<void>;

function as(p: Practice, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: object) {
  return t.api(p.tenant, p.tenant.adminToken, { method, url, ...(payload ? { payload } : {}) });
}

async function practice(tier: 'pooled' | 'schema'): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  const p: Practice = { tenant, patientId: '', itemId: '', draftId: '', issuedId: '', issuedNumber: '' };
  assert.equal((await as(p, 'PUT', '/api/billing/settings', { currency: 'USD', invoiceNumberFormat: `${tenant.slug}-{SEQ}` })).statusCode, 200);
  const patient = await as(p, 'POST', '/api/patients', { firstName: 'Secret', lastName: tenant.slug, dateOfBirth: '1970-01-01' });
  assert.equal(patient.statusCode, 201, patient.body);
  p.patientId = patient.json().id;
  const item = await as(p, 'POST', '/api/price-items', { code: 'SECRET', description: `Secret ${tenant.slug}`, category: 'medical_service', kind: 'service' });
  assert.equal(item.statusCode, 201, item.body);
  p.itemId = item.json().id;
  assert.equal((await as(p, 'POST', `/api/price-items/${p.itemId}/prices`, { unitPrice: 4242, effectiveFrom: '2020-01-01' })).statusCode, 201);
  const body = { patientId: p.patientId, lines: [{ priceItemId: p.itemId, quantity: '2' }] };
  const draft = await as(p, 'POST', '/api/invoices', body);
  assert.equal(draft.statusCode, 201, draft.body);
  p.draftId = draft.json().id;
  const issued = await as(p, 'POST', '/api/invoices', body);
  p.issuedId = issued.json().id;
  const done = await as(p, 'POST', `/api/invoices/${p.issuedId}/issue`);
  assert.equal(done.statusCode, 200, done.body);
  p.issuedNumber = done.json().number;
  return p;
}

async function snapshot(p: Practice) {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) => ({
    invoices: (await tx.query('select * from invoices where tenant_id = $1 order by id', [tx.tenantId])).rows,
    counters: (await tx.query('select * from counters where tenant_id = $1 order by name', [tx.tenantId])).rows,
  }));
}

async function assertNotFound(res: Awaited<ReturnType<typeof as>>) {
  assert.equal(res.statusCode, 404, res.body);
  assert.equal(res.json().code, 'not_found');
}

function assertFieldError(res: Awaited<ReturnType<typeof as>>, field: string) {
  assert.equal(res.statusCode, 400, res.body);
  assert.equal(res.json().code, 'validation_failed');
  assert.ok(res.json().errors.some((e: { field: string }) => e.field === field), res.body);
}

const COVERAGE: Record<string, Case> = {
  'POST /api/invoices': async (attacker, victim) => {
    assertFieldError(await as(attacker, 'POST', '/api/invoices', { patientId: victim.patientId, lines: [{ priceItemId: attacker.itemId, quantity: '1' }] }), 'patientId');
    assertFieldError(await as(attacker, 'POST', '/api/invoices', { patientId: attacker.patientId, lines: [{ priceItemId: victim.itemId, quantity: '1' }] }), 'lines[0].priceItemId');
    const own = await as(attacker, 'POST', '/api/invoices', { patientId: attacker.patientId, lines: [{ priceItemId: attacker.itemId, quantity: '1' }] });
    assert.equal(own.statusCode, 201, own.body);
  },
  'GET /api/invoices': async (attacker, victim) => {
    for (const url of ['/api/invoices', `/api/invoices?patientId=${victim.patientId}`, '/api/invoices?status=issued']) {
      const res = await as(attacker, 'GET', url);
      assert.equal(res.statusCode, 200, res.body);
      const ids = res.json().items.map((i: { id: string }) => i.id);
      assert.ok(!ids.includes(victim.draftId) && !ids.includes(victim.issuedId));
      assert.ok(!res.body.includes(victim.tenant.slug));
    }
  },
  'GET /api/invoices/{id}': async (attacker, victim) => {
    await assertNotFound(await as(attacker, 'GET', `/api/invoices/${victim.draftId}`));
    await assertNotFound(await as(attacker, 'GET', `/api/invoices/${victim.issuedId}`));
  },
  'PATCH /api/invoices/{id}': async (attacker, victim) => {
    await assertNotFound(await as(attacker, 'PATCH', `/api/invoices/${victim.draftId}`, { lines: [{ priceItemId: attacker.itemId, quantity: '9' }] }));
  },
  'POST /api/invoices/{id}/issue': async (attacker, victim) => {
    await assertNotFound(await as(attacker, 'POST', `/api/invoices/${victim.draftId}/issue`));
  },
  'POST /api/invoices/{id}/void': async (attacker, victim) => {
    await assertNotFound(await as(attacker, 'POST', `/api/invoices/${victim.issuedId}/void`, { reason: 'Hijack' }));
  },
  'POST /api/invoices/{id}/credit-notes': async (attacker, victim) => {
    await assertNotFound(await as(attacker, 'POST', `/api/invoices/${victim.issuedId}/credit-notes`, { lines: [{ line: 0, quantity: '2' }] }));
  },
};

before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

for (const [from, to] of [['pooled', 'pooled'], ['pooled', 'schema'], ['schema', 'pooled']] as const) {
  test(`${from} → ${to}: invoice routes reveal and change nothing of the other practice`, async () => {
    const attacker = await practice(from);
    const victim = await practice(to);
    for (const [route, check] of Object.entries(COVERAGE)) {
      const before = await snapshot(victim);
      await check(attacker, victim);
      assert.deepEqual(await snapshot(victim), before, `${route} changed the victim's invoices`);
    }
    const own = await as(victim, 'GET', `/api/invoices/${victim.issuedId}`);
    assert.equal(own.json().number, victim.issuedNumber);
  });
}
