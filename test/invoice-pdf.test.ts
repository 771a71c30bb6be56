/**
 * The invoice PDF, read back with pdfjs: branding (name, address, contact, tax ids, logo image and
 * brand colour really drawn), the bill-to patient, every line, tax per jurisdiction, totals, payments
 * and balance due; long invoices across pages with "Page x of y" and the table header repeated;
 * DRAFT, VOID and PAID; credit notes naming the invoice they credit; names the standard fonts cannot
 * draw do not crash it. Also the route's headers, permission and 404s.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { BRAND, BRANDING, ok, practiceCaller, readPdf, type DocPractice, type Pdf } from './support/pdf-read.ts';
import { PASSWORD, startTestApp, type TestApp } from './support/harness.ts';
import { makeJpeg, makePng } from './support/images.ts';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { canEncode, formatMinorUnits, pdfSafeText, textColorOn, wrapText } from '../src/domain/billing/pdf-text.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

type Practice = DocPractice;
const call = practiceCaller(() => t);


const LINES = [
  { description: 'Initial consultation', category: 'medical_service', unitPrice: 15000, quantity: '1' },
  { description: 'Knee brace (size M)', category: 'retail_product', unitPrice: 4000, quantity: '2' },
  { description: 'Physiotherapy session', category: 'medical_service', unitPrice: 9000, quantity: '1.5', discounts: [{ kind: 'percent', value: '10', reason: 'Loyalty' }] },
];

/** A branded practice with two tax jurisdictions, tax ids and a patient with an address. */
async function practice(options: { logo?: 'png' | 'jpeg'; tier?: 'pooled' | 'schema' } = {}): Promise<Practice> {
  const tenant = await t.createTenant(options.tier ?? 'pooled');
  const p: Practice = { tenant, patientId: '' };
  await ok(call(p, 'PUT', '/api/branding', BRANDING));
  if (options.logo) {
    const bytes = options.logo === 'png' ? makePng(240, 80, [200, 40, 40]) : makeJpeg(160, 48, 90);
    const res = await t.api(tenant, tenant.adminToken, { method: 'PUT', url: '/api/branding/logo', headers: { 'content-type': `image/${options.logo}` }, payload: bytes });
    assert.equal(res.statusCode, 200, res.body);
  }
  await ok(call(p, 'PUT', '/api/billing/settings', { currency: 'USD', taxIds: [{ label: 'EIN', value: '12-3456789' }, { label: 'NPI', value: '1234567893' }] }));
  await ok(
    call(p, 'PUT', '/api/tax/jurisdictions', {
      jurisdictions: [
        { code: 'ST', name: 'State tax', rates: [{ ratePercent: '5', effectiveFrom: '2020-01-01' }], exemptCategories: ['medical_service'] },
        { code: 'CITY', name: 'City tax', rates: [{ ratePercent: '2.5', effectiveFrom: '2020-01-01' }], exemptCategories: [] },
      ],
    }),
  );
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

async function draft(p: Practice, lines: unknown[] = LINES, patientId = p.patientId): Promise<Record<string, any>> {
  return ok(call(p, 'POST', '/api/invoices', { patientId, lines }), 201);
}

async function issued(p: Practice, lines: unknown[] = LINES): Promise<Record<string, any>> {
  const d = await draft(p, lines);
  return ok(call(p, 'POST', `/api/invoices/${d.id}/issue`));
}


async function pdfOf(p: Practice, id: string): Promise<{ res: LightMyRequestResponse; pdf: Pdf }> {
  const res = await call(p, 'GET', `/api/invoices/${id}/pdf`);
  assert.equal(res.statusCode, 200, res.body);
  return { res, pdf: await readPdf(res.rawPayload) };
}

/** The text drawn right after `label` on the same page (the amount of a totals row). */
function valueAfter(pdf: Pdf, label: string): string | undefined {
  for (const page of pdf.pages) {
    const i = page.indexOf(label);
    if (i >= 0) return page[i + 1];
  }
  return undefined;
}

const usd = (minor: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(minor / 100);

describe('invoice PDF', () => {
  test('carries the branding, tax ids, number, patient, every line, tax per jurisdiction, totals and the balance after a partial payment', async () => {
    const p = await practice({ logo: 'png', tier: 'schema' });
    const inv = await issued(p);
    await ok(call(p, 'POST', `/api/invoices/${inv.id}/payments`, { method: 'card', amount: 10000, reference: 'POS-77' }), 201);
    const { res, pdf } = await pdfOf(p, inv.id);

    assert.equal(res.headers['content-type'], 'application/pdf');
    assert.equal(res.headers['content-disposition'], `inline; filename="${inv.number}.pdf"`);
    assert.match(String(res.headers['cache-control']), /no-store/);
    assert.equal(res.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');

    for (const expected of [
      'Maple Street Family Clinic',
      'Family medicine since 1998',
      '12 Maple Street',
      'Suite 4',
      'Springfield, IL, 62704',
      'Phone: +1 (217) 555-0100',
      'Email: billing@maple.example',
      'https://maple.example',
      'EIN: 12-3456789',
      'NPI: 1234567893',
      'Invoice',
      inv.number,
      'Harriet Quimby',
      'MRN: ' + (await ok(call(p, 'GET', `/api/patients/${p.patientId}`))).mrn,
      '8 Elm Road',
      'Springfield, IL, 62701',
      ...LINES.map((l) => l.description),
      'Discount 10%: Loyalty',
      'Partially paid',
    ]) {
      assert.ok(pdf.text.includes(expected), `the PDF shows "${expected}":\n${pdf.text}`);
    }
    const doc = inv.document;
    assert.equal(valueAfter(pdf, 'Subtotal'), usd(doc.subtotal));
    assert.equal(valueAfter(pdf, 'Discounts'), usd(-doc.discountTotal));
    assert.equal(valueAfter(pdf, 'State tax (5%)'), usd(doc.taxTotals[0].amount));
    assert.equal(valueAfter(pdf, 'City tax (2.5%)'), usd(doc.taxTotals[1].amount));
    assert.equal(valueAfter(pdf, 'Total'), usd(inv.total));
    assert.ok(pdf.pages[0]!.some((s) => s.startsWith('Payment received') && s.includes('card, POS-77')), pdf.text);
    assert.ok(pdf.text.includes(usd(-10000)));
    assert.equal(valueAfter(pdf, 'Balance due'), usd(inv.total - 10000));
    assert.ok(pdf.text.includes('Page 1 of 1'));

    // The logo is an image really painted on the page, and the header band is the brand colour.
    assert.ok(pdf.ops.some((o) => o.fn === OPS.paintImageXObject), 'the logo image is painted');
    assert.ok(pdf.ops.some((o) => o.fn === OPS.setFillRGBColor && String(o.args[0]).toLowerCase() === BRAND), `a fill in ${BRAND}`);
  });

  test('a JPEG logo is embedded too; without a logo nothing is painted', async () => {
    const withJpeg = await practice({ logo: 'jpeg' });
    const a = await pdfOf(withJpeg, (await issued(withJpeg)).id);
    assert.ok(a.pdf.ops.some((o) => o.fn === OPS.paintImageXObject));
    const plain = await practice();
    const b = await pdfOf(plain, (await issued(plain)).id);
    assert.ok(!b.pdf.ops.some((o) => o.fn === OPS.paintImageXObject));
    assert.ok(b.pdf.text.includes('Maple Street Family Clinic'));
  });

  test('a 150-line invoice spans several pages, each with the table header and "Page x of N"', async () => {
    const p = await practice();
    const lines = Array.from({ length: 150 }, (_, i) => ({ description: `Therapy unit ${String(i + 1).padStart(3, '0')}`, category: 'medical_service', unitPrice: 2500 + i, quantity: '1' }));
    const inv = await issued(p, lines);
    const started = performance.now();
    const { pdf } = await pdfOf(p, inv.id);
    console.log(`150-line invoice PDF: ${(performance.now() - started).toFixed(0)} ms over HTTP, ${pdf.numPages} pages`);
    assert.ok(pdf.numPages >= 3, `${pdf.numPages} pages`);
    pdf.pages.forEach((page, i) => {
      assert.ok(page.includes(`Page ${i + 1} of ${pdf.numPages}`), `page ${i + 1}: ${page.join('|')}`);
      assert.ok(page.includes('Description') && page.includes('Unit price') && page.includes('Amount'), `table header on page ${i + 1}`);
    });
    assert.ok(pdf.pages[1]!.includes(`Invoice ${inv.number} (continued)`));
    for (const l of lines) assert.ok(pdf.text.includes(l.description), l.description);
    assert.equal(valueAfter(pdf, 'Total'), usd(inv.total));
  });

  test('a draft is computed live and marked DRAFT, named by its id', async () => {
    const p = await practice();
    const d = await draft(p);
    const { res, pdf } = await pdfOf(p, d.id);
    assert.equal(res.headers['content-disposition'], `inline; filename="draft-${d.id}.pdf"`);
    assert.ok(pdf.pages.every((page) => page.includes('DRAFT')), 'every page is marked');
    assert.ok(pdf.text.includes('Not yet issued'));
    assert.equal(valueAfter(pdf, 'Total'), usd(d.total ?? d.document.total));
    assert.equal(valueAfter(pdf, 'Balance due'), usd(d.document.total));
  });

  test('a credit note says so and names the invoice it credits; the invoice lists the credit', async () => {
    const p = await practice();
    const inv = await issued(p);
    const credit = await ok(call(p, 'POST', `/api/invoices/${inv.id}/credit-notes`, { lines: [{ line: 1, quantity: '1' }] }), 201);
    const { res, pdf } = await pdfOf(p, credit.id);
    assert.equal(res.headers['content-disposition'], `inline; filename="${credit.number}.pdf"`);
    assert.ok(pdf.text.includes('Credit note'));
    assert.ok(pdf.text.includes(`This credit note credits invoice ${inv.number}.`), pdf.text);
    assert.equal(valueAfter(pdf, 'Credits invoice'), inv.number);
    assert.equal(valueAfter(pdf, 'Total credited'), usd(credit.total));
    assert.ok(!pdf.text.includes('Balance due'));
    const original = await pdfOf(p, inv.id);
    assert.ok(original.pdf.pages[0]!.some((s) => s.startsWith('Credit note') && s.includes(credit.number)), original.pdf.text);
    assert.equal(valueAfter(original.pdf, 'Balance due'), usd(inv.total + credit.total));
  });

  test('a void invoice is marked VOID with its reason; a paid one PAID', async () => {
    const p = await practice();
    const voided = await issued(p);
    await ok(call(p, 'POST', `/api/invoices/${voided.id}/void`, { reason: 'Billed twice' }));
    const v = (await pdfOf(p, voided.id)).pdf;
    assert.ok(v.text.includes('VOID'));
    assert.ok(v.text.includes('This invoice is void: Billed twice'));
    assert.ok(!v.text.includes('Balance due'));

    const paid = await issued(p);
    await ok(call(p, 'POST', `/api/invoices/${paid.id}/payments`, { method: 'cash', amount: paid.total }), 201);
    const d = (await pdfOf(p, paid.id)).pdf;
    assert.ok(d.text.includes('PAID'));
    assert.ok(d.text.includes('Paid'));
    assert.equal(valueAfter(d, 'Balance due'), usd(0));
  });

  test('names the standard fonts cannot draw do not crash it: Latin letters lose accents, others become "?"', async () => {
    const p = await practice();
    await ok(call(p, 'PUT', '/api/branding', { ...BRANDING, displayName: 'Клиника 诊所 Łódź Clinic', tagline: 'Zdrowie – Gesundheit – 健康' }));
    const patient = await ok(call(p, 'POST', '/api/patients', { firstName: 'Иван', lastName: 'Ştefănescu-Wójcik', dateOfBirth: '1990-01-01' }), 201);
    const d = await draft(p, [{ description: 'Консультация 相談 Zoë ﬁtting ✓', category: 'medical_service', unitPrice: 1000, quantity: '1' }], patient.id);
    const { pdf } = await pdfOf(p, d.id);
    // "ó" and "ë" are in WinAnsi and stay; "Ł", "ź", "Ş", "ă" are not and lose their marks.
    assert.ok(pdf.text.includes('??????? ?? Lódz Clinic'), pdf.text);
    assert.ok(pdf.text.includes('???? Stefanescu-Wójcik'), pdf.text);
    assert.ok(pdf.text.includes('Zoë fitting ?'), pdf.text);
  });

  test('needs billing:read; another or no invoice is 404', async () => {
    const p = await practice();
    const inv = await issued(p);
    const email = `desk@${p.tenant.slug}.test`;
    await ok(call(p, 'POST', '/api/staff', { email, name: 'Desk', password: PASSWORD, roles: ['front_desk'] }), 201);
    const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: p.tenant.slug, email, password: PASSWORD } });
    const denied = await call(p, 'GET', `/api/invoices/${inv.id}/pdf`, undefined, {}, login.json().accessToken);
    assert.equal(denied.statusCode, 403, denied.body);
    assert.equal(denied.json().code, 'permission_denied');
    for (const id of ['01900000-0000-7000-8000-000000000000', 'not-an-id']) {
      const res = await call(p, 'GET', `/api/invoices/${id}/pdf`);
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(res.json().code, 'not_found');
    }
  });
});

