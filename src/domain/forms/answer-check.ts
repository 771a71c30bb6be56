/**
 * Checks answers against one version of a form. Fields are visited in form order; a field whose
 * `visibleIf` is false is hidden: not required, and any answer to it is dropped (and so invisible
 * to the conditions of later fields). Errors name `answers.<fieldId>`.
 */
import { validationError, type FieldError } from '../../errors/catalogue.ts';
import { isIsoDate, resolveDateBound } from './date-bounds.ts';
import { TEXT_CAP } from './definition-check.ts';
import type { FormDefinition, FormField } from './form-schemas.ts';
import { allergyEntries, MAX_ALLERGIES, MAX_ALLERGY_LENGTH, targetValueProblem } from './patient-targets.ts';
import { matchesPattern } from './safe-pattern.ts';
import { answerData, isVisible } from './visible-if.ts';

export interface ConsentAnswer {
  readonly agreed: true;
  readonly signatureName: string;
  /** Server time of the submission; whatever the client sent is ignored. */
  readonly signedAt: string;
}

export interface CheckedAnswers {
  /** Answers of visible fields, normalised (text trimmed, consent stamped); unanswered fields absent. */
  readonly answers: Record<string, unknown>;
  /** Fields hidden by their `visibleIf`; answers sent for them were dropped. */
  readonly hidden: readonly string[];
}

export interface AnswerContext {
  /** The practice's local date (YYYY-MM-DD) for relative date bounds. */
  readonly today: string;
  /** Server time recorded on consent signatures. */
  readonly now: Date;
}

type Outcome = { readonly value: unknown } | { readonly empty: true } | { readonly error: string; readonly at?: string };

const EMPTY = { empty: true } as const;
const fail = (error: string, at?: string): Outcome => (at ? { error, at } : { error });

function checkText(field: FormField, raw: unknown): Outcome {
  if (typeof raw !== 'string') return fail('must be text');
  const value = raw.trim();
  if (value === '') return EMPTY;
  const length = [...value].length;
  const v = field.validation ?? {};
  const max = Math.min(v.maxLength ?? Infinity, TEXT_CAP[field.type] ?? Infinity);
  if (length > max) return fail(`must be at most ${max} characters`);
  if (v.minLength !== undefined && length < v.minLength) return fail(`must be at least ${v.minLength} characters`);
  if (v.pattern !== undefined) {
    const ok = matchesPattern(v.pattern, value);
    if (ok === null) return fail('could not be checked against the expected format in time; shorten it');
    if (!ok) return fail('does not have the expected format');
  }
  if (field.mapsTo === 'allergies') {
    const entries = allergyEntries(field.type, value, new Map());
    if (entries.length > MAX_ALLERGIES) return fail(`must list at most ${MAX_ALLERGIES} allergies`);
    if (entries.some((e) => e.length > MAX_ALLERGY_LENGTH)) return fail(`each allergy must be at most ${MAX_ALLERGY_LENGTH} characters`);
  } else if (field.mapsTo) {
    const problem = targetValueProblem(field.mapsTo, value);
    if (problem) return fail(problem);
  }
  return { value };
}

function checkNumber(field: FormField, raw: unknown): Outcome {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) return fail('must be a number');
  const v = field.validation ?? {};
  if (v.integer && !Number.isInteger(raw)) return fail('must be a whole number');
  if (typeof v.min === 'number' && raw < v.min) return fail(`must be at least ${v.min}`);
  if (typeof v.max === 'number' && raw > v.max) return fail(`must be at most ${v.max}`);
  return { value: raw };
}

function checkDate(field: FormField, raw: unknown, ctx: AnswerContext): Outcome {
  if (typeof raw !== 'string' || !isIsoDate(raw)) return fail('must be a date (YYYY-MM-DD)');
  const v = field.validation ?? {};
  if (typeof v.min === 'string' && raw < resolveDateBound(v.min, ctx.today)) return fail(`must be on or after ${resolveDateBound(v.min, ctx.today)}`);
  if (typeof v.max === 'string' && raw > resolveDateBound(v.max, ctx.today)) return fail(`must be on or before ${resolveDateBound(v.max, ctx.today)}`);
  return { value: raw };
}

