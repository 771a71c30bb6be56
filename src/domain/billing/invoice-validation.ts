/**
 * Checks an invoice input beyond what its schema can say (exact decimals, real dates, known currency,
 * rate periods) and parses it into exact values. The calculator is also called from the CLI and tests,
 * so it does not assume a route validated the shape first. Every problem is reported at once, each
 * with its field path (`lines[2].quantity`).
 */
import { validationError, type FieldError } from '../../errors/catalogue.ts';
import { compare, rational, tryParseDecimal, type Rational } from './decimal.ts';
import { isIsoDate } from './dates.ts';
import type { Discount, InvoiceInput } from './invoice-schemas.ts';
import { minorUnitDigits } from './money.ts';
import { validateJurisdictions } from './tax-rules.ts';

/** A discount parsed: a percent as an exact number of percent, an amount in minor units. */
export type ParsedDiscount =
  | { readonly kind: 'percent'; readonly percent: Rational; readonly source: Discount }
  | { readonly kind: 'amount'; readonly amount: bigint; readonly source: Discount };

export interface ParsedLine {
  readonly quantity: Rational;
  readonly unitPrice: bigint;
  readonly discounts: readonly ParsedDiscount[];
}

const HUNDRED = rational(100n);

function parseDiscounts(list: unknown, path: string, errors: FieldError[]): ParsedDiscount[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    errors.push({ field: path, message: 'must be a list of discounts' });
    return [];
  }
  return (list as Discount[]).flatMap((d, i): ParsedDiscount[] => {
    const at = `${path}[${i}]`;
    if (typeof d?.reason !== 'string' || d.reason.trim() === '') errors.push({ field: `${at}.reason`, message: 'a discount needs a reason' });
    if (d?.kind === 'percent') {
      const percent = tryParseDecimal(d.value);
      if (percent === undefined) errors.push({ field: `${at}.value`, message: 'must be a decimal percent string such as "10" or "12.5"' });
      else if (compare(percent, HUNDRED) > 0) errors.push({ field: `${at}.value`, message: 'cannot exceed 100 percent' });
      else return [{ kind: 'percent', percent, source: d }];
    } else if (d?.kind === 'amount') {
      if (!Number.isSafeInteger(d.value)) errors.push({ field: `${at}.value`, message: 'must be an integer amount of minor units' });
      else return [{ kind: 'amount', amount: BigInt(d.value), source: d }];
    } else {
      errors.push({ field: `${at}.kind`, message: 'must be "percent" or "amount"' });
    }
    return [];
  });
}

/** The input's lines and invoice discounts as exact values; throws `validation_failed` listing every problem. */
export function parseInvoiceInput(input: InvoiceInput): { lines: ParsedLine[]; invoiceDiscounts: ParsedDiscount[] } {
  const errors: FieldError[] = [];
  if (typeof input.currency !== 'string' || minorUnitDigits(input.currency) === undefined) {
    errors.push({ field: 'currency', message: 'is not a supported ISO 4217 currency' });
  }
  if (!isIsoDate(input.issueDate)) errors.push({ field: 'issueDate', message: 'must be a date YYYY-MM-DD' });
  if (typeof input.pricesIncludeTax !== 'boolean') errors.push({ field: 'pricesIncludeTax', message: 'must be true or false' });
  if (input.rounding?.mode !== 'half_up' && input.rounding?.mode !== 'half_even') {
    errors.push({ field: 'rounding.mode', message: 'must be "half_up" or "half_even"' });
  }
  if (input.rounding?.level !== 'line' && input.rounding?.level !== 'invoice') {
    errors.push({ field: 'rounding.level', message: 'must be "line" or "invoice"' });
  }
  if (!Array.isArray(input.jurisdictions)) errors.push({ field: 'jurisdictions', message: 'must be a list' });
  else errors.push(...validateJurisdictions(input.jurisdictions));

  const lines: ParsedLine[] = [];
  if (!Array.isArray(input.lines) || input.lines.length === 0) errors.push({ field: 'lines', message: 'an invoice needs at least one line' });
  else {
    input.lines.forEach((line, i) => {
      const at = `lines[${i}]`;
      if (typeof line?.category !== 'string' || line.category === '') errors.push({ field: `${at}.category`, message: 'must be a non-empty string' });
      const quantity = tryParseDecimal(line?.quantity);
      if (quantity === undefined || quantity.num <= 0n) errors.push({ field: `${at}.quantity`, message: 'must be a decimal string greater than zero, e.g. "1" or "2.5"' });
      const priceOk = Number.isSafeInteger(line?.unitPrice) && line.unitPrice >= 0;
      if (!priceOk) errors.push({ field: `${at}.unitPrice`, message: 'must be a non-negative integer of minor units' });
      const discounts = parseDiscounts(line?.discounts, `${at}.discounts`, errors);
      if (quantity !== undefined && priceOk) lines.push({ quantity, unitPrice: BigInt(line.unitPrice), discounts });
    });
  }
  const invoiceDiscounts = parseDiscounts(input.invoiceDiscounts, 'invoiceDiscounts', errors);
  if (errors.length > 0) throw validationError(errors, 'The invoice cannot be computed');
  return { lines, invoiceDiscounts };
}
