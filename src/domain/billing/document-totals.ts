/**
 * A billing document's totals from its lines, and the invariants every document must keep: each line
 * adds up, and every total is exactly the sum of its lines. Checked on every computed document, so a
 * bug shows up as an error here rather than as a cent missing from a tax return.
 */
import type { BillingDocument, DocumentLine, TaxAmount } from './invoice-schemas.ts';

type TaxHeading = Omit<TaxAmount, 'amount'>;
type DiscountHeading = Omit<BillingDocument['invoiceDiscounts'][number], 'amount'>;

const sum = (values: readonly bigint[]): bigint => values.reduce((a, b) => a + b, 0n);

/** What a tax amounts to over the lines. */
export const lineTaxSum = (lines: readonly DocumentLine[], code: string): bigint =>
  sum(lines.flatMap((l) => l.taxes.filter((t) => t.jurisdiction === code).map((t) => t.amount)));

/** What invoice discount `index` amounts to over the lines. */
export const lineInvoiceDiscountSum = (lines: readonly DocumentLine[], index: number): bigint =>
  sum(lines.flatMap((l) => l.discounts.filter((d) => d.scope === 'invoice' && d.index === index).map((d) => d.amount)));

/** The document totals as sums of `lines`. */
export function totalsOf(
  lines: readonly DocumentLine[],
  taxes: readonly TaxHeading[],
  invoiceDiscounts: readonly DiscountHeading[],
): Pick<BillingDocument, 'subtotal' | 'discountTotal' | 'netTotal' | 'taxTotals' | 'taxTotal' | 'total' | 'invoiceDiscounts'> {
  const taxTotals = taxes.map((t) => ({ ...t, amount: lineTaxSum(lines, t.jurisdiction) }));
  return {
    invoiceDiscounts: invoiceDiscounts.map((d, index) => ({ ...d, amount: lineInvoiceDiscountSum(lines, index) })),
    subtotal: sum(lines.map((l) => l.amount)),
    discountTotal: sum(lines.map((l) => l.discount)),
    netTotal: sum(lines.map((l) => l.net)),
    taxTotals,
    taxTotal: sum(taxTotals.map((t) => t.amount)),
    total: sum(lines.map((l) => l.total)),
  };
}

/** Throws when the document breaks an invariant; the message names the first one broken. */
export function assertDocumentInvariants(doc: BillingDocument): void {
  const fail = (what: string) => {
    throw new Error(`Billing invariant broken: ${what}`);
  };
  const isMoney = (v: unknown) => typeof v === 'bigint';
  doc.lines.forEach((l, i) => {
    const amounts = [l.amount, l.discount, l.net, l.taxTotal, l.total, ...l.taxes.map((t) => t.amount), ...l.discounts.map((d) => d.amount)];
    if (!amounts.every(isMoney)) fail(`lines[${i}] has an amount that is not a bigint`);
    if (sum(l.discounts.map((d) => d.amount)) !== l.discount) fail(`lines[${i}].discount is not the sum of its discounts`);
    if (sum(l.taxes.map((t) => t.amount)) !== l.taxTotal) fail(`lines[${i}].taxTotal is not the sum of its taxes`);
    if (l.net + l.taxTotal !== l.total) fail(`lines[${i}].total is not net + taxTotal`);
    // Inclusive prices: the customer pays exactly the discounted price. Exclusive: tax comes on top.
    if (doc.pricesIncludeTax ? l.amount - l.discount !== l.total : l.amount - l.discount !== l.net) {
      fail(`lines[${i}] discounted amount does not match its ${doc.pricesIncludeTax ? 'total' : 'net'}`);
    }
  });
  const expected = totalsOf(doc.lines, doc.taxTotals, doc.invoiceDiscounts);
  for (const key of ['subtotal', 'discountTotal', 'netTotal', 'taxTotal', 'total'] as const) {
    if (!isMoney(doc[key]) || doc[key] !== expected[key]) fail(`${key} is not the sum of the lines`);
  }
  doc.taxTotals.forEach((t, k) => {
    if (t.amount !== expected.taxTotals[k]!.amount) fail(`taxTotals[${k}] (${t.jurisdiction}) is not the sum of the lines`);
  });
  doc.invoiceDiscounts.forEach((d, j) => {
    if (d.amount !== expected.invoiceDiscounts[j]!.amount) fail(`invoiceDiscounts[${j}] is not the sum of its shares`);
  });
  if (doc.netTotal + doc.taxTotal !== doc.total) fail('total is not netTotal + taxTotal');
}
