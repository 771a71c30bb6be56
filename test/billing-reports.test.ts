/**
 * Billing reports: AR aging (bucket boundaries, partial payments, refunds, credit notes, void invoices,
 * as-of dates in the past, pagination), the CSV exports (RFC 4180 quoting, formula injection, exact
 * amounts in USD and JPY, inclusive date filters, streaming in batches) and the patient statement
 * (opening, running and closing balances, amount due, aging), plus bad input.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { DateTime } from 'luxon';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { tenantRef } from './support/scheduling-fixtures.ts';
import { NOWHERE } from './support/cross-tenant-kit.ts';
import {
  backdatedInvoice, call, createPatient, creditNote, issueToday, parseCsv, pay, shift, type Method,
} from './support/billing-report-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';
import { tenantContext } from '../src/tenancy/tenant-context.ts';
import { exportInvoicesCsv, exportPaymentsCsv, INVOICE_EXPORT_COLUMNS, PAYMENT_EXPORT_COLUMNS } from '../src/domain/billing/billing-export.ts';
import { bucketOf } from '../src/domain/billing/ar-aging.ts';
import { csvField, csvRecord } from '../src/domain/billing/csv.ts';

let t: TestApp;

before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

function assertProblem(res: LightMyRequestResponse, status: number, code: string, field?: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /application\/problem\+json/);
  assert.equal(res.json().code, code);
  if (field) assert.ok(res.json().errors.some((e: { field: string }) => e.field === field), `expected an error on ${field}: ${res.body}`);
}

const get = (tenant: TestTenant, url: string) => call(t, tenant, 'GET' as Method, url);

interface Row {
  patientId: string;
  days0to30: number;
  days31to60: number;
  days61to90: number;
  over90: number;
  total: number;
  invoiceCount: number;
  oldestInvoiceDate: string;
}

async function aging(tenant: TestTenant, query = '') {
  const res = await get(tenant, `/api/billing/ar-aging${query}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { asOf: string; currency: string; buckets: Record<string, { amount: number; invoiceCount: number }>; total: { amount: number; invoiceCount: number }; patientCount: number; otherCurrencies: string[]; items: Row[]; nextCursor: string | null };
}

describe('accounts-receivable aging', () => {
  let tenant: TestTenant;
  /** The practice's today, as the server stamps it on an issued invoice. */
  let today: string;
  let edge: string;
  let mixed: string;

  before(async () => {
    tenant = await t.createTenant('pooled');
    edge = await createPatient(t, tenant, { lastName: 'Edge', firstName: 'Ada' });
    mixed = await createPatient(t, tenant, { lastName: 'Mixed', firstName: 'Max' });
    today = (await issueToday(t, tenant, edge, 128)).issueDate;
    // Edge: one invoice on each side of every boundary, amounts that identify them in any sum.
    for (const [days, amount] of [[30, 1000], [31, 2000], [60, 4000], [61, 8000], [90, 16000], [91, 32000]] as const) {
      await backdatedInvoice(t, tenant, edge, shift(today, -days), amount);
    }
    // Mixed: partial payment and refund, fully paid, void, credited, and a credit in the patient's favour.
    const x = await backdatedInvoice(t, tenant, mixed, shift(today, -10), 10000);
    await pay(t, tenant, x.id, { amount: 3000, receivedOn: shift(today, -5) });
    await pay(t, tenant, x.id, { kind: 'refund', amount: 1000, receivedOn: shift(today, -2) });
    const y = await backdatedInvoice(t, tenant, mixed, shift(today, -45), 5000);
    await pay(t, tenant, y.id, { amount: 5000, receivedOn: shift(today, -40) });
    const z = await backdatedInvoice(t, tenant, mixed, shift(today, -70), 7000);
    assert.equal((await call(t, tenant, 'POST', `/api/invoices/${z.id}/void`, { reason: 'Wrong patient' })).statusCode, 200);
    const w = await backdatedInvoice(t, tenant, mixed, shift(today, -100), 9000);
    await creditNote(t, tenant, w.id);
    const v = await backdatedInvoice(t, tenant, mixed, shift(today, -20), 6000);
    await pay(t, tenant, v.id, { amount: 6000, receivedOn: shift(today, -1) });
    const u = await backdatedInvoice(t, tenant, mixed, shift(today, -5), 4000);
    await pay(t, tenant, u.id, { amount: 4000, receivedOn: shift(today, -5) });
    await creditNote(t, tenant, u.id);
    // Issued after the as-of dates below, and a draft: neither ever counts.
    await call(t, tenant, 'POST', '/api/invoices', { patientId: mixed, lines: [{ description: 'Draft', category: 'medical_service', unitPrice: 999, quantity: '1' }] });
  });

  test('the bucket rule: 0–30, 31–60, 61–90, over 90 days', () => {
    assert.deepEqual([0, 30, 31, 60, 61, 90, 91, 400].map(bucketOf), ['days0to30', 'days0to30', 'days31to60', 'days31to60', 'days61to90', 'days61to90', 'over90', 'over90']);
  });

  test('invoices issued exactly 30, 31, 60, 61, 90 and 91 days before asOf land in the right bucket', async () => {
    const report = await aging(tenant);
    assert.equal(report.asOf, today, 'asOf defaults to today in the practice time zone');
    assert.equal(report.currency, 'USD');
    const row = report.items.find((r) => r.patientId === edge)!;
    assert.deepEqual(
      { d0: row.days0to30, d31: row.days31to60, d61: row.days61to90, d91: row.over90, total: row.total, n: row.invoiceCount, oldest: row.oldestInvoiceDate },
      { d0: 128 + 1000, d31: 2000 + 4000, d61: 8000 + 16000, d91: 32000, total: 63128, n: 7, oldest: shift(today, -91) },
    );
    // One day earlier every invoice is a day younger: 31 → days0to30, 91 → days61to90, and today's invoice is not issued yet.
    const earlier = (await aging(tenant, `?asOf=${shift(today, -1)}`)).items.find((r) => r.patientId === edge)!;
    assert.deepEqual([earlier.days0to30, earlier.days31to60, earlier.days61to90, earlier.over90], [1000 + 2000, 4000 + 8000, 16000 + 32000, 0]);
  });

  test('partial payments, refunds, credit notes and void invoices as of today', async () => {
    const report = await aging(tenant, `?asOf=${today}`);
    const row = report.items.find((r) => r.patientId === mixed)!;
    // x: 10000 − 3000 + 1000 = 8000; u: 4000 − 4000 − 4000 credited = −4000; y, v, w settled; z void.
    assert.deepEqual([row.days0to30, row.days31to60, row.days61to90, row.over90, row.total, row.invoiceCount], [4000, 0, 0, 0, 4000, 2]);
    assert.equal(row.oldestInvoiceDate, shift(today, -10));
    assert.deepEqual(report.buckets.days0to30, { amount: 128 + 1000 + 4000, invoiceCount: 4 });
    assert.deepEqual(report.buckets.days31to60, { amount: 6000, invoiceCount: 2 });
    assert.deepEqual(report.buckets.days61to90, { amount: 24000, invoiceCount: 2 });
    assert.deepEqual(report.buckets.over90, { amount: 32000, invoiceCount: 1 });
    assert.deepEqual(report.total, { amount: 63128 + 4000, invoiceCount: 9 });
    assert.equal(report.patientCount, 2);
    assert.deepEqual(report.items.map((r) => r.patientId), [edge, mixed], 'largest total first');
    assert.deepEqual(report.otherCurrencies, []);
  });

  test('an asOf in the past ignores later payments, refunds and credit notes', async () => {
    // Yesterday: v's payment and the credit notes (issued today) are not there yet; x's refund is.
    const y1 = (await aging(tenant, `?asOf=${shift(today, -1)}`)).items.find((r) => r.patientId === mixed)!;
    // x 8000 (9 d), u 0 (paid, not yet credited), v 0 (paid that day), w 9000 (99 d).
    assert.deepEqual([y1.days0to30, y1.days31to60, y1.days61to90, y1.over90, y1.total], [8000, 0, 0, 9000, 17000]);
    // Three days ago: x's refund and v's payment lie ahead; u was not issued yet.
    const y3 = (await aging(tenant, `?asOf=${shift(today, -3)}`)).items.find((r) => r.patientId === mixed)!;
    assert.deepEqual([y3.days0to30, y3.days31to60, y3.days61to90, y3.over90, y3.total], [7000 + 6000, 0, 0, 9000, 22000]);
    // 42 days ago: y (issued 3 days earlier) was still unpaid.
    const y42 = (await aging(tenant, `?asOf=${shift(today, -42)}`)).items.find((r) => r.patientId === mixed)!;
    // y 5000 (3 days old, paid 2 days later), w 9000 (58 days old).
    assert.deepEqual([y42.days0to30, y42.days31to60, y42.days61to90, y42.over90, y42.total], [5000, 9000, 0, 0, 14000]);
  });

  test('keyset pagination by total, cursors keep asOf, bad input is 400 naming the field', async () => {
    const third = await createPatient(t, tenant, { lastName: 'Third', firstName: 'Tia' });
    await backdatedInvoice(t, tenant, third, shift(today, -3), 500);
    const first = await aging(tenant, `?asOf=${today}&limit=2`);
    assert.equal(first.items.length, 2);
    assert.ok(first.nextCursor);
    const second = await aging(tenant, `?limit=2&cursor=${first.nextCursor}`);
    assert.equal(second.asOf, today);
    assert.deepEqual(second.items.map((r) => r.patientId), [third]);
    assert.equal(second.nextCursor, null);
    assert.equal(second.total.amount, first.total.amount, 'every page carries the same totals');
    assertProblem(await get(tenant, `/api/billing/ar-aging?asOf=${shift(today, -1)}&cursor=${first.nextCursor}`), 400, 'invalid_cursor');
    assertProblem(await get(tenant, '/api/billing/ar-aging?cursor=bm9wZQ'), 400, 'invalid_cursor');
    assertProblem(await get(tenant, '/api/billing/ar-aging?asOf=2026-02-30'), 400, 'validation_failed', 'asOf');
    assertProblem(await get(tenant, '/api/billing/ar-aging?asOf=yesterday'), 400, 'validation_failed', 'asOf');
    assertProblem(await get(tenant, '/api/billing/ar-aging?limit=0'), 400, 'validation_failed', 'limit');
    assertProblem(await get(tenant, '/api/billing/ar-aging?currency=usd'), 400, 'validation_failed', 'currency');
    // PostgreSQL has no year 0000 (JavaScript does): refused as bad input, never a failed statement.
    assertProblem(await get(tenant, '/api/billing/ar-aging?asOf=0000-01-01'), 400, 'validation_failed', 'asOf');
    const yearZero = Buffer.from(JSON.stringify(['0000-01-01', 'USD', '100', first.items[0]!.patientId])).toString('base64url');
    assertProblem(await get(tenant, `/api/billing/ar-aging?cursor=${yearZero}`), 400, 'invalid_cursor');
  });

  test('asOf defaults to today in the practice time zone, not the server’s', async () => {
    const far = await t.createTenant('schema');
    for (const zone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
      await withTenant(t.services.db, await tenantRef(t, far.slug), (tx) => tx.query('update settings set time_zone = $2 where tenant_id = $1', [tx.tenantId, zone]));
      const before = DateTime.now().setZone(zone).toISODate();
      const report = await aging(far);
      const after = DateTime.now().setZone(zone).toISODate();
      assert.ok([before, after].includes(report.asOf), `${zone}: ${report.asOf} is today there (${before})`);
    }
  });

  test('the report is audited with patient ids only', async () => {
    await aging(tenant, `?asOf=${today}&limit=1`);
    const events = (await get(tenant, '/api/audit-events?action=billing.ar_aging')).json().items;
    assert.ok(events.length > 0);
    assert.deepEqual(events[0].details, { asOf: today, currency: 'USD', patientIds: [edge] });
  });
});

