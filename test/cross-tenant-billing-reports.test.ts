// Cross-tenant cases for the billing reports (see the meta test in test/cross-tenant.test.ts): the
// aging and the exports of one practice hold nothing of another's, and another practice's patient
// has no statement (404, exactly like a missing id).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { tenantRef } from './support/scheduling-fixtures.ts';
import { assertLikeMissing, NOWHERE } from './support/cross-tenant-kit.ts';
import { parseCsv } from './support/billing-report-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;
interface Practice {
  tenant: TestTenant;
  patientId: string;
  invoiceId: string;
  today: string;
}
type Case = (attacker: Practice, victim: Practice) => Promise<void>;

function as(p: Practice, method: 'GET' | 'POST', url: string, payload?: object) {
  return t.api(p.tenant, p.tenant.adminToken, { method, url, ...(payload ? { payload } : {}) });
}

async function practice(tier: 'pooled' | 'schema'): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  const p: Practice = { tenant, patientId: '', invoiceId: '', today: '' };
  const patient = await as(p, 'POST', '/api/patients', { firstName: 'Secret', lastName: tenant.slug, dateOfBirth: '1970-01-01' });
  assert.equal(patient.statusCode, 201, patient.body);
  p.patientId = patient.json().id;
  const draft = await as(p, 'POST', '/api/invoices', { patientId: p.patientId, lines: [{ description: `Secret ${tenant.slug}`, category: 'medical_service', unitPrice: 4242, quantity: '2' }] });
  assert.equal(draft.statusCode, 201, draft.body);
  p.invoiceId = draft.json().id;
  const issued = await as(p, 'POST', `/api/invoices/${p.invoiceId}/issue`);
  assert.equal(issued.statusCode, 200, issued.body);
  p.today = issued.json().issueDate;
  const paid = await as(p, 'POST', `/api/invoices/${p.invoiceId}/payments`, { method: 'card', amount: 1000, reference: `ref-${tenant.slug}` });
  assert.equal(paid.statusCode, 201, paid.body);
  return p;
}

async function snapshot(p: Practice) {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) => ({
    payments: (await tx.query('select * from payments where tenant_id = $1 order by id', [tx.tenantId])).rows,
    invoices: (await tx.query('select id, status from invoices where tenant_id = $1 order by id', [tx.tenantId])).rows,
    audit: (await tx.query('select id from audit_events where tenant_id = $1 order by id', [tx.tenantId])).rows,
  }));
}

/** A CSV export of the attacker over a wide period: exactly its own rows, nothing of the victim. */
async function ownExport(attacker: Practice, victim: Practice, url: string): Promise<string[][]> {
  const res = await as(attacker, 'GET', `${url}?from=2000-01-01&to=${attacker.today}`);
  assert.equal(res.statusCode, 200, res.body);
  assert.ok(!res.body.includes(victim.tenant.slug), 'no name, reference or description of the victim');
  assert.ok(res.body.includes(attacker.tenant.slug));
  return parseCsv(res.body);
}

const COVERAGE: Record<string, Case> = {
  'GET /api/billing/ar-aging': async (attacker, victim) => {
    const res = await as(attacker, 'GET', '/api/billing/ar-aging');
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(!res.body.includes(victim.patientId));
    assert.ok(!res.body.includes(victim.tenant.slug));
    assert.deepEqual(res.json().items.map((r: { patientId: string }) => r.patientId), [attacker.patientId]);
    assert.equal(res.json().total.amount, 8484 - 1000);
    assert.equal(res.json().total.invoiceCount, 1);
  },
  'GET /api/invoices/export.csv': async (attacker, victim) => {
    const records = await ownExport(attacker, victim, '/api/invoices/export.csv');
    assert.equal(records.length, 2, 'the header and the attacker’s one invoice');
    assert.equal(records[1]![10], '84.84');
  },
  'GET /api/payments/export.csv': async (attacker, victim) => {
    const records = await ownExport(attacker, victim, '/api/payments/export.csv');
    assert.equal(records.length, 2, 'the header and the attacker’s one payment');
    assert.equal(records[1]![8], `ref-${attacker.tenant.slug}`);
  },
  'GET /api/patients/{id}/statement': async (attacker, victim) => {
    assertLikeMissing(
      await as(attacker, 'GET', `/api/patients/${victim.patientId}/statement`),
      await as(attacker, 'GET', `/api/patients/${NOWHERE}/statement`),
    );
    const own = await as(attacker, 'GET', `/api/patients/${attacker.patientId}/statement`);
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.json().closingBalance, 8484 - 1000);
    assert.ok(!own.body.includes(victim.tenant.slug));
  },
};

before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

for (const [from, to] of [['pooled', 'pooled'], ['pooled', 'schema'], ['schema', 'pooled']] as const) {
  test(`${from} → ${to}: billing reports reveal and change nothing of the other practice`, async () => {
    const attacker = await practice(from);
    const victim = await practice(to);
    for (const [route, check] of Object.entries(COVERAGE)) {
      const before = await snapshot(victim);
      await check(attacker, victim);
      assert.deepEqual(await snapshot(victim), before, `${route} changed the victim's data or audit trail`);
    }
  });
}
