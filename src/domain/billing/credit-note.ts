/**
 * Credit notes: negative documents that take back all or part of an issued invoice. Amounts come from
 * the invoice as issued (its frozen amounts, rates and rounding), never from recomputing with today's
 * rules, so a credit can only ever cancel what was charged.
 *
 * Crediting `q` of a line's remaining quantity `r` credits q/r of every amount still uncredited on that
 * line (amount, each discount share, each tax), each rounded with the invoice's mode; net and total
 * then follow from the line identities so the credit line adds up. When q is all that remains the
 * fraction is 1: the remaining amounts are credited exactly. So a full credit negates the invoice to
 * the minor unit, and so does any series of partial credits that ends up covering it.
 */
import { validationError, type FieldError } from '../../errors/catalogue.ts';
import { compare, div, mulMoney, parseDecimal, round, sub, sumRationals, tryParseDecimal, type Rational } from './decimal.ts';
import { isIsoDate } from './dates.ts';
import { assertDocumentInvariants, totalsOf } from './document-totals.ts';
import type { BillingDocument, DocumentLine } from './invoice-schemas.ts';

/** Which invoice line to credit and how much of its quantity (exact decimal, e.g. "1" or "0.5"). */
export interface CreditSelection {
  readonly line: number;
  readonly quantity: string;
}

export interface CreditNoteOptions {
  /** The credit note's own date; defaults to the invoice's. Rates stay the invoice's either way. */
  readonly issueDate?: string;
  /** Credit notes already issued against this invoice, so only what remains can be credited. */
  readonly previousCredits?: readonly BillingDocument[];
}

/** What is left of invoice line `i` after earlier credits (those are negative, so they are added). */
function remainingOf(invoiceLine: DocumentLine, credits: readonly DocumentLine[]) {
  const plus = (pick: (l: DocumentLine) => bigint) => credits.reduce((a, c) => a + pick(c), pick(invoiceLine));
  return {
    quantity: sub(parseDecimal(invoiceLine.quantity), sumRationals(credits.map((c) => parseDecimal(c.quantity)))),
    amount: plus((l) => l.amount),
    discounts: invoiceLine.discounts.map((d) =>
      plus((l) => l.discounts.find((x) => x.scope === d.scope && x.index === d.index)?.amount ?? 0n),
    ),
    taxes: invoiceLine.taxes.map((t) => plus((l) => l.taxes.find((x) => x.jurisdiction === t.jurisdiction)?.amount ?? 0n)),
  };
}

/**
 * A credit note for `selection` of an issued invoice; every amount is zero or negative.
 * Throws `validation_failed` (fields `selection[0].quantity`, …) for a selection it cannot credit.
 *
 * @example computeCreditNote(invoice, invoice.lines.map((l, line) => ({ line, quantity: l.quantity })))
 * // → a credit note whose total is exactly -invoice.total
 */
export function computeCreditNote(invoice: BillingDocument, selection: readonly CreditSelection[], options: CreditNoteOptions = {}): BillingDocument {
  const errors: FieldError[] = [];
  const previous = options.previousCredits ?? [];
  if (invoice.kind !== 'invoice') errors.push({ field: 'invoice', message: 'only an invoice can be credited' });
  if (previous.some((c) => c.kind !== 'credit_note')) errors.push({ field: 'previousCredits', message: 'must all be credit notes' });
  if (options.issueDate !== undefined && !isIsoDate(options.issueDate)) errors.push({ field: 'issueDate', message: 'must be a date YYYY-MM-DD' });
  if (!Array.isArray(selection) || selection.length === 0) errors.push({ field: 'selection', message: 'select at least one line to credit' });
  if (errors.length > 0) throw validationError(errors, 'The credit note cannot be computed');

  const mode = invoice.rounding.mode;
  const seen = new Set<number>();
  const lines: DocumentLine[] = [];
  selection.forEach((s, n) => {
    const at = `selection[${n}]`;
    const invoiceLine = Number.isInteger(s.line) ? invoice.lines[s.line] : undefined;
    if (invoiceLine === undefined) return void errors.push({ field: `${at}.line`, message: `is not a line of the invoice (0 to ${invoice.lines.length - 1})` });
    if (seen.has(s.line)) return void errors.push({ field: `${at}.line`, message: 'is selected twice' });
    seen.add(s.line);
    const remaining = remainingOf(invoiceLine, previous.flatMap((c) => c.lines.filter((l) => l.creditsLine === s.line)));
    const quantity = tryParseDecimal(s.quantity);
    if (quantity === undefined || quantity.num <= 0n) return void errors.push({ field: `${at}.quantity`, message: 'must be a decimal string greater than zero' });
    if (compare(quantity, remaining.quantity) > 0) {
      return void errors.push({ field: `${at}.quantity`, message: `exceeds the quantity not yet credited` });
    }
    const fraction: Rational = div(quantity, remaining.quantity);
    const credit = (amount: bigint) => -round(mulMoney(amount, fraction), mode);

    const amount = credit(remaining.amount);
    const discounts = invoiceLine.discounts.map((d, k) => ({ ...d, amount: credit(remaining.discounts[k]!) }));
    const discount = discounts.reduce((a, d) => a + d.amount, 0n);
    const taxes = invoiceLine.taxes.map((t, k) => ({ ...t, amount: credit(remaining.taxes[k]!) }));
    const taxTotal = taxes.reduce((a, t) => a + t.amount, 0n);
    const net = invoice.pricesIncludeTax ? amount - discount - taxTotal : amount - discount;
    lines.push({
      description: invoiceLine.description,
      category: invoiceLine.category,
      quantity: s.quantity,
      unitPrice: invoiceLine.unitPrice,
      creditsLine: s.line,
      amount,
      discounts,
      discount,
      net,
      taxes,
      taxTotal,
      total: net + taxTotal,
    });
  });
  if (errors.length > 0) throw validationError(errors, 'The credit note cannot be computed');

  const headings = invoice.taxTotals.map(({ amount: _, ...heading }) => heading);
  const discountHeadings = invoice.invoiceDiscounts.map(({ amount: _, ...heading }) => heading);
  const document: BillingDocument = {
    kind: 'credit_note',
    currency: invoice.currency,
    issueDate: options.issueDate ?? invoice.issueDate,
    pricesIncludeTax: invoice.pricesIncludeTax,
    rounding: invoice.rounding,
    lines,
    ...totalsOf(lines, headings, discountHeadings),
  };
  assertDocumentInvariants(document);
  return document;
}
