/**
 * Save-time checks for practice-authored JsonLogic (booking conditions, workflow guards): only a
 * whitelist of pure operators, bounded size, and it must evaluate without throwing against sample
 * data shaped like what it will see, so an expression that would fail every evaluation later is
 * refused when it is saved.
 */
import jsonLogic from 'json-logic-js';
import type { FieldError } from '../errors/catalogue.ts';

/** Pure comparison, logic and arithmetic operators; nothing that reaches methods or strings of code. */
export const ALLOWED_OPERATORS: ReadonlySet<string> = new Set([
  'var', '==', '!=', '===', '!==', '<', '<=', '>', '>=', 'and', 'or', '!', '!!', 'if', 'in', '+', '-', '*', '/', '%', 'min', 'max',
]);

const MAX_DEPTH = 20;
const MAX_NODES = 500;

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
 * Field errors for `expression` (none when it is valid), named `field`.
 * @example checkJsonLogic('bookingCondition', { method: [{ var: 'patient' }, 'toString'] }, samples) // one error: operator not allowed
 */
export function checkJsonLogic(field: string, expression: unknown, samples: readonly Record<string, unknown>[]): FieldError[] {
  const problem = shapeProblem(expression, 0, { n: 0 });
  if (problem) return [{ field, message: problem }];
  for (const sample of samples) {
    try {
      jsonLogic.apply(expression as jsonLogic.RulesLogic, sample);
    } catch (err) {
      return [{ field, message: `cannot be evaluated: ${err instanceof Error ? err.message : String(err)}` }];
    }
  }
  return [];
}
