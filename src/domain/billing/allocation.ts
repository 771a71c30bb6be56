/**
 * Largest-remainder allocation: split a whole number of minor units into exact shares so the parts add
 * up to the whole. Used for invoice discounts spread over lines and for invoice-level tax rounding
 * spread back to lines, so a document's lines always sum to its totals.
 */
import { floorDiv, rational, type Rational } from './decimal.ts';

/**
 * Integers, one per share, each the floor or the ceiling of its share, summing exactly to `target`.
 * Every share starts at its floor; the units left over go to the largest fractional parts, ties to the
 * earlier share (so the result is deterministic). A negative target is allocated as the mirror image of
 * the positive one, so negating every input negates every output.
 *
 * @example allocateLargestRemainder(100n, [1/3, 1/3, 1/3] × 100) → [34n, 33n, 33n]
 * @throws RangeError when `target` lies outside [sum of floors, sum of ceilings]: no such split exists.
 */
export function allocateLargestRemainder(target: bigint, shares: readonly Rational[]): bigint[] {
  if (target < 0n) {
    return allocateLargestRemainder(-target, shares.map((s) => rational(-s.num, s.den))).map((v) => -v);
  }
  const parts = shares.map((s, index) => {
    const floor = floorDiv(s.num, s.den);
    return { index, floor, fraction: rational(s.num - floor * s.den, s.den) };
  });
  let left = target - parts.reduce((sum, p) => sum + p.floor, 0n);
  const roundable = parts.filter((p) => p.fraction.num !== 0n);
  if (left < 0n || left > BigInt(roundable.length)) {
    throw new RangeError(`Cannot allocate ${target} over shares whose floors sum to ${target - left}`);
  }
  roundable.sort((a, b) => {
    const d = b.fraction.num * a.fraction.den - a.fraction.num * b.fraction.den;
    return d > 0n ? 1 : d < 0n ? -1 : a.index - b.index;
  });
  const result = parts.map((p) => p.floor);
  for (const p of roundable) {
    if (left === 0n) break;
    result[p.index]! += 1n;
    left -= 1n;
  }
  return result;
}

/** `total × weight / sum(weights)` for each weight, exactly; all zero when the weights sum to zero. */
export function proRataShares(total: bigint, weights: readonly bigint[]): Rational[] {
  const sum = weights.reduce((a, b) => a + b, 0n);
  return weights.map((w) => (sum === 0n ? rational(0n) : rational(total * w, sum)));
}
