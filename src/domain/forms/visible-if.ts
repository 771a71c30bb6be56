/**
 * `visibleIf`: a JsonLogic expression over the answers of earlier fields. Checked on save (pure
 * operators only, bounded size, every `var` naming a field that comes earlier) and evaluated in
 * form order, so a field hidden by its condition hides whatever depends on it in turn.
 */
import jsonLogic from 'json-logic-js';
import type { FieldError } from '../../errors/catalogue.ts';
import type { FieldType } from './form-schemas.ts';

/** Comparison, logic and arithmetic only: nothing that reaches methods, strings of code or other data. */
export const VISIBLE_IF_OPERATORS: ReadonlySet<string> = new Set([
  'var', '==', '!=', '===', '!==', '<', '<=', '>', '>=', 'and', 'or', '!', '!!', 'if', 'in', '+', '-', '*', '/', '%', 'min', 'max',
]);

const MAX_DEPTH = 12;
const MAX_NODES = 200;

interface Walk {
  readonly path: string;
  readonly earlier: ReadonlyMap<string, FieldType>;
  readonly known: ReadonlySet<string>;
  nodes: number;
}

/** The field a `var` argument names, or a problem with it. */
function varProblem(arg: unknown, w: Walk): string | null {
  const name = Array.isArray(arg) ? arg[0] : arg;
  if (Array.isArray(arg) && (arg.length > 2 || (arg.length === 2 && arg[1] !== null && typeof arg[1] === 'object'))) {
    return '"var" takes a field id and at most one plain default value';
  }
  if (typeof name !== 'string' || name === '') return '"var" must name a field id as a plain string';
  const [id, sub, ...rest] = name.split('.');
  if (!w.earlier.has(id!)) {
    return w.known.has(id!) ? `refers to "${id}", which does not come before this field` : `refers to "${id}", which is not a field of this form`;
  }
  if (sub !== undefined && (sub !== 'agreed' || rest.length > 0 || w.earlier.get(id!) !== 'consent')) {
    return `"${name}": only a consent field has a part to refer to ("${id}.agreed")`;
  }
  return null;
}

function walk(node: unknown, depth: number, w: Walk): string | null {
  if (++w.nodes > MAX_NODES) return `has more than ${MAX_NODES} nodes`;
  if (depth > MAX_DEPTH) return `is nested deeper than ${MAX_DEPTH} levels`;
  if (node === null || typeof node !== 'object') return null;
  if (Array.isArray(node)) {
    for (const item of node) {
      const p = walk(item, depth + 1, w);
      if (p) return p;
    }
    return null;
  }
  const keys = Object.keys(node);
  if (keys.length !== 1) return 'must be an operation: an object with exactly one operator key';
  const op = keys[0]!;
  if (!VISIBLE_IF_OPERATORS.has(op)) return `uses the operator "${op}", which is not allowed (allowed: ${[...VISIBLE_IF_OPERATORS].join(' ')})`;
  const arg = (node as Record<string, unknown>)[op];
  if (op === 'var') return varProblem(arg, w);
  return walk(arg, depth + 1, w);
}

/** Plausible answers of every type, to prove the expression evaluates without throwing. */
const SAMPLE_VALUES: Record<FieldType, unknown> = {
  text: 'sample',
  long_text: 'sample\ntext',
  number: 42,
  date: '2000-01-31',
  single_choice: 'a',
  multiple_choice: ['a', 'b'],
  yes_no: true,
  consent: { agreed: true, signatureName: 'A Patient' },
};

/**
 * Field errors for `visibleIf` at `path`: `earlier` are the fields before this one (id → type),
 * `known` every id of the form (to tell a later field from an unknown one).
 * @example checkVisibleIf({ '==': [{ var: 'smoker' }, true] }, 'sections[0].fields[2].visibleIf', earlier, known) // []
 */
export function checkVisibleIf(expr: unknown, path: string, earlier: ReadonlyMap<string, FieldType>, known: ReadonlySet<string>): FieldError[] {
  if (expr === null || typeof expr !== 'object' || Array.isArray(expr)) return [{ field: path, message: 'must be a JsonLogic operation (an object)' }];
  const problem = walk(expr, 0, { path, earlier, known, nodes: 0 });
  if (problem) return [{ field: path, message: problem }];
  const full = answerData(Object.fromEntries([...earlier].map(([id, type]) => [id, SAMPLE_VALUES[type]])));
  for (const sample of [answerData({}), full]) {
    try {
      jsonLogic.apply(expr as jsonLogic.RulesLogic, sample);
    } catch (err) {
      return [{ field: path, message: `cannot be evaluated: ${err instanceof Error ? err.message : String(err)}` }];
    }
  }
  return [];
}

/** Answers as JsonLogic data: a null-prototype object, so no name resolves to an inherited member. */
export function answerData(answers: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.assign(Object.create(null) as Record<string, unknown>, answers);
}

/** Whether a field with `visibleIf` is shown, given the (already filtered) answers before it. */
export function isVisible(expr: Record<string, unknown> | undefined, data: Record<string, unknown>): boolean {
  if (!expr) return true;
  return jsonLogic.truthy(jsonLogic.apply(expr as jsonLogic.RulesLogic, data));
}