function checkChoice(field: FormField, raw: unknown): Outcome {
  const values = (field.options ?? []).map((o) => o.value);
  if (field.type === 'single_choice') {
    if (typeof raw !== 'string' || !values.includes(raw)) return fail(`must be one of: ${values.join(', ')}`);
    return { value: raw };
  }
  if (!Array.isArray(raw) || raw.some((x) => typeof x !== 'string')) return fail('must be a list of option values');
  if (raw.length === 0) return EMPTY;
  const unknown = raw.find((x) => !values.includes(x as string));
  if (unknown !== undefined) return fail(`"${unknown}" is not an option (options: ${values.join(', ')})`);
  if (new Set(raw).size !== raw.length) return fail('must not list an option twice');
  const v = field.validation ?? {};
  if (v.minSelected !== undefined && raw.length < v.minSelected) return fail(`must select at least ${v.minSelected}`);
  if (v.maxSelected !== undefined && raw.length > v.maxSelected) return fail(`must select at most ${v.maxSelected}`);
  // Stored in option order, so equal selections compare equal.
  return { value: values.filter((x) => raw.includes(x)) };
}

function checkConsent(field: FormField, raw: unknown, ctx: AnswerContext): Outcome {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('must be {"agreed": true, "signatureName": "…"}');
  const o = raw as Record<string, unknown>;
  const extra = Object.keys(o).find((k) => !['agreed', 'signatureName', 'signedAt'].includes(k));
  if (extra) return fail('is not a known field', `answers.${field.id}.${extra}`);
  if (o.agreed === false || o.agreed === undefined) return EMPTY;
  if (o.agreed !== true) return fail('must be true or false', `answers.${field.id}.agreed`);
  const name = typeof o.signatureName === 'string' ? o.signatureName.trim() : '';
  if (name === '' || name.length > 200) return fail('is required to sign: the full name, at most 200 characters', `answers.${field.id}.signatureName`);
  const value: ConsentAnswer = { agreed: true, signatureName: name, signedAt: ctx.now.toISOString() };
  return { value };
}

function checkOne(field: FormField, raw: unknown, ctx: AnswerContext): Outcome {
  if (raw === null || raw === undefined) return EMPTY;
  switch (field.type) {
    case 'text':
    case 'long_text':
      return checkText(field, raw);
    case 'number':
      return checkNumber(field, raw);
    case 'date':
      return checkDate(field, raw, ctx);
    case 'single_choice':
    case 'multiple_choice':
      return checkChoice(field, raw);
    case 'yes_no':
      return typeof raw === 'boolean' ? { value: raw } : fail('must be true or false');
    case 'consent':
      return checkConsent(field, raw, ctx);
  }
}

/**
 * Validates `input` (an object keyed by field id) against `def`; throws `validation_failed` naming
 * `answers.<fieldId>` for every problem, including answers to fields the version does not have.
 * @example checkAnswers(def, { smoker: true, packsPerDay: 1 }, { today: '2030-01-01', now: new Date() })
 */
export function checkAnswers(def: FormDefinition, input: unknown, ctx: AnswerContext): CheckedAnswers {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw validationError([{ field: 'answers', message: 'must be an object keyed by field id' }]);
  }
  const given = input as Record<string, unknown>;
  const fields = def.sections.flatMap((s) => s.fields);
  const errors: FieldError[] = [];
  const ids = new Set(fields.map((f) => f.id));
  for (const key of Object.keys(given)) {
    if (!ids.has(key)) errors.push({ field: `answers.${key}`, message: 'is not a field of this form version' });
  }
  const answers: Record<string, unknown> = {};
  const hidden: string[] = [];
  const data = answerData({});
  for (const field of fields) {
    if (!isVisible(field.visibleIf, data)) {
      hidden.push(field.id);
      continue;
    }
    const outcome = Object.prototype.hasOwnProperty.call(given, field.id) ? checkOne(field, given[field.id], ctx) : EMPTY;
    if ('error' in outcome) {
      errors.push({ field: outcome.at ?? `answers.${field.id}`, message: outcome.error });
    } else if ('empty' in outcome) {
      if (field.required) errors.push({ field: `answers.${field.id}`, message: field.type === 'consent' ? 'must be agreed to and signed' : 'is required' });
    } else {
      answers[field.id] = outcome.value;
      data[field.id] = outcome.value;
    }
  }
  if (errors.length > 0) throw validationError(errors, 'Some answers are not valid');
  return { answers, hidden };
}
