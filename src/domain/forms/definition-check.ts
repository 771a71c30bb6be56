/**
 * Save-time validation of a form definition. Every problem is reported at once, named by its JSON
 * path (`sections[1].fields[3].visibleIf`), whether the definition came from the API or a FHIR import.
 */
import { Value } from 'typebox/value';
import { validationError, type FieldError } from '../../errors/catalogue.ts';
import { dateBoundProblem, isRelativeBound } from './date-bounds.ts';
import { FormDefinition, type FieldType, type FormField } from './form-schemas.ts';
import { checkMappings } from './patient-targets.ts';
import { patternProblem } from './safe-pattern.ts';
import { checkVisibleIf } from './visible-if.ts';

/** Hard caps on text answers, whatever the definition says. */
export const TEXT_CAP: Partial<Record<FieldType, number>> = { text: 1000, long_text: 10000 };

/** A body of thousands of broken items gets the first problems, not a megabyte of them. */
const MAX_REPORTED = 100;
/** Fields in a whole form: bounds the save-time work (pattern probes, condition checks). */
export const MAX_FIELDS = 500;

/** Which `validation` keys each type takes. */
const RULES: Record<FieldType, readonly string[]> = {
  text: ['minLength', 'maxLength', 'pattern'],
  long_text: ['minLength', 'maxLength'],
  number: ['min', 'max', 'integer'],
  date: ['min', 'max'],
  single_choice: [],
  multiple_choice: ['minSelected', 'maxSelected'],
  yes_no: [],
  consent: [],
};

const CHOICE: readonly FieldType[] = ['single_choice', 'multiple_choice'];

/** `/sections/1/fields/3/type` → `sections[1].fields[3].type`. */
export function jsonPath(pointer: string, prefix = ''): string {
  let out = prefix;
  for (const seg of pointer.split('/').filter(Boolean)) {
    const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) ? `[${key}]` : out === '' ? key : `.${key}`;
  }
  return out;
}

/** Schema errors as field errors: one per path, worded for people. */
function schemaErrors(input: unknown): FieldError[] {
  const byPath = new Map<string, FieldError>();
  for (const e of Value.Errors(FormDefinition, input)) {
    const base = jsonPath(e.instancePath);
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'boolean') continue; // the additionalProperties error below says it better
    if (e.keyword === 'additionalProperties') {
      for (const p of params.additionalProperties as string[]) byPath.set(jsonPath(`${e.instancePath}/${p}`), { field: jsonPath(`${e.instancePath}/${p}`), message: 'is not a known field' });
      continue;
    }
    if (e.keyword === 'required') {
      for (const p of params.requiredProperties as string[]) {
        const field = jsonPath(`${e.instancePath}/${p}`);
        if (!byPath.has(field)) byPath.set(field, { field, message: 'is required' });
      }
      continue;
    }
    if (e.schemaPath.includes('/anyOf/')) continue; // the branches; the anyOf error follows
    let message = e.message;
    if (e.keyword === 'enum') message = `must be one of: ${(params.allowedValues as string[]).join(', ')}`;
    // The only union of the format is a min/max bound.
    if (e.keyword === 'anyOf') message = 'must be a number (number fields) or a date of at most 20 characters (date fields)';
    if (!byPath.has(base)) byPath.set(base, { field: base || '(body)', message });
  }
  return [...byPath.values()].slice(0, MAX_REPORTED);
}

