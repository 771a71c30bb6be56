/**
 * Validation of a practice's `bookingCondition` (JsonLogic) on save: only a whitelist of pure
 * operators, bounded size, and it must evaluate without throwing against sample bookings, so a
 * condition that would break every booking later is refused now.
 */
import jsonLogic from 'json-logic-js';
import type { FieldError } from '../../../errors/catalogue.ts';

/** Pure comparison, logic and arithmetic operators; nothing that reaches methods or strings of code. */
export const ALLOWED_OPERATORS: ReadonlySet<string> = new Set([
  'var', '==', '!=', '===', '!==', '<', '<=', '>', '>=', 'and', 'or', '!', '!!', 'if', 'in', '+', '-', '*', '/', '%', 'min', 'max',
]);

const MAX_DEPTH = 20;
const MAX_NODES = 500;

/** The shapes bookings will be evaluated against (see `RulesPatch.bookingCondition`). */
const SAMPLES: readonly Record<string, unknown>[] = [
  {
    patient: { ageYears: 42, sex: 'female' },
    appointment: { weekday: 3, startMinutes: 600, durationMinutes: 30, typeId: '01900000-0000-7000-8000-000000000001', providerId: '01900000-0000-7000-8000-000000000002' },
  },
  {
    patient: { ageYears: 0, sex: 'unknown' },
    appointment: { weekday: 7, startMinutes: 0, durationMinutes: 720, typeId: '01900000-0000-7000-8000-000000000003', providerId: '01900000-0000-7000-8000-000000000004' },
  },
];

/** Walks the expression; returns the first problem found, or null. */
function shapeProblem(node: unknown, depth: number, count: { n: number }): string | null {
  if (++count.n > MAX_NODES) return `has more than ${MAX_NODES} nodes`;
  if (depth > MAX_DEPTH) return `is nested deeper than ${MAX_DEPTH} levels`;
  if (node === null || typeof node !== 'object') return null;
  if (Array.isArray(node)) {
    for (const item of node) {
      const p = shapeProblem(item, depth + 1, count);
      if (p) return p;
    }
    return null;
  }
  const keys = Object.keys(node);
  if (keys.length !== 1) return 'must be an operation: an object with exactly one operator key';
  const op = keys[0]!;
  if (!ALLOWED_OPERATORS.has(op)) return `uses the operator "${op}", which is not allowed (allowed: ${[...ALLOWED_OPERATORS].join(' ')})`;
  return shapeProblem((node as Record<string, unknown>)[op], depth + 1, count);
}

/**
 * Field errors for a booking condition (none when valid or null), named `field`.
 * @example checkBookingCondition('bookingCondition', { method: [{ var: 'patient' }, 'toString'] }) // one error: operator not allowed
 */
export function checkBookingCondition(field: string, condition: unknown): FieldError[] {
  if (condition === null || condition === undefined) return [];
  const problem = shapeProblem(condition, 0, { n: 0 });
  if (problem) return [{ field, message: problem }];
  for (const sample of SAMPLES) {
    try {
      jsonLogic.apply(condition as jsonLogic.RulesLogic, sample);
    } catch (err) {
      return [{ field, message: `cannot be evaluated: ${err instanceof Error ? err.message : String(err)}` }];
    }
  }
  return [];
}
