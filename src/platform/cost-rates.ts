/**
 * Prices per unit of metered usage (HEALTHTRACK_COST_RATES), read and checked once at start-up.
 * Rates are exact decimals in major units of `currency` (a JSON number such as 0.4 or a string such
 * as "0.4"; exponent notation is refused), so cost arithmetic never goes through binary floats.
 */
import { tryParseDecimal, type Rational } from '../domain/billing/decimal.ts';
import { minorUnitDigits } from '../domain/billing/money.ts';

export const RATE_KEYS = ['perMillionRequests', 'perDbHour', 'perGbMonth', 'perActiveUserMonth', 'perThousandEmails', 'perThousandJobs'] as const;
export type RateKey = (typeof RATE_KEYS)[number];

export interface CostRates {
  readonly currency: string;
  /** The rates as written (decimal strings), for display. */
  readonly text: Readonly<Record<RateKey, string>>;
  /** The same rates as exact fractions, for arithmetic. */
  readonly exact: Readonly<Record<RateKey, Rational>>;
}

/** Illustrative list prices; a deployment sets its own. */
export const DEFAULT_COST_RATES: Readonly<Record<RateKey, string>> & { currency: string } = {
  perMillionRequests: '0.40',
  perDbHour: '0.50',
  perGbMonth: '0.10',
  perActiveUserMonth: '1.00',
  perThousandEmails: '0.10',
  perThousandJobs: '0.05',
  currency: 'USD',
};

/**
 * Parses HEALTHTRACK_COST_RATES (JSON; keys left out keep their default) or throws an Error naming
 * the variable and the bad key.
 * @example costRatesFrom('{"perMillionRequests": 0.25, "currency": "EUR"}')
 */
export function costRatesFrom(value: string | undefined, name = 'HEALTHTRACK_COST_RATES'): CostRates {
  let given: Record<string, unknown> = {};
  if (value !== undefined && value.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new Error(`${name} must be a JSON object, e.g. {"perMillionRequests":0.4,"currency":"USD"}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${name} must be a JSON object`);
    given = parsed as Record<string, unknown>;
  }
  const known = new Set<string>([...RATE_KEYS, 'currency']);
  const unknown = Object.keys(given).filter((k) => !known.has(k));
  if (unknown.length) throw new Error(`${name}: unknown key(s) ${unknown.join(', ')}; allowed: ${[...known].join(', ')}`);
  const currency = given.currency ?? DEFAULT_COST_RATES.currency;
  if (typeof currency !== 'string' || minorUnitDigits(currency) === undefined) throw new Error(`${name}.currency must be a supported ISO 4217 code such as "USD"`);
  const text = {} as Record<RateKey, string>;
  const exact = {} as Record<RateKey, Rational>;
  for (const key of RATE_KEYS) {
    const raw = given[key] ?? DEFAULT_COST_RATES[key];
    const written = typeof raw === 'number' ? String(raw) : raw;
    const rate = tryParseDecimal(written);
    if (rate === undefined || rate.num < 0n) throw new Error(`${name}.${key} must be a non-negative decimal number (e.g. 0.4 or "0.4"), got ${JSON.stringify(raw)}`);
    text[key] = written as string;
    exact[key] = rate;
  }
  return { currency, text, exact };
}
