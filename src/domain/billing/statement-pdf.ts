/**
 * Renders a patient statement as a PDF in the practice's branding: the letterhead (logo, colours,
 * name, address, contact details and tax ids), the period and the patient, then every entry of the
 * period with its running balance between an opening and a closing balance row (the table breaks
 * across pages with its header repeated under a running header), the period's totals, what is due
 * now and the aging of the patient's open invoices; "Page x of y" on every page.
 * Pure: it draws what `StatementPdfView` holds (loaded by statement-pdf-service.ts).
 */
import type { RGB } from 'pdf-lib';
import type { Branding } from '../branding/branding-schemas.ts';
import { INK, MUTED, PageFlow } from './pdf-kit.ts';
import { drawPageFooter, drawParties, openLetterhead, type LogoBytes, type TaxId } from './pdf-letterhead.ts';
import { formatDate, formatMinorUnits, hexColor, textColorOn, tintColor } from './pdf-text.ts';
import type { Statement } from './statement-schemas.ts';

export interface StatementPdfView {
  readonly branding: Branding;
  readonly logo: LogoBytes | null;
  readonly taxIds: readonly TaxId[];
  /** BCP 47, for money and dates (the practice's setting). */
  readonly locale: string;
  readonly statement: Statement;
}

/** The aging buckets in print order, as a patient reads them. */
export const AGING_LABELS = [
  ['days0to30', '0-30 days'],
  ['days31to60', '31-60 days'],
  ['days61to90', '61-90 days'],
  ['over90', 'Over 90 days'],
] as const;

type Money = (amount: number) => string;

export async function renderStatementPdf(view: StatementPdfView): Promise<Uint8Array> {
  const { branding, statement: s } = view;
  const { doc, flow, accent } = await openLetterhead(branding, view.logo, {
    title: 'Statement',
    documentName: `Statement ${s.from} to ${s.to}`,
    currency: s.currency,
    continuationLabel: `Statement - ${s.patient.name} (continued)`,
  });
  // Wire amounts are safe integers of minor units; BigInt keeps the formatting exact.
  const money: Money = (amount) => formatMinorUnits(BigInt(amount), s.currency, view.locale);

  drawStatementParties(flow, view, money);
  flow.moveDown(16);
  drawEntries(flow, view, money);
  flow.moveDown(12);
  drawTotals(flow, view, money, accent);
  flow.moveDown(10);
  drawAging(flow, view, money);
  drawContact(flow, branding);

  flow.stampPages((page, index, count) => drawPageFooter(flow, page, `${branding.displayName} - Statement for ${s.patient.name}`, index, count));
  return doc.save();
}

/** "Mar 1, 2026 – May 30, 2026" in the practice's locale. */
function periodText(view: StatementPdfView): string {
  return `${formatDate(view.statement.from, view.locale)} – ${formatDate(view.statement.to, view.locale)}`;
}

/** The letterhead's parties block: statement date, period, MRN and what is due now. */
function drawStatementParties(flow: PageFlow, view: StatementPdfView, money: Money): void {
  const s = view.statement;
  const facts: [string, string][] = [
    ['Statement date', formatDate(s.generatedOn, view.locale)],
    ['Period', periodText(view)],
    ['Patient MRN', s.patient.mrn],
    [s.amountDue < 0 ? 'Credit balance' : 'Amount due now', money(Math.abs(s.amountDue))],
  ];
  drawParties(flow, view.branding, view.taxIds, { facts, labelShare: 0.4, heading: 'STATEMENT FOR', recipient: s.patient });
}

/**
 * The ledger of the period between its opening and closing balance rows. Charges (invoices, refunds)
 * and credits (payments and credit notes, negative) get a column each, so the eye can add either side.
 */
