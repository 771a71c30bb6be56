/**
 * The invoice calculator: lines, discounts and tax rules in, every amount of the document out, in
 * integer minor units, with the lines summing exactly to the totals. Pure: no clock, no database.
 *
 * The order, and why:
 * 1. Each line's amount is quantity × unit price, rounded to a minor unit (a line shows whole cents).
 * 2. Line discounts, then invoice discounts, all before tax, each on what the earlier ones left. An
 *    invoice discount is spread over the lines pro rata to what they have left, by largest remainder,
 *    so the shares sum to the discount exactly and no line goes below zero.
 * 3. Taxes on the discounted amount. Exclusive prices: tax_k = base × coefficient_k (see
 *    `taxCoefficients`; several taxes share one base unless one is `compound`). Inclusive prices: the
 *    discounted amount is the gross, net = gross / (1 + Σ coefficients) and tax = gross - net, so the
 *    customer pays exactly the price shown.
 * 4. Rounding at the tenant's level: `line` rounds each line's taxes (inclusive: the net, then splits
 *    gross - net over its taxes by largest remainder); `invoice` rounds each tax's exact invoice total
 *    once and spreads it back to the lines by largest remainder. Either way each line's tax is within
 *    one minor unit of exact and the totals are the sums of the lines.
 */
import { validationError, type FieldError } from '../../errors/catalogue.ts';
import { allocateLargestRemainder, proRataShares } from './allocation.ts';
import { add, div, mul, mulMoney, ONE, percentToFraction, rational, round, sumRationals, type Rational, type RoundingMode } from './decimal.ts';
import { assertDocumentInvariants, totalsOf } from './document-totals.ts';
import type { AppliedDiscount, BillingDocument, DocumentLine, InvoiceInput } from './invoice-schemas.ts';
import { parseInvoiceInput, type ParsedDiscount } from './invoice-validation.ts';
import { taxCoefficients, taxesInForce } from './tax-rules.ts';

/** What a discount takes off `left`, or undefined when an amount discount exceeds it. */
function discountOf(d: ParsedDiscount, left: bigint, mode: RoundingMode): bigint | undefined {
  if (d.kind === 'percent') return round(mulMoney(left, percentToFraction(d.percent)), mode);
  return d.amount <= left ? d.amount : undefined;
}

const describe = (d: ParsedDiscount) => ({ kind: d.kind, value: String(d.source.value), reason: d.source.reason });

/**
 * Computes every amount of an invoice. Throws `validation_failed` (field paths such as
 * `lines[2].quantity`) for input it cannot compute.
 *
 * @example
 * computeInvoice({ currency: 'USD', issueDate: '2026-05-01', pricesIncludeTax: false,
 *   rounding: { mode: 'half_up', level: 'line' }, jurisdictions: [ny],
 *   lines: [{ description: 'Brace', category: 'retail_product', quantity: '1', unitPrice: 1200 }] })
 * // → total 1307n (1200 + 8.875% = 106.5 → 107)
 */
