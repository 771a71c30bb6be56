/**
 * Which fields are shown, computed exactly as the server checks answers (answer-check.ts): fields in
 * order, each `visibleIf` evaluated over the answers of the visible, answered fields before it, so
 * the preview, the patient page and the server never disagree about what is asked.
 */
import jsonLogic from 'json-logic-js';
import type { AnswerValue, Answers, FormDefinition, FormField } from './types.ts';

/** The answer as the server would store it, or undefined when the field counts as unanswered. */
export function normalisedAnswer(field: FormField, value: AnswerValue): AnswerValue {
  if (value === undefined || value === null) return undefined;
  switch (field.type) {
    case 'text':
    case 'long_text':
    case 'date':
    case 'single_choice': {
      const s = typeof value === 'string' ? value.trim() : value;
      return s === '' ? undefined : s;
    }
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    case 'multiple_choice':
      return Array.isArray(value) && value.length > 0 ? value : undefined;
    case 'yes_no':
      return typeof value === 'boolean' ? value : undefined;
    case 'consent':
      return typeof value === 'object' && !Array.isArray(value) && value.agreed ? value : undefined;
  }
}

function isShown(expr: Record<string, unknown> | undefined, data: Record<string, unknown>): boolean {
  if (!expr) return true;
  try {
    return jsonLogic.truthy(jsonLogic.apply(expr as jsonLogic.RulesLogic, data));
  } catch {
    // An expression the server would refuse on save: show the field rather than hide a question.
    return true;
  }
}

export interface Evaluated {
  /** Ids of the fields shown now. */
  readonly visible: ReadonlySet<string>;
  /** The answers to send: visible, answered fields only. */
  readonly answers: Record<string, AnswerValue>;
}

/** Evaluates visibility in form order and collects the answers that would be submitted. */
export function evaluateForm(def: FormDefinition, answers: Answers): Evaluated {
  const visible = new Set<string>();
  const out: Record<string, AnswerValue> = {};
  const data = Object.create(null) as Record<string, unknown>;
  for (const field of def.sections.flatMap((s) => s.fields)) {
    if (!isShown(field.visibleIf, data)) continue;
    visible.add(field.id);
    const value = normalisedAnswer(field, answers[field.id]);
    if (value !== undefined) {
      out[field.id] = value;
      data[field.id] = value;
    }
  }
  return { visible, answers: out };
}
