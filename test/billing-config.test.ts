/**
 * The billing configuration API: settings, the price list with dated price versions, and the tax
 * configuration. Prices never change in place, rates round-trip exactly, validation names fields,
 * reads need `billing:read`, writes `settings:manage`, and every write leaves an audit event.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { PASSWORD, startTestApp, type TestApp, type TestTenant } from './support/harness.ts';

let t: TestApp;
let tenant: TestTenant;
let deskToken: string;
let billingToken: string;

async function addStaff(role: string): Promise<string> {
  const email = `${role}@${tenant.slug}.test`;
  const res = await t.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/staff', payload: { email, name: role, password: PASSWORD, roles: [role] } });
  assert.equal(res.statusCode, 201, res.body);
  const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: tenant.slug, email, password: PASSWORD } });
  assert.equal(login.statusCode, 200, login.body);
  return login.json().accessToken;
}

before(async () => {
  t = await startTestApp();
  tenant = await t.createTenant('pooled');
  deskToken = await addStaff('front_desk');
  billingToken = await addStaff('billing');
});
after(async () => {
  await t.close();
});

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';

function admin(method: Method, url: string, payload?: unknown, query?: Record<string, string>): Promise<LightMyRequestResponse> {
  return t.api(tenant, tenant.adminToken, { method, url, ...(payload !== undefined ? { payload: payload as object } : {}), ...(query ? { query } : {}) });
}

function assertFieldError(res: LightMyRequestResponse, field: string, message?: RegExp): void {
  assert.equal(res.statusCode, 400, res.body);
  const body = res.json();
  assert.equal(body.code, 'validation_failed');
  const hit = (body.errors as { field: string; message: string }[]).find((e) => e.field === field);
  assert.ok(hit, `expected an error on ${field}, got ${JSON.stringify(body.errors)}`);
  if (message) assert.match(hit.message, message);
}

async function auditActions(): Promise<string[]> {
  const res = await admin('GET', '/api/audit-events', undefined, { limit: '100' });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items.map((e: { action: string }) => e.action);
}

let codeSeq = 0;
async function newItem(overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await admin('POST', '/api/price-items', { code: `CODE-${++codeSeq}`, description: 'Office visit', category: 'medical_service', kind: 'service', ...overrides });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

describe('billing settings', () => {
  test('defaults until saved, then a replace round-trips and is audited', async () => {
    const first = await admin('GET', '/api/billing/settings');
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(first.json(), {
      currency: 'USD', pricesIncludeTax: false, roundingMode: 'half_up', roundingLevel: 'line', invoiceNumberFormat: 'INV-{YYYY}-{SEQ:5}', taxIds: [], autoInvoice: 'off', updatedAt: null,
    });
    const body = { currency: 'EUR', pricesIncludeTax: true, roundingMode: 'half_even', roundingLevel: 'invoice', invoiceNumberFormat: 'R{YYYY}/{SEQ}', taxIds: [{ label: 'VAT', value: 'DE123456789' }], autoInvoice: 'issue' };
    const put = await admin('PUT', '/api/billing/settings', body);
    assert.equal(put.statusCode, 200, put.body);
    const { updatedAt, ...rest } = put.json();
    assert.deepEqual(rest, body);
    assert.ok(typeof updatedAt === 'string');
    assert.deepEqual((await admin('GET', '/api/billing/settings')).json(), put.json());
    assert.ok((await auditActions()).includes('billing_settings.update'));
    // Keys left out return to the defaults.
    const reset = await admin('PUT', '/api/billing/settings', { currency: 'USD' });
    assert.equal(reset.json().roundingMode, 'half_up');
    assert.deepEqual(reset.json().taxIds, []);
    assert.equal(reset.json().autoInvoice, 'off');
  });

  test('refuses an unknown currency and a number format without {SEQ}, naming the fields', async () => {
    assertFieldError(await admin('PUT', '/api/billing/settings', { currency: 'XYZ' }), 'currency', /supported/);
    assertFieldError(await admin('PUT', '/api/billing/settings', { currency: 'USD', invoiceNumberFormat: 'INV-{YYYY}' }), 'invoiceNumberFormat', /\{SEQ\}/);
  });
});

describe('price items', () => {
  test('create, read, list, patch; duplicate code is 409 already_exists; all audited', async () => {
    const id = await newItem({ code: 'VISIT-99213', description: '  Established patient visit ' });
    const got = await admin('GET', `/api/price-items/${id}`);
    assert.equal(got.statusCode, 200, got.body);
    assert.equal(got.json().description, 'Established patient visit');
    assert.equal(got.json().kind, 'service');
    assert.equal(got.json().active, true);
    assert.deepEqual(got.json().versions, []);

    const dup = await admin('POST', '/api/price-items', { code: 'VISIT-99213', description: 'x', category: 'medical_service', kind: 'service' });
    assert.equal(dup.statusCode, 409, dup.body);
    assert.equal(dup.json().code, 'already_exists');

    const patched = await admin('PATCH', `/api/price-items/${id}`, { description: 'Visit, 20 min', category: 'retail_product', active: false });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().description, 'Visit, 20 min');
    assert.equal(patched.json().category, 'retail_product');
    assert.equal(patched.json().active, false);
    assert.equal(patched.json().code, 'VISIT-99213');

    const list = await admin('GET', '/api/price-items');
    assert.ok(list.json().items.some((i: { id: string; active: boolean }) => i.id === id && !i.active));
    const activeOnly = await admin('GET', '/api/price-items', undefined, { active: 'true' });
    assert.ok(!activeOnly.json().items.some((i: { id: string }) => i.id === id));

    const actions = await auditActions();
    assert.ok(actions.includes('price_item.create') && actions.includes('price_item.update'));
    assert.equal((await admin('GET', '/api/price-items/00000000-0000-4000-8000-000000000000')).statusCode, 404);
    assert.equal((await admin('GET', '/api/price-items/not-a-uuid')).statusCode, 404);
  });

  test('a new price closes the previous open version of its level the day before', async () => {
    const id = await newItem();
    const p1 = await admin('POST', `/api/price-items/${id}/prices`, { unitPrice: 10000, currency: 'USD', effectiveFrom: '2030-01-01' });
    assert.equal(p1.statusCode, 201, p1.body);
    const p2 = await admin('POST', `/api/price-items/${id}/prices`, { unitPrice: 12550, currency: 'USD', effectiveFrom: '2030-03-01' });
    assert.equal(p2.statusCode, 201, p2.body);
    const selfPay = await admin('POST', `/api/price-items/${id}/prices`, { priceLevel: 'self_pay', unitPrice: 9000, currency: 'USD', effectiveFrom: '2030-02-01' });
    assert.equal(selfPay.statusCode, 201, selfPay.body);
    const versions = selfPay.json().versions.map(({ id: _id, ...v }: Record<string, unknown>) => v);
    assert.deepEqual(versions, [
      { priceLevel: 'self_pay', unitPrice: 9000, currency: 'USD', effectiveFrom: '2030-02-01', effectiveTo: null },
      { priceLevel: 'standard', unitPrice: 10000, currency: 'USD', effectiveFrom: '2030-01-01', effectiveTo: '2030-02-28' },
      { priceLevel: 'standard', unitPrice: 12550, currency: 'USD', effectiveFrom: '2030-03-01', effectiveTo: null },
    ]);
    assert.deepEqual((await admin('GET', `/api/price-items/${id}`)).json().versions, selfPay.json().versions);
    assert.ok((await auditActions()).includes('price_item.price_add'));
  });

  test('refuses a price on or before the latest version, and bad amounts and currencies', async () => {
    const id = await newItem();
    assert.equal((await admin('POST', `/api/price-items/${id}/prices`, { unitPrice: 500, effectiveFrom: '2030-05-01' })).statusCode, 201);
    assertFieldError(await admin('POST', `/api/price-items/${id}/prices`, { unitPrice: 600, effectiveFrom: '2030-05-01' }), 'effectiveFrom', /after 2030-05-01/);
    assertFieldError(await admin('POST', `/api/price-items/${id}/prices`, { unitPrice: 600, effectiveFrom: '2030-04-01' }), 'effectiveFrom');
    assertFieldError(await admin('POST', `/api/price-items/${id}/prices`, { unitPrice: 600, currency: 'ABC', effectiveFrom: '2030-06-01' }), 'currency');
    const fraction = await admin('POST', `/api/price-items/${id}/prices`, { unitPrice: 6.5, effectiveFrom: '2030-06-01' });
    assert.equal(fraction.statusCode, 400, fraction.body);
    assert.equal(fraction.json().code, 'validation_failed');
    assert.match(JSON.stringify(fraction.json().errors), /unitPrice/);
    // Nothing was added or closed by the refusals.
    const versions = (await admin('GET', `/api/price-items/${id}`)).json().versions;
    assert.equal(versions.length, 1);
    assert.equal(versions[0].effectiveTo, null);
    assert.equal(versions[0].currency, 'USD', 'the practice currency by default');
  });

  test('asOf picks the version in force on each side of a change date', async () => {
    const id = await newItem();
    const unpriced = await newItem();
    await admin('POST', `/api/price-items/${id}/prices`, { unitPrice: 10000, currency: 'USD', effectiveFrom: '2031-01-01' });
    await admin('POST', `/api/price-items/${id}/prices`, { unitPrice: 11000, currency: 'USD', effectiveFrom: '2031-07-01' });
    await admin('POST', `/api/price-items/${id}/prices`, { priceLevel: 'insurance', unitPrice: 8000, currency: 'USD', effectiveFrom: '2031-01-01' });
    const priceOn = async (asOf: string, priceLevel?: string) => {
      const res = await admin('GET', '/api/price-items', undefined, { asOf, ...(priceLevel ? { priceLevel } : {}) });
      assert.equal(res.statusCode, 200, res.body);
      const items = res.json().items as { id: string; price: unknown }[];
      assert.equal(items.find((i) => i.id === unpriced)!.price, null);
      return items.find((i) => i.id === id)!.price;
    };
    assert.equal(await priceOn('2030-12-31'), null);
    assert.deepEqual(await priceOn('2031-01-01'), { unitPrice: 10000, currency: 'USD', effectiveFrom: '2031-01-01' });
    assert.deepEqual(await priceOn('2031-06-30'), { unitPrice: 10000, currency: 'USD', effectiveFrom: '2031-01-01' });
    assert.deepEqual(await priceOn('2031-07-01'), { unitPrice: 11000, currency: 'USD', effectiveFrom: '2031-07-01' });
    assert.deepEqual(await priceOn('2040-01-01'), { unitPrice: 11000, currency: 'USD', effectiveFrom: '2031-07-01' });
    assert.deepEqual(await priceOn('2031-08-01', 'insurance'), { unitPrice: 8000, currency: 'USD', effectiveFrom: '2031-01-01' });
    assert.equal(await priceOn('2031-08-01', 'self_pay'), null);
    const plain = await admin('GET', '/api/price-items');
    assert.ok(plain.json().items.every((i: Record<string, unknown>) => !('price' in i)), 'no price without asOf');
  });

  test('create validation names fields', async () => {
    const res = await admin('POST', '/api/price-items', { code: 'X1', description: 'x', category: 'medical_service', kind: 'gift' });
    assert.equal(res.statusCode, 400, res.body);
    assert.match(JSON.stringify(res.json().errors), /kind/);
    const noBody = await admin('PATCH', `/api/price-items/${await newItem()}`, {});
    assert.equal(noBody.statusCode, 400, noBody.body);
  });
});

describe('tax configuration', () => {
  const config = {
    jurisdictions: [
      { code: 'US-NY', name: 'New York State', rates: [{ ratePercent: '4', effectiveFrom: '2020-01-01' }], exemptCategories: ['medical_service'], compound: false },
      {
        code: 'NYC',
        name: 'New York City',
        rates: [
          { ratePercent: '4.5', effectiveFrom: '2020-01-01', effectiveTo: '2025-12-31' },
          { ratePercent: '8.875', effectiveFrom: '2026-01-01' },
        ],
        exemptCategories: [],
        compound: true,
      },
      { code: 'MCTD', name: 'Metropolitan commuter', rates: [{ ratePercent: '0.00375', effectiveFrom: '2020-01-01' }], exemptCategories: ['medical_service', 'retail_product'], compound: false },
    ],
  };

  test('empty at first; a replace round-trips exactly ("8.875" stays "8.875") and is audited', async () => {
    assert.deepEqual((await admin('GET', '/api/tax/jurisdictions')).json(), { jurisdictions: [] });
    const put = await admin('PUT', '/api/tax/jurisdictions', config);
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json(), config);
    const got = await admin('GET', '/api/tax/jurisdictions');
    assert.deepEqual(got.json(), config);
    assert.equal(got.json().jurisdictions[1].rates[1].ratePercent, '8.875');
    assert.ok((await auditActions()).includes('tax_configuration.replace'));

    // Replacing replaces: one jurisdiction left, compound defaults to false, trailing zeros normalised.
    const smaller = { jurisdictions: [{ code: 'US-NY', name: 'NY', rates: [{ ratePercent: '7.250', effectiveFrom: '2020-01-01' }], exemptCategories: [] }] };
    const again = await admin('PUT', '/api/tax/jurisdictions', smaller);
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual(again.json(), { jurisdictions: [{ code: 'US-NY', name: 'NY', rates: [{ ratePercent: '7.25', effectiveFrom: '2020-01-01' }], exemptCategories: [], compound: false }] });
    assert.equal((await admin('PUT', '/api/tax/jurisdictions', config)).statusCode, 200);
  });

  test('validation names fields and changes nothing', async () => {
    const before = (await admin('GET', '/api/tax/jurisdictions')).json();
    const dup = { jurisdictions: [config.jurisdictions[0], { ...config.jurisdictions[0], name: 'Again' }] };
    assertFieldError(await admin('PUT', '/api/tax/jurisdictions', dup), 'jurisdictions[1].code', /duplicates/);
    const overlap = { jurisdictions: [{ ...config.jurisdictions[0], rates: [{ ratePercent: '4', effectiveFrom: '2020-01-01' }, { ratePercent: '5', effectiveFrom: '2021-01-01' }] }] };
    assertFieldError(await admin('PUT', '/api/tax/jurisdictions', overlap), 'jurisdictions[0].rates[1].effectiveFrom', /overlaps/);
    const precise = { jurisdictions: [{ ...config.jurisdictions[0], rates: [{ ratePercent: '8.8750001', effectiveFrom: '2020-01-01' }] }] };
    assertFieldError(await admin('PUT', '/api/tax/jurisdictions', precise), 'jurisdictions[0].rates[0].ratePercent', /5 decimals/);
    const negative = { jurisdictions: [{ ...config.jurisdictions[0], rates: [{ ratePercent: '-1', effectiveFrom: '2020-01-01' }] }] };
    assertFieldError(await admin('PUT', '/api/tax/jurisdictions', negative), 'jurisdictions[0].rates[0].ratePercent');
    assert.deepEqual((await admin('GET', '/api/tax/jurisdictions')).json(), before);
  });
});

describe('permissions', () => {
  const writes: [Method, string, unknown][] = [
    ['PUT', '/api/billing/settings', { currency: 'USD' }],
    ['POST', '/api/price-items', { code: 'DESK-1', description: 'x', category: 'medical_service', kind: 'service' }],
    ['PUT', '/api/tax/jurisdictions', { jurisdictions: [] }],
  ];

  test('front desk can neither read nor write billing configuration', async () => {
    const id = await newItem();
    for (const [method, url, payload] of [
      ...writes,
      ['PATCH', `/api/price-items/${id}`, { active: false }],
      ['POST', `/api/price-items/${id}/prices`, { unitPrice: 1, effectiveFrom: '2030-01-01' }],
      ['GET', '/api/billing/settings', undefined],
      ['GET', '/api/price-items', undefined],
      ['GET', '/api/tax/jurisdictions', undefined],
    ] as [Method, string, unknown][]) {
      const res = await t.api(tenant, deskToken, { method, url, ...(payload !== undefined ? { payload: payload as object } : {}) });
      assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
      assert.equal(res.json().code, 'permission_denied');
    }
    assert.deepEqual((await admin('GET', `/api/price-items/${id}`)).json().versions, []);
  });

  test('the billing role reads everything but cannot change the configuration', async () => {
    const id = await newItem();
    for (const url of ['/api/billing/settings', '/api/price-items', `/api/price-items/${id}`, '/api/tax/jurisdictions']) {
      const res = await t.api(tenant, billingToken, { method: 'GET', url });
      assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    }
    for (const [method, url, payload] of writes) {
      const res = await t.api(tenant, billingToken, { method, url, payload: payload as object });
      assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
    }
  });
});
