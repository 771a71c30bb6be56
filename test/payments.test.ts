/**
 * Payments and refunds: status follows the ledger, no overpayment, refunds bounded by what was paid,
 * idempotent retries record once, concurrent payments serialise on the invoice row, balances.
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
}

function call(p: Practice, method: Method, url: string, payload?: unknown, headers: Record<string, string> = {}, token = p.tenant.adminToken): Promise<LightMyRequestResponse> {
  return t.api(p.tenant, token, { method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
}

function assertProblem(res: LightMyRequestResponse, status: number, code: string, field?: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(res.json().code, code);
  if (field) assert.ok(res.json().errors.some((e: { field: string }) => e.field === field), `expected an error on ${field}: ${res.body}`);
}

async function practice(): Promise<Practice> {
  const tenant = await t.createTenant('pooled');
  const p = { tenant, patientId: '' };
  p.patientId = await patient(p);
  return p;
}

async function patient(p: Practice): Promise<string> {
  const res = await call(p, 'POST', '/api/patients', { firstName: 'Pay', lastName: 'Ment', dateOfBirth: '1981-03-04' });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

async function draft(p: Practice, unitPrice: number, quantity = '1', patientId = p.patientId): Promise<string> {
  const res = await call(p, 'POST', '/api/invoices', { patientId, lines: [{ description: 'Consultation', category: 'medical_service', unitPrice, quantity }] });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

async function issued(p: Practice, unitPrice: number, quantity = '1', patientId = p.patientId): Promise<{ id: string; total: number }> {
  const id = await draft(p, unitPrice, quantity, patientId);
  const res = await call(p, 'POST', `/api/invoices/${id}/issue`);
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().total, unitPrice * Number(quantity));
  return { id, total: res.json().total };
}

function pay(p: Practice, id: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return call(p, 'POST', `/api/invoices/${id}/payments`, { method: 'card', ...body }, headers);
}

async function statusOf(p: Practice, id: string): Promise<string> {
  return (await call(p, 'GET', `/api/invoices/${id}`)).json().status;
}

async function rowCount(p: Practice, invoiceId: string): Promise<number> {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) =>
    (await tx.query<{ n: number }>('select count(*)::int as n from payments where tenant_id = $1 and invoice_id = $2', [tx.tenantId, invoiceId])).rows[0]!.n);
}

before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

describe('payments and refunds', () => {
  let p: Practice;
  before(async () => {
    p = await practice();
  });

  test('partial payment → partially_paid, the rest → paid, overpayment refused, refund → partially_paid', async () => {
    const inv = await issued(p, 10000);
    const first = await pay(p, inv.id, { amount: 4000, method: 'cash', reference: 'R-1', note: 'at desk' });
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.json().kind, 'payment');
    assert.equal(first.json().amount, 4000);
    assert.equal(first.json().currency, 'USD');
    assert.match(first.json().receivedOn, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(await statusOf(p, inv.id), 'partially_paid');
    assertProblem(await pay(p, inv.id, { amount: 6001 }), 400, 'validation_failed', 'amount');
    assertProblem(await pay(p, inv.id, { amount: 10, currency: 'EUR' }), 400, 'validation_failed', 'currency');
    assertProblem(await pay(p, inv.id, { amount: 0 }), 400, 'validation_failed');
    assertProblem(await pay(p, inv.id, { amount: 1.5 }), 400, 'validation_failed');
    assert.equal((await pay(p, inv.id, { amount: 6000, receivedOn: '2026-01-15' })).statusCode, 201);
    assert.equal(await statusOf(p, inv.id), 'paid');
    assertProblem(await pay(p, inv.id, { amount: 1 }), 400, 'validation_failed', 'amount');
    assertProblem(await pay(p, inv.id, { kind: 'refund', amount: 10001 }), 400, 'validation_failed', 'amount');
    const refund = await pay(p, inv.id, { kind: 'refund', amount: 2500 });
    assert.equal(refund.statusCode, 201, refund.body);
    assert.equal(await statusOf(p, inv.id), 'partially_paid');
    const list = await call(p, 'GET', `/api/invoices/${inv.id}/payments`);
    assert.equal(list.statusCode, 200, list.body);
    assert.equal(list.json().items.length, 3);
    assert.equal(list.json().paid, 10000);
    assert.equal(list.json().refunded, 2500);
    assert.equal(list.json().balance, 2500);
    assert.equal((await pay(p, inv.id, { kind: 'refund', amount: 7500 })).statusCode, 201);
    assert.equal(await statusOf(p, inv.id), 'issued');
    assertProblem(await pay(p, inv.id, { kind: 'refund', amount: 1 }), 400, 'validation_failed', 'amount');
  });

  test('a draft, a void invoice and a credit note are 409 invoice_not_payable; an unknown id is 404', async () => {
    assertProblem(await pay(p, await draft(p, 500), { amount: 1 }), 409, 'invoice_not_payable');
    const v = await issued(p, 500);
    assert.equal((await call(p, 'POST', `/api/invoices/${v.id}/void`, { reason: 'Mistake' })).statusCode, 200);
    assertProblem(await pay(p, v.id, { amount: 1 }), 409, 'invoice_not_payable');
    const c = await issued(p, 500);
    const note = await call(p, 'POST', `/api/invoices/${c.id}/credit-notes`, { lines: [{ line: 0, quantity: '1' }] });
    assert.equal(note.statusCode, 201, note.body);
    assertProblem(await pay(p, note.json().id, { amount: 1 }), 409, 'invoice_not_payable');
    // Fully credited: nothing left to pay.
    assertProblem(await pay(p, c.id, { amount: 1 }), 400, 'validation_failed', 'amount');
    assertProblem(await pay(p, '00000000-0000-7000-8000-000000000000', { amount: 1 }), 404, 'not_found');
    assertProblem(await call(p, 'GET', '/api/invoices/00000000-0000-7000-8000-000000000000/payments'), 404, 'not_found');
  });

  test('a retry with the same Idempotency-Key records one payment and answers the same one', async () => {
    const inv = await issued(p, 3000);
    const a = await pay(p, inv.id, { amount: 1000 }, { 'idempotency-key': 'pay-once-1' });
    assert.equal(a.statusCode, 201, a.body);
    const b = await pay(p, inv.id, { amount: 1000 }, { 'idempotency-key': 'pay-once-1' });
    assert.equal(b.statusCode, 201, b.body);
    assert.equal(b.headers['idempotent-replayed'], 'true');
    assert.equal(b.json().id, a.json().id);
    assert.equal(await rowCount(p, inv.id), 1);
    assertProblem(await pay(p, inv.id, { amount: 999 }, { 'idempotency-key': 'pay-once-1' }), 422, 'idempotency_key_reused');
    // Two concurrent requests with one key: one row, one payment id.
    const [c, d] = await Promise.all([
      pay(p, inv.id, { amount: 500 }, { 'idempotency-key': 'pay-once-2' }),
      pay(p, inv.id, { amount: 500 }, { 'idempotency-key': 'pay-once-2' }),
    ]);
    assert.equal(c.statusCode, 201, c.body);
    assert.equal(d.statusCode, 201, d.body);
    assert.equal(c.json().id, d.json().id);
    assert.equal(await rowCount(p, inv.id), 2);
    const list = (await call(p, 'GET', `/api/invoices/${inv.id}/payments`)).json();
    assert.equal(list.paid, 1500);
    assert.equal(list.balance, 1500);
  });

  test('20 concurrent payments of 1 against a balance of 10: exactly 10 succeed, balance 0', async () => {
    const inv = await issued(p, 1010);
    assert.equal((await pay(p, inv.id, { amount: 1000 })).statusCode, 201);
    const results = await Promise.all(Array.from({ length: 20 }, () => pay(p, inv.id, { amount: 1 })));
    const ok = results.filter((r) => r.statusCode === 201).length;
    for (const r of results) if (r.statusCode !== 201) assertProblem(r, 400, 'validation_failed', 'amount');
    assert.equal(ok, 10);
    const list = (await call(p, 'GET', `/api/invoices/${inv.id}/payments`)).json();
    assert.equal(list.balance, 0);
    assert.equal(list.paid, 1010);
    assert.equal(list.items.length, 11);
    assert.equal(await statusOf(p, inv.id), 'paid');
  });

  test('patient balance sums two invoices and a credit note, without drafts or void invoices', async () => {
    const patientId = await patient(p);
    const a = await issued(p, 5000, '2', patientId);
    const b = await issued(p, 3000, '1', patientId);
    await draft(p, 7000, '1', patientId);
    const v = await issued(p, 900, '1', patientId);
    assert.equal((await call(p, 'POST', `/api/invoices/${v.id}/void`, { reason: 'Duplicate' })).statusCode, 200);
    assert.equal((await call(p, 'POST', `/api/invoices/${a.id}/credit-notes`, { lines: [{ line: 0, quantity: '1' }] })).statusCode, 201);
    assert.equal((await pay(p, b.id, { amount: 1000 })).statusCode, 201);
    assert.equal((await pay(p, a.id, { amount: 2000 })).statusCode, 201);
    assert.equal((await pay(p, a.id, { kind: 'refund', amount: 500 })).statusCode, 201);
    const res = await call(p, 'GET', `/api/patients/${patientId}/balance`);
    assert.equal(res.statusCode, 200, res.body);
    const bal = res.json();
    assert.equal(bal.currency, 'USD');
    assert.equal(bal.invoiced, 13000);
    assert.equal(bal.credited, 5000);
    assert.equal(bal.paid, 3000);
    assert.equal(bal.refunded, 500);
    assert.equal(bal.balance, 13000 - 5000 - 3000 + 500);
    assert.deepEqual(bal.invoices.map((i: { id: string }) => i.id).sort(), [a.id, b.id].sort());
    const ia = bal.invoices.find((i: { id: string }) => i.id === a.id);
    assert.equal(ia.balance, 10000 - 5000 - 2000 + 500);
    assert.equal(ia.status, 'partially_paid');
    const aList = (await call(p, 'GET', `/api/invoices/${a.id}/payments`)).json();
    assert.equal(aList.credited, 5000);
    assert.equal(aList.balance, 3500);
    // The invoice list carries each row's balance, from the same ledger (no call per row).
    const rows = (await call(p, 'GET', `/api/invoices?patientId=${patientId}&limit=100`)).json().items as { id: string; kind: string; status: string; balanceDue: number | null }[];
    const due = new Map(rows.map((r) => [r.id, r.balanceDue]));
    assert.equal(due.get(a.id), 3500);
    assert.equal(due.get(b.id), 2000);
    assert.equal(due.get(v.id), null, 'a void invoice owes nothing');
    for (const r of rows.filter((x) => x.kind === 'credit_note' || x.status === 'draft')) assert.equal(r.balanceDue, null);
    assert.equal(rows.length, 5, 'a, b, the draft, the void invoice and the credit note');
    assertProblem(await call(p, 'GET', '/api/patients/00000000-0000-7000-8000-000000000000/balance'), 404, 'not_found');
  });

  test('payments are audited; front_desk gets 403 on every payment route', async () => {
    const inv = await issued(p, 800);
    assert.equal((await pay(p, inv.id, { amount: 800 })).statusCode, 201);
    assert.equal((await pay(p, inv.id, { kind: 'refund', amount: 100 })).statusCode, 201);
    const audit = await call(p, 'GET', '/api/audit-events?limit=200');
    assert.equal(audit.statusCode, 200, audit.body);
    const actions = new Set(audit.json().items.map((e: { action: string }) => e.action));
    for (const a of ['payment.record', 'payment.refund']) assert.ok(actions.has(a), `audited ${a}`);
    const email = `desk@${p.tenant.slug}.test`;
    assert.equal((await call(p, 'POST', '/api/staff', { email, name: 'Desk', password: PASSWORD, roles: ['front_desk'] })).statusCode, 201);
    const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: p.tenant.slug, email, password: PASSWORD } });
    const desk = login.json().accessToken;
    assertProblem(await call(p, 'POST', `/api/invoices/${inv.id}/payments`, { method: 'cash', amount: 1 }, {}, desk), 403, 'permission_denied');
    assertProblem(await call(p, 'GET', `/api/invoices/${inv.id}/payments`, undefined, {}, desk), 403, 'permission_denied');
    assertProblem(await call(p, 'GET', `/api/patients/${p.patientId}/balance`, undefined, {}, desk), 403, 'permission_denied');
  });
});
