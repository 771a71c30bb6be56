// Cross-tenant cases for the billing configuration routes (see the meta test in test/cross-tenant.test.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { tenantRef } from './support/scheduling-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;
interface Practice {
  tenant: TestTenant;
  itemId: string;
  code: string;
  jurisdictionCode: string;
}
type Case = (attacker: Practice, victim: Practice) => Promise<void>;

let n = 0;
async function practice(tier: 'pooled' | 'schema'): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  const api = (method: 'POST' | 'PUT', url: string, payload: object) => t.api(tenant, tenant.adminToken, { method, url, payload });
  const code = `ITEM-${tier}-${++n}`;
  const jurisdictionCode = `J-${tenant.slug}`;
  assert.equal((await api('PUT', '/api/billing/settings', { currency: 'GBP', invoiceNumberFormat: `${tenant.slug}-{SEQ}` })).statusCode, 200);
  const item = await api('POST', '/api/price-items', { code, description: `Secret ${tenant.slug}`, category: 'medical_service', kind: 'service' });
  assert.equal(item.statusCode, 201, item.body);
  assert.equal((await api('POST', `/api/price-items/${item.json().id}/prices`, { unitPrice: 4242, effectiveFrom: '2030-01-01' })).statusCode, 201);
  const tax = await api('PUT', '/api/tax/jurisdictions', { jurisdictions: [{ code: jurisdictionCode, name: 'Secret tax', rates: [{ ratePercent: '1.23', effectiveFrom: '2020-01-01' }], exemptCategories: [] }] });
  assert.equal(tax.statusCode, 200, tax.body);
  return { tenant, itemId: item.json().id, code, jurisdictionCode };
}

async function snapshot(p: Practice) {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) => {
    const rows: Record<string, unknown[]> = {};
    for (const table of ['billing_settings', 'price_items', 'price_item_versions', 'tax_jurisdictions', 'tax_rates']) {
      rows[table] = (await tx.query(`select * from ${table} where tenant_id = $1 order by 1, 2`, [tx.tenantId])).rows;
    }
    return rows;
  });
}

function as(attacker: Practice, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: object) {
  return t.api(attacker.tenant, attacker.tenant.adminToken, { method, url, ...(payload ? { payload } : {}) });
}

async function assertNotFound(res: Awaited<ReturnType<typeof as>>) {
  assert.equal(res.statusCode, 404, res.body);
  assert.equal(res.json().code, 'not_found');
}

const COVERAGE: Record<string, Case> = {
  'GET /api/billing/settings': async (attacker, victim) => {
    const res = await as(attacker, 'GET', '/api/billing/settings');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().invoiceNumberFormat, `${attacker.tenant.slug}-{SEQ}`);
    assert.ok(!res.body.includes(victim.tenant.slug));
  },
  'PUT /api/billing/settings': async (attacker, victim) => {
    const res = await as(attacker, 'PUT', '/api/billing/settings', { currency: 'GBP', invoiceNumberFormat: `${attacker.tenant.slug}-{SEQ}` });
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(!res.body.includes(victim.tenant.slug));
  },
  'GET /api/price-items': async (attacker, victim) => {
    for (const url of ['/api/price-items', '/api/price-items?asOf=2030-06-01']) {
      const res = await as(attacker, 'GET', url);
      assert.equal(res.statusCode, 200, res.body);
      const ids = res.json().items.map((i: { id: string }) => i.id);
      assert.ok(ids.includes(attacker.itemId));
      assert.ok(!ids.includes(victim.itemId));
      assert.ok(!res.body.includes(victim.code));
    }
  },
  'POST /api/price-items': async (attacker, victim) => {
    // The victim's code is free in the attacker's practice: codes are unique per practice only.
    const res = await as(attacker, 'POST', '/api/price-items', { code: victim.code, description: 'Mine', category: 'medical_service', kind: 'product' });
    assert.equal(res.statusCode, 201, res.body);
    assert.notEqual(res.json().id, victim.itemId);
  },
  'GET /api/price-items/{id}': async (attacker, victim) => {
    await assertNotFound(await as(attacker, 'GET', `/api/price-items/${victim.itemId}`));
  },
  'PATCH /api/price-items/{id}': async (attacker, victim) => {
    await assertNotFound(await as(attacker, 'PATCH', `/api/price-items/${victim.itemId}`, { description: 'Hijacked', active: false }));
  },
  'POST /api/price-items/{id}/prices': async (attacker, victim) => {
    await assertNotFound(await as(attacker, 'POST', `/api/price-items/${victim.itemId}/prices`, { unitPrice: 1, effectiveFrom: '2031-01-01' }));
  },
  'GET /api/tax/jurisdictions': async (attacker, victim) => {
    const res = await as(attacker, 'GET', '/api/tax/jurisdictions');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().jurisdictions.map((j: { code: string }) => j.code), [attacker.jurisdictionCode]);
    assert.ok(!res.body.includes(victim.jurisdictionCode));
  },
  'PUT /api/tax/jurisdictions': async (attacker, victim) => {
    // Replacing one's own configuration (even reusing the victim's code) leaves the victim's alone.
    const res = await as(attacker, 'PUT', '/api/tax/jurisdictions', {
      jurisdictions: [{ code: attacker.jurisdictionCode, name: 'Secret tax', rates: [{ ratePercent: '1.23', effectiveFrom: '2020-01-01' }], exemptCategories: [] }],
    });
    assert.equal(res.statusCode, 200, res.body);
    const reuse = await as(attacker, 'PUT', '/api/tax/jurisdictions', {
      jurisdictions: [{ code: victim.jurisdictionCode, name: 'Copy', rates: [{ ratePercent: '2', effectiveFrom: '2020-01-01' }], exemptCategories: [] }],
    });
    assert.equal(reuse.statusCode, 200, reuse.body);
    assert.equal((await as(attacker, 'PUT', '/api/tax/jurisdictions', res.json())).statusCode, 200);
  },
};

before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

for (const [from, to] of [['pooled', 'pooled'], ['pooled', 'schema'], ['schema', 'pooled']] as const) {
  test(`${from} → ${to}: billing configuration routes reveal and change nothing of the other practice`, async () => {
    const attacker = await practice(from);
    const victim = await practice(to);
    for (const [route, check] of Object.entries(COVERAGE)) {
      const before = await snapshot(victim);
      await check(attacker, victim);
      assert.deepEqual(await snapshot(victim), before, `${route} changed the victim's billing configuration`);
    }
  });
}