describe('CSV exports', () => {
  let tenant: TestTenant;
  let today: string;
  let quoted: string;
  let evil: string;
  const quotedLast = 'O"Brien, Jr';
  const quotedFirst = 'Ann\nMarie';
  const evilLast = '=HYPERLINK("http://x.test","click")';

  before(async () => {
    tenant = await t.createTenant('pooled');
    quoted = await createPatient(t, tenant, { lastName: quotedLast, firstName: quotedFirst });
    evil = await createPatient(t, tenant, { lastName: evilLast, firstName: '@SUM(1)' });
  });

  async function csv(url: string) {
    const res = await get(tenant, url);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
    return { res, records: parseCsv(res.body) };
  }

  test('invoices: header, quoting, formula injection, exact amounts, credit notes and voids', async () => {
    const a = await issueToday(t, tenant, quoted, 12345);
    today = a.issueDate;
    await pay(t, tenant, a.id, { amount: 2345, reference: '-2+3' });
    const note = await creditNote(t, tenant, a.id);
    const b = await issueToday(t, tenant, evil, 5, '3');
    assert.equal((await call(t, tenant, 'POST', `/api/invoices/${b.id}/void`, { reason: 'Entered twice, "oops"' })).statusCode, 200);
    const { res, records } = await csv(`/api/invoices/export.csv?from=${today}&to=${today}`);
    assert.equal(res.headers['content-disposition'], `attachment; filename="invoices-${today}-${today}.csv"`);
    assert.match(res.body, /^\uFEFFNumber,Kind,Status,Issue date,Patient name,MRN,Currency,Subtotal,Discounts,Tax,Total,Credited,Paid,Refunded,Balance,Credited invoice number,Void reason\r\n/);
    assert.deepEqual(records[0], [...INVOICE_EXPORT_COLUMNS]);
    const byNumber = new Map(records.slice(1).map((r) => [r[0], r]));
    assert.equal(records.length, 4);
    const inv = byNumber.get(a.number)!;
    assert.equal(inv[4], `${quotedLast}, ${quotedFirst}`, 'quotes, comma and newline survive the round trip');
    assert.deepEqual(inv.slice(6, 15), ['USD', '123.45', '0.00', '0.00', '123.45', '123.45', '23.45', '0.00', '-23.45']);
    assert.deepEqual([inv[1], inv[2], inv[15], inv[16]], ['invoice', 'partially_paid', '', '']);
    const cn = byNumber.get(note)!;
    assert.deepEqual([cn[1], cn[2], cn[10], cn[11], cn[12], cn[13], cn[14], cn[15]], ['credit_note', 'issued', '-123.45', '', '', '', '', a.number]);
    const voided = byNumber.get(b.number)!;
    assert.equal(voided[4], `'${evilLast}, @SUM(1)`, 'a formula-looking name is neutralised');
    assert.deepEqual([voided[2], voided[10], voided[14], voided[16]], ['void', '0.15', '0.00', 'Entered twice, "oops"']);
    assert.ok(res.body.includes(`"'=HYPERLINK(""http://x.test"",""click""), @SUM(1)"`), 'quoted after neutralising');
  });

  test('payments: refunds negative, references neutralised, recorded-at with offset', async () => {
    const c = await issueToday(t, tenant, quoted, 10000);
    await pay(t, tenant, c.id, { amount: 2500, method: 'cash', reference: '=cmd|calc' });
    await pay(t, tenant, c.id, { kind: 'refund', amount: 1000, method: 'cheque', reference: 'CHQ 7' });
    await pay(t, tenant, c.id, { amount: 1, method: 'insurance', reference: '+1 555 0100' });
    const { res, records } = await csv(`/api/payments/export.csv?from=${c.issueDate}&to=${c.issueDate}`);
    assert.equal(res.headers['content-disposition'], `attachment; filename="payments-${c.issueDate}-${c.issueDate}.csv"`);
    assert.deepEqual(records[0], [...PAYMENT_EXPORT_COLUMNS]);
    const ours = records.slice(1).filter((r) => r[5] === c.number);
    assert.deepEqual(ours.map((r) => r.slice(0, 9)), [
      [c.issueDate, 'payment', 'cash', '25.00', 'USD', c.number, `${quotedLast}, ${quotedFirst}`, ours[0]![7]!, "'=cmd|calc"],
      [c.issueDate, 'refund', 'cheque', '-10.00', 'USD', c.number, `${quotedLast}, ${quotedFirst}`, ours[0]![7]!, 'CHQ 7'],
      [c.issueDate, 'payment', 'insurance', '0.01', 'USD', c.number, `${quotedLast}, ${quotedFirst}`, ours[0]![7]!, "'+1 555 0100"],
    ]);
    for (const r of ours) assert.match(r[9]!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
  });

  test('date filters are inclusive on both ends, and the period defaults to the month to date', async () => {
    const p = await createPatient(t, tenant, { lastName: 'Range' });
    const base = today;
    const ids: Record<string, string> = {};
    for (const days of [-11, -10, -5, -4]) {
      const inv = await backdatedInvoice(t, tenant, p, shift(base, days), 1000);
      ids[days] = inv.number;
      await pay(t, tenant, inv.id, { amount: 100, receivedOn: shift(base, days) });
    }
    const { records } = await csv(`/api/invoices/export.csv?from=${shift(base, -10)}&to=${shift(base, -5)}`);
    assert.deepEqual(records.slice(1).map((r) => r[0]), [ids[-10], ids[-5]]);
    const pays = (await csv(`/api/payments/export.csv?from=${shift(base, -10)}&to=${shift(base, -5)}`)).records;
    assert.deepEqual(pays.slice(1).map((r) => r[5]), [ids[-10], ids[-5]]);
    const defaults = await csv('/api/invoices/export.csv');
    assert.equal(defaults.res.headers['content-disposition'], `attachment; filename="invoices-${base.slice(0, 8)}01-${base}.csv"`);
    assertProblem(await get(tenant, `/api/invoices/export.csv?from=${base}&to=${shift(base, -1)}`), 400, 'validation_failed', 'from');
    assertProblem(await get(tenant, '/api/payments/export.csv?from=2026-13-01'), 400, 'validation_failed', 'from');
    assertProblem(await get(tenant, '/api/payments/export.csv?to=2026-02-29'), 400, 'validation_failed', 'to');
    assertProblem(await get(tenant, '/api/invoices/export.csv?unknown=1'), 400, 'validation_failed');
  });

  test('batches: a two-row batch size streams the same file as one batch', async () => {
    const ref = await tenantRef(t, tenant.slug);
    const ctx = tenantContext(t.services.db, { tenant: ref, actor: { kind: 'system', id: null } });
    const q = { from: '2000-01-01', to: '2999-12-31' };
    const text = async (chunks: AsyncIterable<string>) => {
      let out = '';
      for await (const c of chunks) out += c;
      return out;
    };
    for (const run of [exportInvoicesCsv, exportPaymentsCsv]) {
      const small = await text((await run(ctx, q, { batchSize: 2 })).chunks);
      const whole = await text((await run(ctx, q)).chunks);
      assert.ok(parseCsv(small).length > 5, 'spans several batches');
      assert.equal(small, whole);
    }
  });

  test('the static export route is not taken for an invoice id, and an export is audited without PHI', async () => {
    const inv = await issueToday(t, tenant, quoted, 700);
    const one = await get(tenant, `/api/invoices/${inv.id}`);
    assert.equal(one.statusCode, 200);
    assert.equal(one.json().number, inv.number);
    assertProblem(await get(tenant, '/api/invoices/export.json'), 404, 'not_found');
    await csv(`/api/invoices/export.csv?from=${inv.issueDate}&to=${inv.issueDate}`);
    const events = (await get(tenant, '/api/audit-events?action=billing.export')).json().items;
    assert.deepEqual(events[0].details, { export: 'invoices', from: inv.issueDate, to: inv.issueDate });
    assert.ok(!JSON.stringify(events).includes('Brien'));
  });

  test('JPY amounts have no decimals', async () => {
    const jp = await t.createTenant('schema');
    assert.equal((await call(t, jp, 'PUT', '/api/billing/settings', { currency: 'JPY' })).statusCode, 200);
    const p = await createPatient(t, jp, { lastName: 'Tanaka', firstName: 'Yuki' });
    const inv = await issueToday(t, jp, p, 1235, '2');
    await pay(t, jp, inv.id, { amount: 1000, method: 'cash' });
    await pay(t, jp, inv.id, { kind: 'refund', amount: 7, method: 'cash' });
    const res = await get(jp, `/api/invoices/export.csv?from=${inv.issueDate}&to=${inv.issueDate}`);
    const row = parseCsv(res.body)[1]!;
    assert.deepEqual(row.slice(6, 15), ['JPY', '2470', '0', '0', '2470', '0', '1000', '7', '1477']);
    const pays = parseCsv((await get(jp, `/api/payments/export.csv?from=${inv.issueDate}&to=${inv.issueDate}`)).body);
    assert.deepEqual(pays.slice(1).map((r) => [r[3], r[4]]), [['1000', 'JPY'], ['-7', 'JPY']]);
    const report = await aging(jp);
    assert.equal(report.currency, 'JPY');
    assert.equal(report.total.amount, 1477);
    // Switching the practice currency leaves the JPY invoices out of the default report, but says so.
    assert.equal((await call(t, jp, 'PUT', '/api/billing/settings', { currency: 'EUR' })).statusCode, 200);
    const eur = await aging(jp);
    assert.deepEqual([eur.currency, eur.total.amount, eur.otherCurrencies], ['EUR', 0, ['JPY']]);
    assert.equal((await aging(jp, '?currency=JPY')).total.amount, 1477);
  });

  test('the writer: numbers stay numeric, formulas get a quote, fields are quoted when needed', () => {
    assert.deepEqual(
      ['-12.50', '12', '+5', '-', '-x', '@a', '\tx', '\rx', 'a,b', 'say "hi"', '', null, 42n, -3].map(csvField),
      ['-12.50', '12', "'+5", "'-", "'-x", "'@a", "'\tx", '"\'\rx"', '"a,b"', '"say ""hi"""', '', '', '42', '-3'],
    );
    assert.equal(csvRecord(['a', 'b']), 'a,b\r\n');
  });
});

describe('patient statement', () => {
  let tenant: TestTenant;
  let today: string;
  let patient: string;
  const numbers: Record<string, string> = {};

  before(async () => {
    tenant = await t.createTenant('schema');
    patient = await createPatient(t, tenant, {
      lastName: 'Statement', firstName: 'Sue', address: { line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
    });
    const i3 = await issueToday(t, tenant, patient, 1000, '3');
    today = i3.issueDate;
    numbers.i3 = i3.number;
    const i1 = await backdatedInvoice(t, tenant, patient, shift(today, -120), 10000);
    numbers.i1 = i1.number;
    await pay(t, tenant, i1.id, { amount: 4000, method: 'cash', receivedOn: shift(today, -100), reference: 'C-1' });
    const i2 = await backdatedInvoice(t, tenant, patient, shift(today, -60), 5000);
    numbers.i2 = i2.number;
    await pay(t, tenant, i2.id, { amount: 5000, receivedOn: shift(today, -50) });
    await pay(t, tenant, i2.id, { kind: 'refund', amount: 2000, receivedOn: shift(today, -10) });
    numbers.cn = await creditNote(t, tenant, i3.id);
    const i4 = await backdatedInvoice(t, tenant, patient, shift(today, -30), 2500);
    assert.equal((await call(t, tenant, 'POST', `/api/invoices/${i4.id}/void`, { reason: 'Error' })).statusCode, 200);
    // Another patient's invoice never shows.
    await issueToday(t, tenant, await createPatient(t, tenant), 777);
  });

  async function statement(query = '') {
    const res = await get(tenant, `/api/patients/${patient}/statement${query}`);
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  }

  test('opening, running and closing balances over the default 90 days', async () => {
    const s = await statement();
    assert.deepEqual([s.from, s.to, s.generatedOn, s.currency], [shift(today, -90), today, today, 'USD']);
    assert.deepEqual(s.patient, {
      id: patient, name: 'Sue Statement', firstName: 'Sue', lastName: 'Statement', mrn: s.patient.mrn,
      address: { line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
    });
    assert.equal(s.openingBalance, 10000 - 4000);
    assert.deepEqual(
      s.entries.map((e: { date: string; type: string; amount: number; balance: number; description: string }) => [e.date, e.type, e.amount, e.balance, e.description]),
      [
        [shift(today, -60), 'invoice', 5000, 11000, `Invoice ${numbers.i2}`],
        [shift(today, -50), 'payment', -5000, 6000, `Payment (card) for invoice ${numbers.i2}`],
        [shift(today, -10), 'refund', 2000, 8000, `Refund (card) for invoice ${numbers.i2}`],
        [today, 'invoice', 3000, 11000, `Invoice ${numbers.i3}`],
        [today, 'credit_note', -1000, 10000, `Credit note ${numbers.cn} for invoice ${numbers.i3}`],
      ],
    );
    assert.deepEqual(s.periodTotals, { invoiced: 8000, credited: 1000, paid: 5000, refunded: 2000 });
    assert.equal(s.closingBalance, 10000);
    assert.equal(s.amountDue, 10000);
    assert.deepEqual(s.aging.buckets, { days0to30: 2000, days31to60: 2000, days61to90: 0, over90: 6000 });
    assert.equal(s.aging.total, s.closingBalance);
    assert.deepEqual(s.aging.openInvoices.map((o: { number: string; ageDays: number; bucket: string; balance: number }) => [o.number, o.ageDays, o.bucket, o.balance]), [
      [numbers.i1, 120, 'over90', 6000],
      [numbers.i2, 60, 'days31to60', 2000],
      [numbers.i3, 0, 'days0to30', 2000],
    ]);
  });

  test('a period in the past: closing balance at its end, amount due today, aging as of its end', async () => {
    const s = await statement(`?from=${shift(today, -130)}&to=${shift(today, -20)}`);
    assert.equal(s.openingBalance, 0);
    assert.deepEqual(s.entries.map((e: { type: string; balance: number; reference: string | null }) => [e.type, e.balance, e.reference]), [
      ['invoice', 10000, null], ['payment', 6000, 'C-1'], ['invoice', 11000, null], ['payment', 6000, null],
    ]);
    assert.equal(s.entries[1].description, `Payment (cash) for invoice ${numbers.i1}, ref C-1`);
    assert.equal(s.closingBalance, 6000);
    assert.equal(s.amountDue, 10000);
    assert.equal(s.aging.asOf, shift(today, -20));
    assert.deepEqual(s.aging.buckets, { days0to30: 0, days31to60: 0, days61to90: 0, over90: 6000 });
    // A one-day period with nothing in it.
    const quiet = await statement(`?from=${shift(today, -1)}&to=${shift(today, -1)}`);
    assert.deepEqual([quiet.openingBalance, quiet.entries.length, quiet.closingBalance], [8000, 0, 8000]);
  });

  test('bad input: from after to, bad dates, unknown patient', async () => {
    assertProblem(await get(tenant, `/api/patients/${patient}/statement?from=${today}&to=${shift(today, -1)}`), 400, 'validation_failed', 'from');
    assertProblem(await get(tenant, `/api/patients/${patient}/statement?from=2026-02-30`), 400, 'validation_failed', 'from');
    assertProblem(await get(tenant, `/api/patients/${patient}/statement?to=soon`), 400, 'validation_failed', 'to');
    assertProblem(await get(tenant, `/api/patients/${patient}/statement?from=${shift(today, 1)}`), 400, 'validation_failed', 'from');
    assertProblem(await get(tenant, `/api/patients/${NOWHERE}/statement`), 404, 'not_found');
    assertProblem(await get(tenant, '/api/patients/not-a-uuid/statement'), 404, 'not_found');
    assertProblem(await get(tenant, `/api/patients/${patient}/statement?from=0000-12-31`), 400, 'validation_failed', 'from');
    assertProblem(await get(tenant, `/api/patients/${patient}/statement.pdf?to=0000-12-31`), 400, 'validation_failed', 'to');
    assertProblem(await get(tenant, '/api/invoices/export.csv?from=0000-01-01&to=0001-01-01'), 400, 'validation_failed', 'from');
    // A default period reaching back before year 1 starts on 0001-01-01 instead.
    const early = await get(tenant, `/api/patients/${patient}/statement?to=0001-01-05`);
    assert.equal(early.statusCode, 200, early.body);
    assert.equal(early.json().from, '0001-01-01');
  });

  test('statements are audited and need billing:read', async () => {
    await statement(`?from=${today}&to=${today}`);
    const events = (await get(tenant, `/api/audit-events?action=patient.statement`)).json().items;
    assert.equal(events[0].resourceId, patient);
    assert.deepEqual(events[0].details, { from: today, to: today, currency: 'USD' });
    const desk = await call(t, tenant, 'POST', '/api/staff', { email: `desk@${tenant.slug}.test`, name: 'Desk', password: 'correct-horse-battery', roles: ['front_desk'] });
    assert.equal(desk.statusCode, 201, desk.body);
    const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: tenant.slug, email: `desk@${tenant.slug}.test`, password: 'correct-horse-battery' } });
    const token = login.json().accessToken as string;
    for (const url of [`/api/patients/${patient}/statement`, '/api/billing/ar-aging', '/api/invoices/export.csv', '/api/payments/export.csv']) {
      assertProblem(await t.api(tenant, token, { method: 'GET', url }), 403, 'permission_denied');
    }
  });
});