export function computeInvoice(input: InvoiceInput): BillingDocument {
  const { lines, invoiceDiscounts } = parseInvoiceInput(input);
  const { mode, level } = input.rounding;
  const errors: FieldError[] = [];

  const amounts = lines.map((l) => round(mulMoney(l.unitPrice, l.quantity), mode));
  const left = [...amounts];
  const applied: AppliedDiscount[][] = lines.map(() => []);

  lines.forEach((line, i) =>
    line.discounts.forEach((d, j) => {
      const amount = discountOf(d, left[i]!, mode);
      if (amount === undefined) {
        errors.push({ field: `lines[${i}].discounts[${j}].value`, message: `exceeds the ${left[i]} minor units left on the line` });
        return;
      }
      left[i]! -= amount;
      applied[i]!.push({ scope: 'line', index: j, ...describe(d), amount });
    }),
  );

  invoiceDiscounts.forEach((d, j) => {
    const base = left.reduce((a, b) => a + b, 0n);
    const amount = discountOf(d, base, mode);
    if (amount === undefined || (base === 0n && amount !== 0n)) {
      errors.push({ field: `invoiceDiscounts[${j}].value`, message: `exceeds the ${base} minor units left on the invoice` });
      return;
    }
    allocateLargestRemainder(amount, proRataShares(amount, left)).forEach((share, i) => {
      left[i]! -= share;
      applied[i]!.push({ scope: 'invoice', index: j, ...describe(d), amount: share });
    });
  });
  if (errors.length > 0) throw validationError(errors, 'The discounts cannot be applied');

  // Exact taxes: exact[i][k] is line i's tax k, or undefined when the line's category is exempt from it.
  const taxes = taxesInForce(input.jurisdictions, input.issueDate);
  const exactNet: Rational[] = [];
  const exact = lines.map((_, i) => {
    const coefficients = taxCoefficients(taxes, input.lines[i]!.category);
    const gross = rational(left[i]!);
    const net = input.pricesIncludeTax ? div(gross, add(ONE, sumRationals(coefficients.map((c) => c.coefficient)))) : gross;
    exactNet.push(net);
    const row: (Rational | undefined)[] = taxes.map(() => undefined);
    for (const c of coefficients) row[c.index] = mul(net, c.coefficient);
    return row;
  });

  const rounded: bigint[][] = level === 'line' ? roundPerLine() : roundPerInvoice();

  function roundPerLine(): bigint[][] {
    return exact.map((row, i) => {
      if (!input.pricesIncludeTax) return row.map((t) => (t === undefined ? 0n : round(t, mode)));
      // Inclusive: round the net once; the line's tax is whatever the gross leaves, split over its taxes.
      const taxTotal = left[i]! - round(exactNet[i]!, mode);
      return allocateLargestRemainder(taxTotal, row.map((t) => t ?? rational(0n)));
    });
  }

  function roundPerInvoice(): bigint[][] {
    const columns = taxes.map((_, k) => {
      const shares = exact.map((row) => row[k] ?? rational(0n));
      return allocateLargestRemainder(round(sumRationals(shares), mode), shares);
    });
    return exact.map((_, i) => columns.map((column) => column[i]!));
  }

  const documentLines: DocumentLine[] = lines.map((line, i) => {
    const source = input.lines[i]!;
    const lineTaxes = taxes.flatMap((t, k) =>
      exact[i]![k] === undefined
        ? []
        : [{ jurisdiction: t.code, name: t.name, ratePercent: t.ratePercent, compound: t.compound, amount: rounded[i]![k]! }],
    );
    const taxTotal = lineTaxes.reduce((a, t) => a + t.amount, 0n);
    const net = input.pricesIncludeTax ? left[i]! - taxTotal : left[i]!;
    return {
      description: source.description,
      category: source.category,
      quantity: source.quantity,
      unitPrice: line.unitPrice,
      amount: amounts[i]!,
      discounts: applied[i]!,
      discount: amounts[i]! - left[i]!,
      net,
      taxes: lineTaxes,
      taxTotal,
      total: net + taxTotal,
    };
  });

  const headings = taxes.map((t) => ({ jurisdiction: t.code, name: t.name, ratePercent: t.ratePercent, compound: t.compound }));
  const totals = totalsOf(documentLines, headings, invoiceDiscounts.map(describe));
  const document: BillingDocument = {
    kind: 'invoice',
    currency: input.currency,
    issueDate: input.issueDate,
    pricesIncludeTax: input.pricesIncludeTax,
    rounding: { mode, level },
    lines: documentLines,
    ...totals,
    // At invoice level each tax total is the rounded exact total, set independently of the lines, so
    // the invariant check below proves the spread-back really sums to it.
    taxTotals: level === 'invoice'
      ? headings.map((h, k) => ({ ...h, amount: round(sumRationals(exact.map((row) => row[k] ?? rational(0n))), mode) }))
      : totals.taxTotals,
  };
  assertDocumentInvariants(document);
  return document;
}