function drawEntries(flow: PageFlow, view: StatementPdfView, money: Money): void {
  const { statement: s, locale } = view;
  const rows: string[][] = [[formatDate(s.from, locale), 'Opening balance', '', '', money(s.openingBalance)]];
  for (const e of s.entries) {
    rows.push([formatDate(e.date, locale), e.description, e.amount >= 0 ? money(e.amount) : '', e.amount < 0 ? money(e.amount) : '', money(e.balance)]);
  }
  if (s.entries.length === 0) rows.push(['', 'No invoices, credits, payments or refunds in this period', '', '', '']);
  rows.push([formatDate(s.to, locale), 'Closing balance', '', '', money(s.closingBalance)]);
  const brand = view.branding.primaryColor;
  flow.table(
    [
      { header: 'Date', weight: 14 },
      { header: 'Description', weight: 44 },
      { header: 'Charges', weight: 14, align: 'right' },
      { header: 'Credits', weight: 14, align: 'right' },
      { header: 'Balance', weight: 14, align: 'right' },
    ],
    rows,
    { size: 9, headerFill: hexColor(brand), headerText: textColorOn(brand), stripe: tintColor(brand, 0.93) },
  );
}

/** The period's totals from the opening to the closing balance, then what is due today. */
function drawTotals(flow: PageFlow, view: StatementPdfView, money: Money, accent: RGB): void {
  const { fonts } = flow;
  const s = view.statement;
  const width = 300;
  const x = flow.right - width;
  const row = (label: string, amount: string, bold = false) => {
    flow.ensure(15);
    const font = bold ? fonts.bold : fonts.regular;
    flow.textAt(label, x, flow.y, width * 0.68, { font, size: bold ? 10.5 : 9.5 });
    flow.textAt(amount, x + width * 0.68, flow.y, width * 0.32, { font, size: bold ? 10.5 : 9.5 }, 'right');
    flow.moveDown(bold ? 17 : 14.5);
  };
  // Keep the block together: a total alone at the top of a page reads as a different document.
  flow.ensure(14.5 * 5 + 17 * 2 + 40);
  row('Opening balance', money(s.openingBalance));
  row('Invoiced', money(s.periodTotals.invoiced));
  if (s.periodTotals.credited !== 0) row('Credit notes', money(-s.periodTotals.credited));
  row('Payments received', money(-s.periodTotals.paid));
  if (s.periodTotals.refunded !== 0) row('Refunds', money(s.periodTotals.refunded));
  flow.rule(INK, 0.75, x, width);
  flow.moveDown(5);
  row(`Closing balance (${formatDate(s.to, view.locale)})`, money(s.closingBalance), true);

  flow.moveDown(2);
  flow.page.drawRectangle({ x: x - 6, y: flow.y - 20, width: width + 6, height: 22, color: accent, opacity: 0.14 });
  flow.moveDown(3);
  if (s.amountDue < 0) row('Credit balance', money(-s.amountDue), true);
  else row('Amount due now', money(s.amountDue), true);
  if (s.amountDue !== s.closingBalance) {
    flow.paragraph(`Amount due now includes everything recorded after ${formatDate(s.to, view.locale)}.`, { size: 8.5, color: MUTED }, x, width);
  }
}

/** One line of aging: what is still open, by how long since the invoice was issued. */
function drawAging(flow: PageFlow, view: StatementPdfView, money: Money): void {
  const { aging } = view.statement;
  flow.ensure(60);
  flow.textAt(`AGING OF OPEN INVOICES AS OF ${formatDate(aging.asOf, view.locale).toUpperCase()}`, flow.left, flow.y, flow.width, {
    font: flow.fonts.bold,
    size: 8,
    color: hexColor(view.branding.accentColor),
  });
  flow.moveDown(13);
  const brand = view.branding.primaryColor;
  flow.table(
    [...AGING_LABELS.map(([, label]) => ({ header: label, weight: 1, align: 'right' as const })), { header: 'Total open', weight: 1, align: 'right' }],
    [[...AGING_LABELS.map(([key]) => money(aging.buckets[key])), money(aging.total)]],
    { size: 9, headerFill: tintColor(brand, 0.8), headerText: INK },
  );
}

/** Who to ask about the statement, in the practice's own words where it has them. */
function drawContact(flow: PageFlow, b: Branding): void {
  const ways = [b.phone ? `call ${b.phone}` : null, b.email ? `write to ${b.email}` : null].filter((w): w is string => w !== null);
  flow.moveDown(14);
  flow.paragraph(
    `Questions about this statement? Please ${ways.length > 0 ? ways.join(' or ') : 'contact us'}.`,
    { size: 9, color: MUTED },
  );
}
