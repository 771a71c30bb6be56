/**
 * "Show only if <earlier field> is <value>" in the builder, and the JsonLogic `visibleIf` it stands
 * for (docs/forms.md): yes/no and other single answers compare with `==`, a multiple choice answer
 * "includes" with `in`, and a consent reads `<id>.agreed`. Rules written another way stay editable
 * as JSON.
 */
import type { FormField } from '../../../forms/types.ts';

export interface SimpleCondition {
  readonly fieldId: string;
  readonly value: string | number | boolean;
}

const isVar = (x: unknown): x is { var: string } =>
  typeof x === 'object' && x !== null && !Array.isArray(x) && Object.keys(x).length === 1 && typeof (x as { var?: unknown }).var === 'string';

const isScalar = (x: unknown): x is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof x);

/** The simple condition `expr` expresses, or null when it is written another way. */
export function parseCondition(expr: Record<string, unknown> | undefined, earlier: readonly FormField[]): SimpleCondition | null {
  if (!expr) return null;
  const keys = Object.keys(expr);
  if (keys.length !== 1) return null;
  const args = expr[keys[0]!];
  if (!Array.isArray(args) || args.length !== 2) return null;
  const byId = new Map(earlier.map((f) => [f.id, f]));
  if (keys[0] === '==' && isVar(args[0]) && isScalar(args[1])) {
    const name = args[0].var;
    if (name.endsWith('.agreed')) {
      const f = byId.get(name.slice(0, -'.agreed'.length));
      return f?.type === 'consent' && args[1] === true ? { fieldId: f.id, value: true } : null;
    }
    const f = byId.get(name);
    return f && f.type !== 'multiple_choice' && f.type !== 'consent' ? { fieldId: f.id, value: args[1] } : null;
  }
  if (keys[0] === 'in' && isScalar(args[0]) && isVar(args[1])) {
    const f = byId.get(args[1].var);
    return f?.type === 'multiple_choice' ? { fieldId: f.id, value: args[0] } : null;
  }
  return null;
}

/** The `visibleIf` for "show only if `on` is `value`". */
export function buildCondition(on: FormField, value: string | number | boolean): Record<string, unknown> {
  switch (on.type) {
    case 'consent':
      return { '==': [{ var: `${on.id}.agreed` }, true] };
    case 'multiple_choice':
      return { in: [value, { var: on.id }] };
    case 'number': {
      const n = typeof value === 'number' ? value : Number(value);
      return { '==': [{ var: on.id }, Number.isFinite(n) ? n : value] };
    }
    default:
      return { '==': [{ var: on.id }, value] };
  }
}

/** A first sensible value to compare with when the condition's field is chosen. */
export function defaultValueFor(on: FormField): string | number | boolean {
  if (on.type === 'yes_no' || on.type === 'consent') return true;
  if (on.type === 'single_choice' || on.type === 'multiple_choice') return on.options?.[0]?.value ?? '';
  if (on.type === 'number') return 0;
  return '';
}

/** Whether any field's rule reads the answer of `id` (then its key must not change silently). */
export function isReferenced(id: string, fields: readonly FormField[]): boolean {
  return fields.some((f) => f.visibleIf !== undefined && (JSON.stringify(f.visibleIf).includes(`"var":"${id}"`) || JSON.stringify(f.visibleIf).includes(`"var":"${id}.`)));
}
