/**
 * A practice's tax rules: jurisdictions (state, county, city…) each with dated rates and the product
 * categories it exempts. Rules are tenant data; this file picks the rate in force on a date and turns
 * the taxes that apply to one line into exact coefficients of its taxable base.
 */
import { Type, type Static } from 'typebox';
import type { FieldError } from '../../errors/catalogue.ts';
import { add, DECIMAL_PATTERN, mul, ONE, parseDecimal, percentToFraction, tryParseDecimal, type Rational } from './decimal.ts';
import { isIsoDate } from './dates.ts';

export const TaxRate = Type.Object(
  {
    ratePercent: Type.String({ pattern: DECIMAL_PATTERN, description: 'Exact decimal percent, e.g. "8.875"' }),
    effectiveFrom: Type.String({ format: 'date', description: 'First day in force, YYYY-MM-DD' }),
    effectiveTo: Type.Optional(Type.String({ format: 'date', description: 'Last day in force (inclusive); open-ended when absent' })),
  },
  { additionalProperties: false },
);
export type TaxRate = Static<typeof TaxRate>;

export const Jurisdiction = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 40, description: 'Stable key, e.g. "US-NY" or "NYC"' }),
    name: Type.String({ minLength: 1, maxLength: 100, description: 'Printed on documents, e.g. "New York State sales tax"' }),
    rates: Type.Array(TaxRate, { minItems: 1 }),
    exemptCategories: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { description: 'Line categories this tax does not apply to, e.g. "medical_service"' }),
    compound: Type.Optional(
      Type.Boolean({ description: 'Tax on tax: the base includes the taxes of the jurisdictions listed before this one. Default false: every tax is on the same base' }),
    ),
  },
  { additionalProperties: false },
);
export type Jurisdiction = Static<typeof Jurisdiction>;

/** A jurisdiction's tax as it applies on one date. */
export interface TaxInForce {
  readonly code: string;
  readonly name: string;
  readonly ratePercent: string;
  /** The rate as a fraction: "8.875" is 71/800. */
  readonly rate: Rational;
  readonly compound: boolean;
  readonly exemptCategories: readonly string[];
}

/** The rate in force on `date` (YYYY-MM-DD), or undefined when the jurisdiction taxes nothing that day. */
export function rateInForce(jurisdiction: Jurisdiction, date: string): TaxRate | undefined {
  // ISO dates compare correctly as strings.
  return jurisdiction.rates.find((r) => r.effectiveFrom <= date && (r.effectiveTo === undefined || date <= r.effectiveTo));
}

/** The taxes in force on `date`, in the order the jurisdictions are listed (the order compounding follows). */
export function taxesInForce(jurisdictions: readonly Jurisdiction[], date: string): TaxInForce[] {
  return jurisdictions.flatMap((j) => {
    const rate = rateInForce(j, date);
    return rate === undefined
      ? []
      : [{
          code: j.code,
          name: j.name,
          ratePercent: rate.ratePercent,
          rate: percentToFraction(parseDecimal(rate.ratePercent)),
          compound: j.compound === true,
          exemptCategories: j.exemptCategories,
        }];
  });
}

/**
 * For a line of `category`, each tax's exact share of the taxable base: tax_k = coefficient_k × base.
 * A plain tax's coefficient is its rate; a compound tax's is rate × (1 + the coefficients before it),
 * i.e. it is charged on the base plus the (exact, unrounded) taxes of the earlier jurisdictions.
 * Exempt taxes are left out.
 */
export function taxCoefficients(taxes: readonly TaxInForce[], category: string): { tax: TaxInForce; index: number; coefficient: Rational }[] {
  const result: { tax: TaxInForce; index: number; coefficient: Rational }[] = [];
  let baseFactor = ONE;
  taxes.forEach((tax, index) => {
    if (tax.exemptCategories.includes(category)) return;
    const coefficient = tax.compound ? mul(tax.rate, baseFactor) : tax.rate;
    result.push({ tax, index, coefficient });
    baseFactor = add(baseFactor, coefficient);
  });
  return result;
}

/** Field errors in a jurisdiction list: bad rates or dates, duplicate codes, overlapping periods. */
export function validateJurisdictions(jurisdictions: readonly Jurisdiction[], path = 'jurisdictions'): FieldError[] {
  const errors: FieldError[] = [];
  const codes = new Set<string>();
  jurisdictions.forEach((j, ji) => {
    const at = `${path}[${ji}]`;
    if (typeof j.code !== 'string' || j.code.length === 0) errors.push({ field: `${at}.code`, message: 'must be a non-empty string' });
    else if (codes.has(j.code)) errors.push({ field: `${at}.code`, message: `duplicates jurisdiction ${j.code}` });
    else codes.add(j.code);
    if (!Array.isArray(j.exemptCategories)) errors.push({ field: `${at}.exemptCategories`, message: 'must be a list of categories' });
    if (!Array.isArray(j.rates) || j.rates.length === 0) {
      errors.push({ field: `${at}.rates`, message: 'must list at least one rate' });
      return;
    }
    j.rates.forEach((r, ri) => {
      const rate = tryParseDecimal(r.ratePercent);
      if (rate === undefined || rate.num < 0n) errors.push({ field: `${at}.rates[${ri}].ratePercent`, message: 'must be a non-negative decimal string such as "8.875"' });
      if (!isIsoDate(r.effectiveFrom)) errors.push({ field: `${at}.rates[${ri}].effectiveFrom`, message: 'must be a date YYYY-MM-DD' });
      if (r.effectiveTo !== undefined && !isIsoDate(r.effectiveTo)) errors.push({ field: `${at}.rates[${ri}].effectiveTo`, message: 'must be a date YYYY-MM-DD' });
      else if (r.effectiveTo !== undefined && r.effectiveTo < r.effectiveFrom) errors.push({ field: `${at}.rates[${ri}].effectiveTo`, message: 'is before effectiveFrom' });
    });
    const sorted = j.rates.map((r, ri) => ({ r, ri })).sort((a, b) => (a.r.effectiveFrom < b.r.effectiveFrom ? -1 : 1));
    for (let k = 1; k < sorted.length; k++) {
      const prev = sorted[k - 1]!.r;
      if (prev.effectiveTo === undefined || prev.effectiveTo >= sorted[k]!.r.effectiveFrom) {
        errors.push({ field: `${at}.rates[${sorted[k]!.ri}].effectiveFrom`, message: 'overlaps another rate of this jurisdiction' });
      }
    }
  });
  return errors;
}
