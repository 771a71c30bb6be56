/**
 * The patient statement PDF, read back with pdfjs: the letterhead (practice name, address, contact,
 * tax ids, logo and brand colour), the "Statement" title, the period, the patient (name, MRN,
 * address), the opening balance, every entry of the JSON statement with its amount and running
 * balance, the closing balance, the amount due now and the aging line; a long statement across pages
 * with the table header and "Page x of N" on each; the route's headers, audit, errors and permission,
 * and that /statement and /statement.pdf stay two routes.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { BRAND, BRANDING, ok, practiceCaller, readPdf, type DocPractice, type Pdf } from './support/pdf-read.ts';
import { PASSWORD, startTestApp, type TestApp } from './support/harness.ts';
import { makePng } from './support/images.ts';
import { backdatedInvoice, issueToday, shift } from './support/billing-report-fixtures.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

type Practice = DocPractice;
const call = practiceCaller(() => t);


async function practice(options: { logo?: boolean } = {}): Promise<Practice> {
  const tenant = await t.createTenant('pooled');
  const p: Practice = { tenant, patientId: '' };
  await ok(call(p, 'PUT', '/api/branding', BRANDING));
  if (options.logo) {
    const res = await t.api(tenant, tenant.adminToken, { method: 'PUT', url: '/api/branding/logo', headers: { 'content-type': 'image/png' }, payload: makePng(240, 80, [200, 40, 40]) });
    assert.equal(res.statusCode, 200, res.body);
  }
  await ok(call(p, 'PUT', '/api/billing/settings', { currency: 'USD', taxIds: [{ label: 'EIN', value: '12-3456789' }] }));
  const patient = await ok(
    call(p, 'POST', '/api/patients', {
      firstName: 'Harriet',
      lastName: 'Quimby',
      dateOfBirth: '1975-05-11',
      address: { line1: '8 Elm Road', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
    }),
    201,
  );
  p.patientId = patient.id;
  return p;
}


async function statementPdf(p: Practice, query = ''): Promise<{ res: LightMyRequestResponse; pdf: Pdf }> {
  const res = await call(p, 'GET', `/api/patients/${p.patientId}/statement.pdf${query}`);
  assert.equal(res.statusCode, 200, res.body);
  return { res, pdf: await readPdf(res.rawPayload) };
}

/**
 * The texts drawn right after `label` on the same page (a row's amounts). A table cell wrapped over
 * several lines is several texts: they are matched joined by spaces.
 */
function following(pdf: Pdf, label: string, count = 1): string[] | undefined {
  for (const page of pdf.pages) {
    for (let i = 0; i < page.length; i++) {
      let joined = page[i]!;
      let j = i;
      while (joined.length < label.length && j + 1 < page.length && label.startsWith(joined)) joined += ` ${page[++j]}`;
      if (joined === label) return page.slice(j + 1, j + 1 + count);
    }
  }
  return undefined;
}

/** The text drawn right before `label` starts (a row's date). */
function preceding(pdf: Pdf, label: string): string | undefined {
  for (const page of pdf.pages) {
    const i = page.findIndex((s) => label.startsWith(s) && s.length >= Math.min(label.length, 12));
    if (i > 0) return page[i - 1];
  }
  return undefined;
}

const usd = (minor: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(minor / 100);
const day = (iso: string) => new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));

