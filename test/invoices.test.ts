/**
 * Invoices: drafts computed live, issue freezes the document and takes a gapless number, issued
 * documents never change (in code or in the database), idempotent issue, credit notes and void.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { PASSWORD, startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { tenantRef } from './support/scheduling-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';

interface Practice {
  tenant: TestTenant;
  patientId: string;
  itemId: string;
}

function call(p: Practice, method: Method, url: string, payload?: unknown, headers: Record<string, string> = {}, token = p.tenant.adminToken): Promise<LightMyRequestResponse> {
  return t.api(p.tenant, token, { method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
}

const TAX = (ratePercent: string) => ({
  jurisdictions: [{ code: 'US-NY', name: 'New York State sales tax', rates: [{ ratePercent, effectiveFrom: '2020-01-01' }], exemptCategories: ['medical_service'] }],
});

async function practice(): Promise<Practice> {
  const tenant = await t.createTenant('pooled');
  const p = { tenant, patientId: '', itemId: '' };
  const patient = await call(p, 'POST', '/api/patients', { firstName: 'Ivy', lastName: 'Invoice', dateOfBirth: '1980-02-03' });
  assert.equal(patient.statusCode, 201, patient.body);
  const item = await call(p, 'POST', '/api/price-items', { code: 'BRACE', description: 'Knee brace', category: 'retail_product', kind: 'product' });
  assert.equal(item.statusCode, 201, item.body);
  assert.equal((await call(p, 'POST', `/api/price-items/${item.json().id}/prices`, { unitPrice: 1200, effectiveFrom: '2020-01-01' })).statusCode, 201);
  assert.equal((await call(p, 'PUT', '/api/tax/jurisdictions', TAX('8.875'))).statusCode, 200);
  return { tenant, patientId: patient.json().id, itemId: item.json().id };
}

async function draft(p: Practice, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call(p, 'POST', '/api/invoices', {
    patientId: p.patientId,
    lines: [
      { priceItemId: p.itemId, quantity: '2' },
      { description: 'Consultation', category: 'medical_service', unitPrice: 15000, quantity: '1', discounts: [{ kind: 'percent', value: '10', reason: 'Loyalty' }] },
    ],
    ...extra,
  });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.json().status, 'draft');
  assert.equal(res.json().number, null);
  return res.json().id;
}

async function issue(p: Practice, id: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return call(p, 'POST', `/api/invoices/${id}/issue`, undefined, headers);
}

function assertProblem(res: LightMyRequestResponse, status: number, code: string, field?: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(res.json().code, code);
  if (field) assert.ok(res.json().errors.some((e: { field: string }) => e.field === field), `expected an error on ${field}: ${res.body}`);
}

before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

describe('drafts and issue', () => {
  let p: Practice;
  before(async () => {
    p = await practice();
  });

  test('a draft is computed live from the price book, the tax rules and the settings', async () => {
    const id = await draft(p);
    const res = await call(p, 'GET', `/api/invoices/${id}`);
    assert.equal(res.statusCode, 200, res.body);
    const doc = res.json().document;
    // 2 × 1200 = 2400 + 8.875% = 213; consultation 15000 - 10% = 13500, exempt.
    assert.equal(doc.lines[0].amount, 2400);
    assert.equal(doc.lines[0].taxTotal, 213);
    assert.equal(doc.lines[1].net, 13500);
    assert.equal(doc.lines[1].taxTotal, 0);
    assert.equal(doc.total, 2400 + 213 + 13500);
    assert.equal(res.json().total, null);
  });

  test('issue assigns INV-YYYY-00001 then 00002 and freezes the document', async () => {
    const first = await issue(p, await draft(p));
    assert.equal(first.statusCode, 200, first.body);
    const year = first.json().issueDate.slice(0, 4);
    assert.equal(first.json().number, `INV-${year}-00001`);
    assert.equal(first.json().status, 'issued');
    assert.equal(first.json().total, 16113);
    assert.equal(first.json().taxTotal, 213);
    assert.equal(first.json().document.total, 16113);
    const second = await issue(p, await draft(p));
    assert.equal(second.json().number, `INV-${year}-00002`);
  });

  test('PATCH changes a draft; PATCH or issue of an issued invoice is 409 invoice_not_draft', async () => {
    const id = await draft(p);
    const patched = await call(p, 'PATCH', `/api/invoices/${id}`, { lines: [{ priceItemId: p.itemId, quantity: '1' }] });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().document.total, 1200 + 107);
    assert.equal((await issue(p, id)).statusCode, 200);
    assertProblem(await call(p, 'PATCH', `/api/invoices/${id}`, { lines: [{ priceItemId: p.itemId, quantity: '3' }] }), 409, 'invoice_not_draft');
    assertProblem(await issue(p, id), 409, 'invoice_not_draft');
  });

  test('validation names the field: an unknown price item, an unknown patient, an over-large discount', async () => {
    const unknown = '00000000-0000-7000-8000-000000000000';
    assertProblem(await call(p, 'POST', '/api/invoices', { patientId: p.patientId, lines: [{ priceItemId: unknown, quantity: '1' }] }), 400, 'validation_failed', 'lines[0].priceItemId');
    assertProblem(await call(p, 'POST', '/api/invoices', { patientId: unknown, lines: [{ priceItemId: p.itemId, quantity: '1' }] }), 400, 'validation_failed', 'patientId');
    assertProblem(
      await call(p, 'POST', '/api/invoices', { patientId: p.patientId, lines: [{ priceItemId: p.itemId, quantity: '1', discounts: [{ kind: 'amount', value: 5000, reason: 'x' }] }] }),
      400, 'validation_failed', 'lines[0].discounts[0].value',
    );
    assertProblem(await call(p, 'GET', `/api/invoices/${unknown}`), 404, 'not_found');
  });

  test('an issued invoice is unchanged after a new price version and a new tax rate', async () => {
    const id = await draft(p);
    const issued = await issue(p, id);
    assert.equal(issued.statusCode, 200, issued.body);
    const before = (await call(p, 'GET', `/api/invoices/${id}`)).json();
    const today = before.issueDate;
    assert.equal((await call(p, 'POST', `/api/price-items/${p.itemId}/prices`, { unitPrice: 9900, effectiveFrom: today })).statusCode, 201);
    assert.equal((await call(p, 'PUT', '/api/tax/jurisdictions', TAX('20'))).statusCode, 200);
    const after = (await call(p, 'GET', `/api/invoices/${id}`)).json();
    assert.deepEqual(after.document, before.document);
    assert.equal(after.total, before.total);
    assert.equal(after.taxTotal, before.taxTotal);
    // A new draft does see the new price and rate: the change really happened.
    const fresh = (await call(p, 'GET', `/api/invoices/${await draft(p)}`)).json();
    assert.equal(fresh.document.lines[0].unitPrice, 9900);
    assert.equal(fresh.document.lines[0].taxTotal, 3960);
  });

  test('the database refuses a direct UPDATE of an issued invoice’s document', async () => {
    const id = await draft(p);
    assert.equal((await issue(p, id)).statusCode, 200);
    const ref = await tenantRef(t, p.tenant.slug);
    await assert.rejects(
      withTenant(t.services.db, ref, (tx) => tx.query('update invoices set total = 1 where tenant_id = $1 and id = $2', [tx.tenantId, id])),
      /immutable/,
    );
    await assert.rejects(
      withTenant(t.services.db, ref, (tx) => tx.query(`update invoices set computed = '{}'::jsonb where tenant_id = $1 and id = $2`, [tx.tenantId, id])),
      /immutable/,
    );
    const res = (await call(p, 'GET', `/api/invoices/${id}`)).json();
    assert.notEqual(res.total, 1);
    assert.equal(res.document.total, res.total);
  });

  test('an idempotent issue retry returns the same number', async () => {
    const id = await draft(p);
    const first = await issue(p, id, { 'idempotency-key': `issue-${id}` });
    assert.equal(first.statusCode, 200, first.body);
    const retry = await issue(p, id, { 'idempotency-key': `issue-${id}` });
    assert.equal(retry.statusCode, 200, retry.body);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.equal(retry.json().number, first.json().number);
    assert.deepEqual(retry.json().document, first.json().document);
  });

  test('a full credit note negates the totals; a second full credit is refused; credit of a draft is 409', async () => {
    const id = await draft(p);
    const invoice = (await issue(p, id)).json();
    const credit = await call(p, 'POST', `/api/invoices/${id}/credit-notes`, { lines: [{ line: 0, quantity: '2' }, { line: 1, quantity: '1' }] });
    assert.equal(credit.statusCode, 201, credit.body);
    const note = credit.json();
    assert.equal(note.kind, 'credit_note');
    assert.equal(note.status, 'issued');
    assert.equal(note.creditsInvoiceId, id);
    assert.equal(note.total, -invoice.total);
    assert.equal(note.taxTotal, -invoice.taxTotal);
    assert.equal(note.document.total, -invoice.total);
    const year = invoice.number.split('-')[1];
    assert.equal(Number(note.number.split('-')[2]), Number(invoice.number.split('-')[2]) + 1, `${note.number} follows ${invoice.number} (${year})`);
    assertProblem(await call(p, 'POST', `/api/invoices/${id}/credit-notes`, { lines: [{ line: 0, quantity: '2' }] }), 400, 'validation_failed', 'lines[0].quantity');
    assertProblem(await call(p, 'POST', `/api/invoices/${await draft(p)}/credit-notes`, { lines: [{ line: 0, quantity: '1' }] }), 409, 'invoice_not_draft');
    const listed = await call(p, 'GET', `/api/invoices?patientId=${p.patientId}&status=issued`);
    assert.equal(listed.statusCode, 200, listed.body);
    assert.equal(listed.json().items[0].id, note.id, 'newest first');
  });

  test('void: an issued invoice can be voided once; a draft cannot', async () => {
    const id = await draft(p);
    assert.equal((await issue(p, id)).statusCode, 200);
    const voided = await call(p, 'POST', `/api/invoices/${id}/void`, { reason: 'Billed the wrong patient' });
    assert.equal(voided.statusCode, 200, voided.body);
    assert.equal(voided.json().status, 'void');
    assert.equal(voided.json().voidReason, 'Billed the wrong patient');
    assert.ok(voided.json().number);
    assertProblem(await call(p, 'POST', `/api/invoices/${id}/void`, { reason: 'again' }), 409, 'invoice_not_draft');
    assertProblem(await call(p, 'POST', `/api/invoices/${await draft(p)}/void`, { reason: 'draft' }), 409, 'invoice_not_draft');
    const listed = (await call(p, 'GET', '/api/invoices?status=void')).json().items;
    assert.deepEqual(listed.map((i: { id: string }) => i.id), [id]);
  });

  test('every write is audited; front desk may not write invoices', async () => {
    const res = await call(p, 'GET', '/api/audit-events?limit=200');
    assert.equal(res.statusCode, 200, res.body);
    const actions = new Set(res.json().items.map((e: { action: string }) => e.action));
    for (const a of ['invoice.create', 'invoice.update', 'invoice.issue', 'invoice.credit', 'invoice.void']) assert.ok(actions.has(a), `audited ${a}`);
    const email = `desk@${p.tenant.slug}.test`;
    assert.equal((await call(p, 'POST', '/api/staff', { email, name: 'Desk', password: PASSWORD, roles: ['front_desk'] })).statusCode, 201);
    const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: p.tenant.slug, email, password: PASSWORD } });
    const desk = login.json().accessToken;
    assertProblem(await call(p, 'POST', '/api/invoices', { patientId: p.patientId, lines: [{ priceItemId: p.itemId, quantity: '1' }] }, {}, desk), 403, 'permission_denied');
    assertProblem(await call(p, 'GET', '/api/invoices', undefined, {}, desk), 403, 'permission_denied');
  });
});

test('50 concurrent issues of 50 drafts take exactly the numbers 1..50', async () => {
  const p = await practice();
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) ids.push(await draft(p));
  const results = await Promise.all(ids.map((id) => issue(p, id)));
  for (const r of results) assert.equal(r.statusCode, 200, r.body);
  const numbers = results.map((r) => r.json().number as string);
  const year = results[0]!.json().issueDate.slice(0, 4);
  const seqs = numbers.map((n) => {
    assert.match(n, new RegExp(`^INV-${year}-\\d{5}$`));
    return Number(n.slice(-5));
  }).sort((a, b) => a - b);
  assert.deepEqual(seqs, Array.from({ length: 50 }, (_, i) => i + 1));
  assert.equal(new Set(numbers).size, 50);
});