function checkRules(field: FormField, path: string, errors: FieldError[]): void {
  const v = field.validation ?? {};
  for (const key of Object.keys(v)) {
    if (!RULES[field.type].includes(key)) errors.push({ field: `${path}.validation.${key}`, message: `does not apply to ${field.type} fields` });
  }
  const cap = TEXT_CAP[field.type];
  if (cap !== undefined && v.maxLength !== undefined && v.maxLength > cap) errors.push({ field: `${path}.validation.maxLength`, message: `must be at most ${cap} for ${field.type} fields` });
  if (v.minLength !== undefined && v.maxLength !== undefined && v.minLength > v.maxLength) errors.push({ field: `${path}.validation.minLength`, message: 'must not exceed maxLength' });
  if (field.type === 'text' && v.pattern !== undefined) {
    const problem = patternProblem(v.pattern);
    if (problem) errors.push({ field: `${path}.validation.pattern`, message: problem });
  }
  if (field.type === 'number') {
    for (const key of ['min', 'max'] as const) {
      if (v[key] !== undefined && typeof v[key] !== 'number') errors.push({ field: `${path}.validation.${key}`, message: 'must be a number for number fields' });
    }
    if (typeof v.min === 'number' && typeof v.max === 'number' && v.min > v.max) errors.push({ field: `${path}.validation.min`, message: 'must not exceed max' });
  }
  if (field.type === 'date') {
    for (const key of ['min', 'max'] as const) {
      const problem = v[key] === undefined ? null : dateBoundProblem(v[key]);
      if (problem) errors.push({ field: `${path}.validation.${key}`, message: problem });
    }
    const [min, max] = [v.min, v.max];
    if (typeof min === 'string' && typeof max === 'string' && !isRelativeBound(min) && !isRelativeBound(max) && !dateBoundProblem(min) && !dateBoundProblem(max) && min > max) {
      errors.push({ field: `${path}.validation.min`, message: 'must not be after max' });
    }
  }
  if (field.type === 'multiple_choice') {
    const n = field.options?.length ?? 0;
    if (v.minSelected !== undefined && v.maxSelected !== undefined && v.minSelected > v.maxSelected) errors.push({ field: `${path}.validation.minSelected`, message: 'must not exceed maxSelected' });
    if (v.minSelected !== undefined && v.minSelected > n) errors.push({ field: `${path}.validation.minSelected`, message: `must not exceed the number of options (${n})` });
  }
}

function checkField(field: FormField, path: string, errors: FieldError[]): void {
  if (CHOICE.includes(field.type)) {
    if (!field.options) errors.push({ field: `${path}.options`, message: `is required for ${field.type} fields` });
    const values = new Map<string, number>();
    field.options?.forEach((o, k) => {
      const first = values.get(o.value);
      if (first !== undefined) errors.push({ field: `${path}.options[${k}].value`, message: `duplicates options[${first}].value "${o.value}"` });
      else values.set(o.value, k);
    });
  } else if (field.options) {
    errors.push({ field: `${path}.options`, message: 'applies only to single_choice and multiple_choice fields' });
  }
  if (field.type === 'consent' && !field.consent) errors.push({ field: `${path}.consent`, message: 'is required for consent fields: {"text": "…"}' });
  if (field.type !== 'consent' && field.consent) errors.push({ field: `${path}.consent`, message: 'applies only to consent fields' });
  checkRules(field, path, errors);
}

/**
 * Every problem of a definition, named by JSON path: structure, duplicate ids (sections and fields
 * share one namespace, as FHIR linkIds do), choices without options, type-specific rules, unsafe
 * patterns, `visibleIf` and `mapsTo`. Empty when the definition is valid.
 */
export function definitionErrors(input: unknown): FieldError[] {
  const structural = schemaErrors(input);
  if (structural.length > 0) return structural;
  const def = input as FormDefinition;
  const count = def.sections.reduce((n, section) => n + section.fields.length, 0);
  if (count > MAX_FIELDS) return [{ field: 'sections', message: `a form has at most ${MAX_FIELDS} fields in all (this one has ${count})` }];
  const errors: FieldError[] = [];
  const ids = new Map<string, string>();
  const claim = (id: string, path: string) => {
    const first = ids.get(id);
    if (first) errors.push({ field: path, message: `duplicates the id "${id}" of ${first}` });
    else ids.set(id, path);
  };
  def.sections.forEach((section, s) => {
    claim(section.id, `sections[${s}].id`);
    section.fields.forEach((field, f) => claim(field.id, `sections[${s}].fields[${f}].id`));
  });
  const known = new Set(def.sections.flatMap((section) => section.fields.map((field) => field.id)));
  const earlier = new Map<string, FieldType>();
  def.sections.forEach((section, s) =>
    section.fields.forEach((field, f) => {
      const path = `sections[${s}].fields[${f}]`;
      checkField(field, path, errors);
      if (field.visibleIf !== undefined) errors.push(...checkVisibleIf(field.visibleIf, `${path}.visibleIf`, earlier, known));
      if (!earlier.has(field.id)) earlier.set(field.id, field.type);
    }),
  );
  errors.push(...checkMappings(def));
  return errors.slice(0, MAX_REPORTED);
}

/**
 * Returns `input` as a definition, or throws `validation_failed` naming every problem (see `definitionErrors`).
 * @example checkFormDefinition({ title: 'Intake', sections: [{ id: 'a', title: 'A', fields: [{ id: 'x', type: 'yes_no', label: 'X?' }] }] })
 */
export function checkFormDefinition(input: unknown): FormDefinition {
  const errors = definitionErrors(input);
  if (errors.length > 0) throw validationError(errors, 'The form definition is not valid');
  return input as FormDefinition;
}