describe('PDF text primitives', () => {
  test('text the standard fonts cannot encode is transliterated or replaced, never passed through', async () => {
    assert.equal(pdfSafeText('Zoë Łukasiewicz 王\tﬁx – “ok” €5'), 'Zoë Lukasiewicz ? fix – “ok” €5');
    assert.equal(pdfSafeText('Дмитрий Ngô Bảo Châu'), '??????? Ngô Bao Châu');
    const font = (await PDFDocument.create()).embedStandardFont(StandardFonts.Helvetica);
    // The code points we keep are exactly those the font can encode.
    const charset = new Set(font.getCharacterSet());
    for (let cp = 0x20; cp < 0x3000; cp++) assert.equal(canEncode(String.fromCodePoint(cp)), charset.has(cp), `U+${cp.toString(16)}`);
    for (const line of wrapText(font, 9, 'Ünïcödé 名前 Łódź '.repeat(20), 120)) {
      assert.ok(font.widthOfTextAtSize(line, 9) <= 120, line);
      font.encodeText(line); // throws on anything unencodable
    }
    assert.deepEqual(wrapText(font, 10, 'x'.repeat(60), 50).every((l) => font.widthOfTextAtSize(l, 10) <= 50), true, 'an over-long word is broken');
  });

  test('money is exact in minor units, in the locale, with the ISO code where the symbol cannot be drawn', () => {
    assert.equal(formatMinorUnits(123456n, 'USD'), '$1,234.56');
    assert.equal(formatMinorUnits(-5n, 'USD'), '-$0.05');
    assert.equal(formatMinorUnits(1099n, 'JPY'), '¥1,099');
    assert.equal(formatMinorUnits(1n, 'KWD'), 'KWD 0.001');
    assert.equal(formatMinorUnits(123456n, 'INR'), 'INR 1,234.56');
    assert.equal(formatMinorUnits(123456n, 'EUR', 'de-DE'), '1.234,56 €');
    assert.equal(formatMinorUnits(9007199254740993n, 'USD'), '$90,071,992,547,409.93');
    assert.equal(formatMinorUnits(100n, 'USD', 'not a locale!'), '$1.00');
  });

  test('header text is white on dark brand colours and dark on light ones', () => {
    assert.deepEqual(textColorOn('#0b6e4f'), textColorOn('#000000'));
    assert.deepEqual(textColorOn('#f5e663'), textColorOn('#ffffff'));
    assert.notDeepEqual(textColorOn('#000000'), textColorOn('#ffffff'));
  });
});
