/**
 * Exact decimal arithmetic for billing: decimal strings ("8.875", "2.5") become bigint rationals, and
 * money is multiplied and rounded without a JavaScript float anywhere on the path. A float cannot hold
 * 0.1 or 8.875% × $1,234.56 exactly, and a cent lost that way is a cent an auditor finds.
 */

/** An exact fraction `num / den`, always reduced, with `den > 0` (the sign lives in `num`). */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

/** How a value exactly halfway between two minor units is resolved (per tenant). */
export type RoundingMode = 'half_up' | 'half_even';

/** Plain decimal notation only: optional minus, digits, optional fraction. No exponent, no "+", no ".5". */
export const DECIMAL_PATTERN = '^-?(0|[1-9][0-9]*)(\\.[0-9]+)?$';
const DECIMAL = new RegExp(DECIMAL_PATTERN);
// Long enough for any real rate or quantity; short enough that nobody builds a megabyte bigint.
const MAX_DECIMAL_LENGTH = 40;

export const ZERO: Rational = { num: 0n, den: 1n };
export const ONE: Rational = { num: 1n, den: 1n };

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** Builds a reduced rational; throws on a zero denominator. */
export function rational(num: bigint, den: bigint = 1n): Rational {
  if (den === 0n) throw new RangeError('Rational with a zero denominator');
  if (den < 0n) [num, den] = [-num, -den];
  const g = gcd(num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
}

/** The exact value of a decimal string, or undefined when it is not plain decimal notation. */
export function tryParseDecimal(text: unknown): Rational | undefined {
  if (typeof text !== 'string' || text.length > MAX_DECIMAL_LENGTH || !DECIMAL.test(text)) return undefined;
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const magnitude = BigInt(whole + fraction);
  return rational(negative ? -magnitude : magnitude, 10n ** BigInt(fraction.length));
}

/** The exact value of a decimal string, e.g. `parseDecimal('8.875')` is 71/8. Throws on anything else. */
export function parseDecimal(text: string): Rational {
  const value = tryParseDecimal(text);
  if (value === undefined) throw new RangeError(`Not a decimal number: ${JSON.stringify(text)}`);
  return value;
}

export const add = (a: Rational, b: Rational): Rational => rational(a.num * b.den + b.num * a.den, a.den * b.den);
export const sub = (a: Rational, b: Rational): Rational => rational(a.num * b.den - b.num * a.den, a.den * b.den);
export const mul = (a: Rational, b: Rational): Rational => rational(a.num * b.num, a.den * b.den);
export const div = (a: Rational, b: Rational): Rational => rational(a.num * b.den, a.den * b.num);
export const sumRationals = (values: readonly Rational[]): Rational => values.reduce(add, ZERO);
/** Negative, zero or positive as `a` is below, equal to or above `b`. */
export const compare = (a: Rational, b: Rational): number => {
  const d = a.num * b.den - b.num * a.den;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
};

/** A percentage such as "8.875" as the fraction it multiplies by (71/800). */
export const percentToFraction = (percent: Rational): Rational => rational(percent.num, percent.den * 100n);

/** Minor units times an exact factor, still exact: `mulMoney(1200n, rate)` is 106.5 for 8.875%. */
export const mulMoney = (amount: bigint, factor: Rational): Rational => rational(amount * factor.num, factor.den);

/** The largest integer not above `num / den` (bigint `/` truncates toward zero; this does not). */
export function floorDiv(num: bigint, den: bigint): bigint {
  if (den < 0n) [num, den] = [-num, -den];
  const q = num / den;
  return num % den !== 0n && num < 0n ? q - 1n : q;
}

/**
 * `num / den` rounded to an integer. Values strictly nearer one integer go to it; a value exactly
 * halfway is decided by `mode`, symmetrically around zero so a credit note mirrors its invoice:
 * - `half_up`: away from zero (2.5 → 3, -2.5 → -3), the "commercial" rounding of most tax law;
 * - `half_even`: to the even neighbour (2.5 → 2, 3.5 → 4, -2.5 → -2), banker's rounding, unbiased
 *   over many lines.
 */
export function roundRational(num: bigint, den: bigint, mode: RoundingMode): bigint {
  if (den === 0n) throw new RangeError('Division by zero');
  if (den < 0n) [num, den] = [-num, -den];
  const negative = num < 0n;
  const magnitude = negative ? -num : num;
  let q = magnitude / den;
  const twiceRemainder = 2n * (magnitude % den);
  if (twiceRemainder > den || (twiceRemainder === den && (mode === 'half_up' || q % 2n === 1n))) q += 1n;
  return negative ? -q : q;
}

/** `roundRational` for a `Rational`. */
export const round = (value: Rational, mode: RoundingMode): bigint => roundRational(value.num, value.den, mode);
