/**
 * Renders an invoice or credit note as a PDF in the practice's branding: a header band in the primary
 * colour with the logo and name, the practice's contact details and tax ids, the bill-to patient,
 * the line table (breaking across pages with its header repeated), tax per jurisdiction, totals,
 * payments, refunds and credits received and the balance due; DRAFT and VOID watermarks; "Page x of y".
 * Pure: it draws what `InvoicePdfView` holds (loaded by invoice-pdf-service.ts) and reads nothing else.
 */
import { degrees, rgb, type PDFFont, type PDFPage, type RGB } from 'pdf-lib';
import type { Branding } from '../branding/branding-schemas.ts';
import type { BillingDocument } from './invoice-schemas.ts';
import { INK, PageFlow } from './pdf-kit.ts';
import { drawPageFooter, drawParties, openLetterhead } from './pdf-letterhead.ts';
import { formatDate, formatMinorUnits, hexColor, textColorOn, tintColor } from './pdf-text.ts';

export type DocumentStatus = 'draft' | 'issued' | 'partially_paid' | 'paid' | 'void';

/** Something that moved the balance of an invoice, signed as it moves it (payments negative). */
export interface LedgerEntry {
  readonly kind: 'payment' | 'refund' | 'credit_note';
  readonly date: string;
  /** e.g. "card, ref 4411" or the credit note's number. */
  readonly detail: string;
  readonly amount: bigint;
}

export interface InvoicePdfView {
  readonly branding: Branding;
  readonly logo: { readonly bytes: Uint8Array; readonly contentType: 'image/png' | 'image/jpeg' } | null;
  readonly taxIds: readonly { readonly label: string; readonly value: string }[];
  /** BCP 47, for money and dates (the practice's setting). */
  readonly locale: string;
  readonly invoice: {
    readonly id: string;
    readonly number: string | null;
    readonly kind: 'invoice' | 'credit_note';
    readonly status: DocumentStatus;
    readonly voidReason: string | null;
    /** For a credit note: the number of the invoice it credits. */
    readonly creditsInvoiceNumber: string | null;
    /** Issued: the frozen document; draft: computed live for today. */
    readonly document: BillingDocument;
  };
  readonly patient: { readonly name: string; readonly mrn: string; readonly address: Branding['address'] };
  /** Payments, refunds and credit notes of an invoice, and what remains due; null for a credit note. */
  readonly ledger: { readonly entries: readonly LedgerEntry[]; readonly balance: bigint } | null;
}

const STATUS_LABEL: Record<DocumentStatus, string> = { draft: 'Draft', issued: 'Issued', partially_paid: 'Partially paid', paid: 'Paid', void: 'Void' };

export async function renderInvoicePdf(view: InvoicePdfView): Promise<Uint8Array> {
  const { branding, invoice } = view;
  const title = invoice.kind === 'credit_note' ? 'Credit note' : 'Invoice';
  const reference = invoice.number ?? 'Draft';
  const { doc, flow, accent } = await openLetterhead(branding, view.logo, {
    title,
    documentName: `${title} ${reference}`,
    currency: invoice.document.currency,
    continuationLabel: `${title} ${reference} (continued)`,
  });
  const money = (amount: bigint) => formatMinorUnits(amount, invoice.document.currency, view.locale);

  drawInvoiceParties(flow, view, title);
  flow.moveDown(16);
  drawLines(flow, invoice.document, money, branding.primaryColor);
  flow.moveDown(12);
  drawTotals(flow, view, money, accent);

  const watermark = invoice.status === 'draft' ? 'DRAFT' : invoice.status === 'void' ? 'VOID' : null;
  flow.stampPages((page, index, count) => {
    if (watermark) drawWatermark(page, flow.fonts.bold, watermark, invoice.status === 'void' ? rgb(0.75, 0.1, 0.1) : rgb(0.5, 0.5, 0.5));
    drawPageFooter(flow, page, `${branding.displayName} - ${title} ${reference}`, index, count);
  });
  return doc.save();
}

/** The letterhead's parties block (facts: number, date, status), then credit-note and void notes. */
function drawInvoiceParties(flow: PageFlow, view: InvoicePdfView, title: string): void {
  const { invoice } = view;
  const facts: [string, string][] = [
    [`${title} number`, invoice.number ?? 'Not yet issued'],
    [invoice.status === 'draft' ? 'Date (draft)' : 'Issue date', formatDate(invoice.document.issueDate, view.locale)],
    ['Status', STATUS_LABEL[invoice.status]],
    ...(invoice.creditsInvoiceNumber ? [['Credits invoice', invoice.creditsInvoiceNumber] as [string, string]] : []),
  ];
  drawParties(flow, view.branding, view.taxIds, { facts, labelShare: 0.45, heading: 'BILL TO', recipient: view.patient });
  if (invoice.creditsInvoiceNumber) {
    flow.moveDown(4);
    flow.paragraph(`This credit note credits invoice ${invoice.creditsInvoiceNumber}.`, { size: 9 });
  }
  if (invoice.status === 'void') {
    flow.moveDown(4);
    flow.paragraph(`This ${title.toLowerCase()} is void${invoice.voidReason ? `: ${invoice.voidReason}` : '.'}`, { size: 9, color: rgb(0.7, 0.1, 0.1) });
  }
}