describe('patient statement PDF', () => {
  test('shows the letterhead, period, patient, opening balance, every entry with its running balance, closing balance, amount due and aging', async () => {
    const p = await practice({ logo: true });
    const today = (await issueToday(t, p.tenant, p.patientId, 15000)).issueDate;
    const old = await backdatedInvoice(t, p.tenant, p.patientId, shift(today, -75), 20000);
    const recent = await backdatedInvoice(t, p.tenant, p.patientId, shift(today, -40), 8000);
    await ok(call(p, 'POST', `/api/invoices/${old.id}/payments`, { method: 'cheque', amount: 5000, reference: 'CHQ-118', receivedOn: shift(today, -20) }), 201);
    await ok(call(p, 'POST', `/api/invoices/${recent.id}/payments`, { method: 'card', amount: 3000, receivedOn: shift(today, -10) }), 201);
    await ok(call(p, 'POST', `/api/invoices/${recent.id}/payments`, { kind: 'refund', method: 'card', amount: 1000, receivedOn: shift(today, -5) }), 201);
    const credit = await ok(call(p, 'POST', `/api/invoices/${recent.id}/credit-notes`, { lines: [{ line: 0, quantity: '1' }] }), 201);

    // The period starts after the oldest invoice (opening balance) and ends before today's activity (amount due differs).
    const query = `?from=${shift(today, -60)}&to=${shift(today, -1)}`;
    const json = await ok(call(p, 'GET', `/api/patients/${p.patientId}/statement${query}`));
    assert.equal(json.openingBalance, 20000);
    assert.equal(json.entries.length, 4, 'invoice, payment, payment, refund in the period (the credit note is dated today)');
    const { res, pdf } = await statementPdf(p, query);

    assert.equal(res.headers['content-type'], 'application/pdf');
    assert.equal(res.headers['content-disposition'], `inline; filename="statement-${json.patient.mrn}-${json.from}-${json.to}.pdf"`);
    assert.match(String(res.headers['cache-control']), /no-store/);
    for (const expected of [
      'Maple Street Family Clinic',
      'Family medicine since 1998',
      '12 Maple Street',
      'Springfield, IL, 62704',
      'Phone: +1 (217) 555-0100',
      'Email: billing@maple.example',
      'EIN: 12-3456789',
      'Statement',
      `${day(json.from)} – ${day(json.to)}`,
      'Harriet Quimby',
      `MRN: ${json.patient.mrn}`,
      '8 Elm Road',
      'Springfield, IL, 62701',
      'Page 1 of 1',
    ]) {
      assert.ok(pdf.text.includes(expected), `the PDF shows "${expected}":\n${pdf.text}`);
    }
    assert.deepEqual(following(pdf, 'Opening balance'), [usd(20000)], 'the opening balance row');
    for (const e of json.entries) {
      // Date, description, then the amount in its column and the running balance.
      assert.deepEqual(following(pdf, e.description, 2), [usd(e.amount), usd(e.balance)], `${e.description}:\n${pdf.text}`);
      assert.equal(preceding(pdf, e.description), day(e.date), `date of ${e.description}`);
    }
    assert.ok(following(pdf, `Payment (cheque) for invoice ${old.number}, ref CHQ-118`), pdf.text);
    assert.deepEqual(following(pdf, 'Closing balance'), [usd(json.closingBalance)]);
    assert.equal(json.closingBalance, 20000 + 8000 - 5000 - 3000 + 1000);
    assert.deepEqual(following(pdf, `Closing balance (${day(json.to)})`), [usd(json.closingBalance)]);
    assert.deepEqual(following(pdf, 'Amount due now'), [usd(json.amountDue)]);
    assert.equal(json.amountDue, json.closingBalance + 15000 + credit.total, 'today’s invoice and credit note count in what is due now');
    assert.ok(pdf.text.includes(`Amount due now includes everything recorded after ${day(json.to)}.`), pdf.text);
    assert.deepEqual(following(pdf, 'Payments received'), [usd(-8000)]);
    assert.deepEqual(following(pdf, 'Refunds'), [usd(1000)]);

    // Aging as of `to`: the old invoice is 74 days old, the recent one 39.
    assert.ok(pdf.text.includes(`AGING OF OPEN INVOICES AS OF ${day(json.to).toUpperCase()}`), pdf.text);
    assert.deepEqual(following(pdf, 'Total open', 5), [usd(0), usd(json.aging.buckets.days31to60), usd(json.aging.buckets.days61to90), usd(0), usd(json.aging.total)]);
    assert.equal(json.aging.buckets.days61to90, 15000);
    assert.equal(json.aging.buckets.days31to60, 6000);
    assert.ok(pdf.text.includes('Questions about this statement? Please call +1 (217) 555-0100 or write to billing@maple.example.'), pdf.text);

    assert.ok(pdf.ops.some((o) => o.fn === OPS.paintImageXObject), 'the logo image is painted');
    assert.ok(pdf.ops.some((o) => o.fn === OPS.setFillRGBColor && String(o.args[0]).toLowerCase() === BRAND), `a fill in ${BRAND}`);

    const audit = (await ok(call(p, 'GET', '/api/audit-events?action=patient.statement_pdf'))).items;
    assert.equal(audit.length, 1);
    assert.equal(audit[0].resourceId, p.patientId);
    assert.deepEqual(audit[0].details, { from: json.from, to: json.to, currency: 'USD' });
  });

  test('a long statement spans pages, each with the table header, the running header and "Page x of N"', async () => {
    const p = await practice();
    const inv = await issueToday(t, p.tenant, p.patientId, 100000);
    for (let i = 0; i < 70; i++) {
      await ok(call(p, 'POST', `/api/invoices/${inv.id}/payments`, { method: 'card', amount: 100 + i, reference: `R${String(i).padStart(3, '0')}` }), 201);
    }
    const json = await ok(call(p, 'GET', `/api/patients/${p.patientId}/statement`));
    assert.equal(json.entries.length, 71);
    const { pdf } = await statementPdf(p);
    assert.ok(pdf.numPages >= 3, `${pdf.numPages} pages`);
    pdf.pages.forEach((page, i) => {
      assert.ok(page.includes(`Page ${i + 1} of ${pdf.numPages}`), `page ${i + 1}: ${page.join('|')}`);
      assert.ok(page.includes('Description') && page.includes('Balance') && page.includes('Credits'), `table header on page ${i + 1}`);
    });
    for (const page of pdf.pages.slice(1)) assert.ok(page.includes('Statement - Harriet Quimby (continued)'), page.join('|'));
    for (const e of json.entries) assert.deepEqual(following(pdf, e.description, 2), [usd(e.amount), usd(e.balance)], e.description);
    assert.deepEqual(following(pdf, 'Closing balance'), [usd(json.closingBalance)]);
    assert.deepEqual(following(pdf, 'Amount due now'), [usd(json.amountDue)]);
  });

  test('an empty period says so; a credit is shown as a credit balance', async () => {
    const p = await practice();
    const quiet = await statementPdf(p);
    assert.ok(following(quiet.pdf, 'No invoices, credits, payments or refunds in this period', 0), quiet.pdf.text);
    assert.deepEqual(following(quiet.pdf, 'Amount due now'), [usd(0)]);

    const inv = await issueToday(t, p.tenant, p.patientId, 5000);
    await ok(call(p, 'POST', `/api/invoices/${inv.id}/payments`, { method: 'cash', amount: 5000 }), 201);
    await ok(call(p, 'POST', `/api/invoices/${inv.id}/credit-notes`, { lines: [{ line: 0, quantity: '1' }] }), 201);
    const json = await ok(call(p, 'GET', `/api/patients/${p.patientId}/statement`));
    assert.equal(json.amountDue, -5000);
    const { pdf } = await statementPdf(p);
    assert.deepEqual(following(pdf, 'Credit balance'), [usd(5000)]);
    assert.ok(!pdf.text.includes('Amount due now'));
  });

  test('/statement stays JSON next to /statement.pdf; bad periods 400 naming the field; unknown patients 404; needs billing:read', async () => {
    const p = await practice();
    const json = await call(p, 'GET', `/api/patients/${p.patientId}/statement`);
    assert.equal(json.statusCode, 200);
    assert.match(String(json.headers['content-type']), /application\/json/);
    const today = json.json().to;
    for (const [query, field] of [[`?from=${today}&to=${shift(today, -1)}`, 'from'], ['?to=soon', 'to'], ['?currency=usd', 'currency'], ['?color=red', 'color']] as const) {
      const res = await call(p, 'GET', `/api/patients/${p.patientId}/statement.pdf${query}`);
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
      assert.equal(res.json().code, 'validation_failed');
      assert.ok(JSON.stringify(res.json().errors).includes(field), `${query} names ${field}: ${res.body}`);
    }
    for (const id of ['01900000-0000-7000-8000-000000000000', 'not-an-id']) {
      const res = await call(p, 'GET', `/api/patients/${id}/statement.pdf`);
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(res.json().code, 'not_found');
    }
    const email = `desk@${p.tenant.slug}.test`;
    await ok(call(p, 'POST', '/api/staff', { email, name: 'Desk', password: PASSWORD, roles: ['front_desk'] }), 201);
    const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: p.tenant.slug, email, password: PASSWORD } });
    const denied = await call(p, 'GET', `/api/patients/${p.patientId}/statement.pdf`, undefined, {}, login.json().accessToken);
    assert.equal(denied.statusCode, 403, denied.body);
    assert.equal(denied.json().code, 'permission_denied');
  });
});
