/**
 * Money: integer minor units plus an ISO 4217 currency (ARCHITECTURE.md, "Money").
 *
 * Inside billing an amount is a `bigint`, so no arithmetic can silently leave the integers. On the wire
 * (JSON, database JSON columns) an amount is a plain JSON number of minor units, checked to be a safe
 * integer both ways: 2^53 - 1 cents is ~90 trillion dollars, so a number never loses a real amount,
 * and clients need no big-number parsing. Anything beyond that is refused rather than rounded.
 */

export interface Money {
  /** Minor units: cents for USD, yen for JPY, fils for KWD. */
  readonly amount: bigint;
  /** ISO 4217 code with an entry in `CURRENCY_MINOR_UNITS`. */
  readonly currency: string;
}

/**
 * Minor-unit digits per currency (ISO 4217). A short table on purpose: a currency we have not checked
 * is refused rather than guessed at, and adding one is a one-line change.
 */
export const CURRENCY_MINOR_UNITS: Readonly<Record<string, 0 | 2 | 3>> = {
  USD: 2, EUR: 2, GBP: 2, CAD: 2, AUD: 2, NZD: 2, CHF: 2, SEK: 2, NOK: 2, DKK: 2, MXN: 2, BRL: 2,
  INR: 2, ZAR: 2, SGD: 2, HKD: 2, AED: 2, SAR: 2, PLN: 2, CZK: 2,
  JPY: 0, KRW: 0, ISK: 0, CLP: 0, VND: 0,
  KWD: 3, BHD: 3, OMR: 3, JOD: 3, TND: 3, LYD: 3, IQD: 3,
};

/** Minor-unit digits of a known currency, or undefined for one not in the table. */
export function minorUnitDigits(currency: string): 0 | 2 | 3 | undefined {
  return Object.hasOwn(CURRENCY_MINOR_UNITS, currency) ? CURRENCY_MINOR_UNITS[currency] : undefined;
}

function digitsOf(currency: string): number {
  const digits = minorUnitDigits(currency);
  if (digits === undefined) throw new RangeError(`Unsupported currency: ${currency}`);
  return digits;
}

/** A bigint amount as a JSON number; throws rather than lose precision beyond 2^53 - 1. */
export function toWireAmount(amount: bigint): number {
  const limit = BigInt(Number.MAX_SAFE_INTEGER);
  if (amount > limit || amount < -limit) throw new RangeError(`Amount ${amount} is beyond the safe-integer range`);
  return Number(amount);
}

/** A JSON amount as a bigint; throws on a fraction, NaN or an unsafe integer. */
export function fromWireAmount(amount: number): bigint {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`Amount ${amount} is not a safe integer of minor units`);
  return BigInt(amount);
}

/**
 * Minor units as a plain decimal string in major units, by string surgery (no division):
 * `minorToDecimalString(-5n, 'USD')` is "-0.05", `(1234n, 'JPY')` is "1234", `(1n, 'KWD')` is "0.001".
 */
export function minorToDecimalString(amount: bigint, currency: string): string {
  const digits = digitsOf(currency);
  const negative = amount < 0n;
  const text = (negative ? -amount : amount).toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const fraction = text.slice(text.length - digits);
  return `${negative ? '-' : ''}${whole}${digits > 0 ? `.${fraction}` : ''}`;
}

/**
 * Money for a document, e.g. "$1,234.56", "¥1,099", "KWD 12.962". Intl.NumberFormat formats a decimal
 * *string* exactly (Node 20+), so even amounts past 2^53 print every digit.
 */
export function formatMoney(money: Money, locale = 'en-US'): string {
  const digits = digitsOf(money.currency);
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: money.currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  // The lib typings predate string input (ES2023 Intl); the runtime accepts it and keeps it exact.
  return (format.format as unknown as (value: string) => string)(minorToDecimalString(money.amount, money.currency));
}
