/**
 * What the billing calculator takes (TypeBox schemas, the wire contract: amounts are JSON integers of
 * minor units) and what it returns (bigint amounts; `document-json.ts` turns them back into numbers).
 */
import { Type, type Static } from 'typebox';
import { DECIMAL_PATTERN, type RoundingMode } from './decimal.ts';
import { Jurisdiction } from './tax-rules.ts';

const Reason = Type.String({ minLength: 1, maxLength: 200, description: 'Why, printed on the document and kept for audit' });

/**
 * A discount or adjustment, applied before tax, in the order listed, each to what the earlier ones left.
 * A negative value is an upward adjustment (a surcharge). With tax-inclusive prices it reduces the
 * tax-inclusive amount.
 */
export const Discount = Type.Union([
  Type.Object(
    { kind: Type.Literal('percent'), value: Type.String({ pattern: DECIMAL_PATTERN, description: 'Exact decimal percent, at most "100"' }), reason: Reason },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal('amount'), value: Type.Integer({ description: 'Minor units' }), reason: Reason },
    { additionalProperties: false },
  ),
]);
export type Discount = Static<typeof Discount>;

export const InvoiceLineInput = Type.Object(
  {
    description: Type.String({ maxLength: 500 }),
    category: Type.String({ minLength: 1, maxLength: 64, description: 'Matched against jurisdictions’ exemptCategories, e.g. "medical_service"' }),
    quantity: Type.String({ pattern: DECIMAL_PATTERN, description: 'Exact decimal, greater than zero, e.g. "2.5"' }),
    unitPrice: Type.Integer({ minimum: 0, description: 'Minor units; tax-inclusive when the invoice says pricesIncludeTax' }),
    discounts: Type.Optional(Type.Array(Discount, { maxItems: 20 })),
  },
  { additionalProperties: false },
);
export type InvoiceLineInput = Static<typeof InvoiceLineInput>;

export const RoundingPolicy = Type.Object(
  {
    mode: Type.Union([Type.Literal('half_up'), Type.Literal('half_even')]),
    level: Type.Union([Type.Literal('line'), Type.Literal('invoice')], {
      description: 'Round each line’s taxes, or each tax’s invoice total (then spread back to lines)',
    }),
  },
  { additionalProperties: false },
);
export type RoundingPolicy = Static<typeof RoundingPolicy>;

export const InvoiceInput = Type.Object(
  {
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217' }),
    issueDate: Type.String({ format: 'date', description: 'Chooses the tax rates in force' }),
    pricesIncludeTax: Type.Boolean(),
    rounding: RoundingPolicy,
    jurisdictions: Type.Array(Jurisdiction, { maxItems: 20 }),
    lines: Type.Array(InvoiceLineInput, { minItems: 1, maxItems: 500 }),
    invoiceDiscounts: Type.Optional(Type.Array(Discount, { maxItems: 20 })),
  },
  { additionalProperties: false },
);
export type InvoiceInput = Static<typeof InvoiceInput>;

/** One tax on a line or a document. */
export interface TaxAmount {
  readonly jurisdiction: string;
  readonly name: string;
  readonly ratePercent: string;
  readonly compound: boolean;
  readonly amount: bigint;
}

/** A discount as applied to one line: its own (`scope: 'line'`) or its share of an invoice discount. */
export interface AppliedDiscount {
  readonly scope: 'line' | 'invoice';
  /** Position in the line's `discounts` or in the invoice's `invoiceDiscounts`. */
  readonly index: number;
  readonly kind: 'percent' | 'amount';
  /** As given: a decimal percent string, or minor units as a decimal string. */
  readonly value: string;
  readonly reason: string;
  readonly amount: bigint;
}

export interface DocumentLine {
  readonly description: string;
  readonly category: string;
  readonly quantity: string;
  readonly unitPrice: bigint;
  /** For a credit note: the invoice line it credits. */
  readonly creditsLine?: number;
  /** quantity × unitPrice, rounded to a minor unit; includes tax when prices include tax. */
  readonly amount: bigint;
  readonly discounts: readonly AppliedDiscount[];
  /** Sum of `discounts` (negative for a net surcharge). */
  readonly discount: bigint;
  /** The taxable base, excluding tax. */
  readonly net: bigint;
  /** Only the taxes that apply to this line's category. */
  readonly taxes: readonly TaxAmount[];
  readonly taxTotal: bigint;
  /** net + taxTotal: what the customer pays for the line. */
  readonly total: bigint;
}

/** An invoice, or a credit note (the same shape, every amount negative). */
export interface BillingDocument {
  readonly kind: 'invoice' | 'credit_note';
  readonly currency: string;
  readonly issueDate: string;
  readonly pricesIncludeTax: boolean;
  readonly rounding: { readonly mode: RoundingMode; readonly level: 'line' | 'invoice' };
  readonly lines: readonly DocumentLine[];
  /** Invoice discounts with the total each came to (the sum of its shares on the lines). */
  readonly invoiceDiscounts: readonly { readonly kind: 'percent' | 'amount'; readonly value: string; readonly reason: string; readonly amount: bigint }[];
  /** Sum of line amounts, before discounts. */
  readonly subtotal: bigint;
  readonly discountTotal: bigint;
  readonly netTotal: bigint;
  /** One entry per tax in force on the issue date, in jurisdiction order (zero when every line is exempt). */
  readonly taxTotals: readonly TaxAmount[];
  readonly taxTotal: bigint;
  readonly total: bigint;
}
