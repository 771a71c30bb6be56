// Cross-tenant cases for the payment routes (see the meta test in test/cross-tenant.test.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { tenantRef } from './support/scheduling-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;
interface Practice {
  tenant: TestTenant;
  patientId: string;
  invoiceId: string;
}
type Case = (attacker: Practice, victim: Practice) => Promise<void>;

function as(p: Practice, method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}) {
  return t.api(p.tenant, p.tenant.adminToken, { method, url, headers, ...(payload ? { payload } : {}) });
}

async function practice(tier: 'pooled' | 'schema'): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  const p: Practice = { tenant, patientId: '', invoiceId: '' };
  const patient = await as(p, 'POST', '/api/patients', { firstName: 'Secret', lastName: tenant.slug, dateOfBirth: '1970-01-01' });
  assert.equal(patient.statusCode, 201, patient.body);
  p.patientId = patient.json().id;
  const draft = await as(p, 'POST', '/api/invoices', { patientId: p.patientId, lines: [{ description: `Secret ${tenant.slug}`, category: 'medical_service', unitPrice: 4242, quantity: '2' }] });
  assert.equal(draft.statusCode, 201, draft.body);
  p.invoiceId = draft.json().id;
  assert.equal((await as(p, 'POST', `/api/invoices/${p.invoiceId}/issue`)).statusCode, 200);
  const paid = await as(p, 'POST', `/api/invoices/${p.invoiceId}/payments`, { method: 'card', amount: 1000, reference: `ref-${tenant.slug}` });
  assert.equal(paid.statusCode, 201, paid.body);
  return p;
}

async function snapshot(p: Practice) {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) => ({
    payments: (await tx.query('select * from payments where tenant_id = $1 order by id', [tx.tenantId])).rows,
    invoices: (await tx.query('select id, status from invoices where tenant_id = $1 order by id', [tx.tenantId])).rows,
  }));
}

async function assertNotFound(res: Awaited<ReturnType<typeof as>>) {
  assert.equal(res.statusCode, 404, res.body);
  assert.equal(res.json().code, 'not_found');
}

const COVERAGE: Record<string, Case> = {
  'POST /api/invoices/{id}/payments': async (attacker, victim) => {
    await assertNotFound(await as(attacker, 'POST', `/api/invoices/${victim.invoiceId}/payments`, { method: 'cash', amount: 1 }));
    await assertNotFound(await as(attacker, 'POST', `/api/invoices/${victim.invoiceId}/payments`, { kind: 'refund', method: 'cash', amount: 1 }));
    await assertNotFound(await as(attacker, 'POST', `/api/invoices/${victim.invoiceId}/payments`, { method: 'cash', amount: 1 }, { 'idempotency-key': 'x-tenant-pay' }));
  },
  'GET /api/invoices/{id}/payments': async (attacker, victim) => {
    await assertNotFound(await as(attacker, 'GET', `/api/invoices/${victim.invoiceId}/payments`));
    const own = await as(attacker, 'GET', `/api/invoices/${attacker.invoiceId}/payments`);
    assert.equal(own.statusCode, 200, own.body);
    assert.ok(!own.body.includes(victim.tenant.slug));
  },
  'GET /api/patients/{id}/balance': async (attacker, victim) => {
    await assertNotFound(await as(attacker, 'GET', `/api/patients/${victim.patientId}/balance`));
    const own = await as(attacker, 'GET', `/api/patients/${attacker.patientId}/balance`);
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.json().paid, 1000);
    assert.ok(!own.body.includes(victim.invoiceId));
  },
};

before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

for (const [from, to] of [['pooled', 'pooled'], ['pooled', 'schema'], ['schema', 'pooled']] as const) {
  test(`${from} → ${to}: payment routes reveal and change nothing of the other practice`, async () => {
    const attacker = await practice(from);
    const victim = await practice(to);
    for (const [route, check] of Object.entries(COVERAGE)) {
      const before = await snapshot(victim);
      assert.equal(before.payments.length, 1);
      await check(attacker, victim);
      assert.deepEqual(await snapshot(victim), before, `${route} changed the victim's payments`);
    }
    const own = await as(victim, 'GET', `/api/invoices/${victim.invoiceId}/payments`);
    assert.equal(own.json().paid, 1000);
    assert.equal(own.json().items.length, 1);
  });
}