function drawLines(flow: PageFlow, doc: BillingDocument, money: (a: bigint) => string, primaryHex: string): void {
  const rows = doc.lines.map((l) => {
    const reasons = l.discounts.filter((d) => d.scope === 'line').map((d) => {
      // A negative discount is a surcharge (invoice-schemas.ts); say so rather than print "-10%".
      const surcharge = d.value.startsWith('-');
      const value = surcharge ? d.value.slice(1) : d.value;
      return `${surcharge ? 'Surcharge' : 'Discount'} ${d.kind === 'percent' ? `${value}%` : money(BigInt(value))}: ${d.reason}`;
    });
    return [
      [l.description, ...reasons].join('\n'),
      l.quantity,
      money(l.unitPrice),
      l.discount === 0n ? '' : money(-l.discount),
      l.taxTotal === 0n ? '' : money(l.taxTotal),
      money(l.total),
    ];
  });
  flow.table(
    [
      { header: 'Description', weight: 38 },
      { header: 'Qty', weight: 7, align: 'right' },
      { header: 'Unit price', weight: 14, align: 'right' },
      { header: 'Discount', weight: 13, align: 'right' },
      { header: doc.pricesIncludeTax ? 'Tax (incl.)' : 'Tax', weight: 12, align: 'right' },
      { header: 'Amount', weight: 16, align: 'right' },
    ],
    rows,
    { size: 9, headerFill: hexColor(primaryHex), headerText: textColorOn(primaryHex), stripe: tintColor(primaryHex, 0.93) },
  );
}

/** Subtotal, discounts, each tax, total; then what was received and the balance due. */
function drawTotals(flow: PageFlow, view: InvoicePdfView, money: (a: bigint) => string, accent: RGB): void {
  const { fonts } = flow;
  const doc = view.invoice.document;
  const width = 300;
  const x = flow.right - width;
  const row = (label: string, amount: string, bold = false) => {
    flow.ensure(15);
    const font = bold ? fonts.bold : fonts.regular;
    flow.textAt(label, x, flow.y, width * 0.68, { font, size: bold ? 10.5 : 9.5 });
    flow.textAt(amount, x + width * 0.68, flow.y, width * 0.32, { font, size: bold ? 10.5 : 9.5 }, 'right');
    flow.moveDown(bold ? 17 : 14.5);
  };
  row('Subtotal', money(doc.subtotal));
  if (doc.discountTotal !== 0n) row('Discounts', money(-doc.discountTotal));
  for (const d of doc.invoiceDiscounts) row(`   incl. ${d.kind === 'percent' ? `${d.value}% ` : ''}${d.reason}`, money(-d.amount));
  for (const t of doc.taxTotals) row(`${doc.pricesIncludeTax ? 'Incl. ' : ''}${t.name} (${t.ratePercent}%)`, money(t.amount));
  flow.ensure(20);
  flow.rule(INK, 0.75, x, width);
  flow.moveDown(5);
  row(view.invoice.kind === 'credit_note' ? 'Total credited' : 'Total', money(doc.total), true);

  const ledger = view.ledger;
  if (ledger === null || view.invoice.status === 'void') return;
  for (const e of ledger.entries) {
    const label = e.kind === 'payment' ? 'Payment received' : e.kind === 'refund' ? 'Refund' : 'Credit note';
    row(`${label} ${formatDate(e.date, view.locale)}${e.detail ? ` (${e.detail})` : ''}`, money(e.amount));
  }
  flow.ensure(30);
  flow.moveDown(2);
  flow.page.drawRectangle({ x: x - 6, y: flow.y - 20, width: width + 6, height: 22, color: accent, opacity: 0.14 });
  flow.moveDown(3);
  row('Balance due', money(ledger.balance), true);
  if (view.invoice.status === 'paid') drawPaidStamp(flow, x - 120, accent);
}

function drawPaidStamp(flow: PageFlow, x: number, color: RGB): void {
  const y = flow.y + 12;
  flow.page.drawRectangle({ x, y, width: 86, height: 30, borderColor: color, borderWidth: 2, rotate: degrees(8), borderOpacity: 0.9 });
  flow.page.drawText('PAID', { x: x + 14, y: y + 10, size: 18, font: flow.fonts.bold, color, rotate: degrees(8), opacity: 0.9 });
}

function drawWatermark(page: PDFPage, font: PDFFont, text: string, color: RGB): void {
  const size = 110;
  const { width, height } = page.getSize();
  const w = font.widthOfTextAtSize(text, size);
  // Centred along the rising diagonal: start half the text length back from the centre at 45°.
  const d = w / 2 / Math.SQRT2;
  page.drawText(text, { x: width / 2 - d + size * 0.25, y: height / 2 - d - size * 0.25, size, font, color, rotate: degrees(45), opacity: 0.13 });
}
