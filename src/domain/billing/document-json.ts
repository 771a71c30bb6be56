/**
 * Billing documents on the wire and in storage: every bigint amount becomes a JSON number of minor
 * units (see money.ts for why numbers, and the safe-integer check that makes them lossless).
 */
import type { BillingDocument, DocumentLine } from './invoice-schemas.ts';
import { fromWireAmount, toWireAmount } from './money.ts';

/** `T` with every bigint replaced by number: the JSON shape of a billing type. */
export type Wire<T> = T extends bigint
  ? number
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** A document as JSON-safe data; throws if an amount is beyond the safe-integer range. */
export function documentToWire(doc: BillingDocument): Wire<BillingDocument> {
  return convert(doc) as Wire<BillingDocument>;
}

function convert(value: unknown): unknown {
  if (typeof value === 'bigint') return toWireAmount(value);
  if (Array.isArray(value)) return value.map(convert);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v)]));
  }
  return value;
}

const line = (l: Wire<DocumentLine>): DocumentLine => ({
  ...l,
  unitPrice: fromWireAmount(l.unitPrice),
  amount: fromWireAmount(l.amount),
  discounts: l.discounts.map((d) => ({ ...d, amount: fromWireAmount(d.amount) })),
  discount: fromWireAmount(l.discount),
  net: fromWireAmount(l.net),
  taxes: l.taxes.map((t) => ({ ...t, amount: fromWireAmount(t.amount) })),
  taxTotal: fromWireAmount(l.taxTotal),
  total: fromWireAmount(l.total),
});

/** A stored document back to bigint amounts (e.g. an issued invoice to credit). */
export function documentFromWire(doc: Wire<BillingDocument>): BillingDocument {
  return {
    ...doc,
    lines: doc.lines.map(line),
    invoiceDiscounts: doc.invoiceDiscounts.map((d) => ({ ...d, amount: fromWireAmount(d.amount) })),
    subtotal: fromWireAmount(doc.subtotal),
    discountTotal: fromWireAmount(doc.discountTotal),
    netTotal: fromWireAmount(doc.netTotal),
    taxTotals: doc.taxTotals.map((t) => ({ ...t, amount: fromWireAmount(t.amount) })),
    taxTotal: fromWireAmount(doc.taxTotal),
    total: fromWireAmount(doc.total),
  };
}
