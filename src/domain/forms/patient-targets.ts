/**
 * The closed list of patient-record fields an answer may update (`mapsTo`), which field types fit
 * each, the value rules the patient record enforces, and how answers turn into record changes.
 * Names, date of birth and the MRN are deliberately absent: they identify the patient, and a form
 * (possibly filled through a link) must not re-identify a record; staff correct them.
 */
import type { FieldError } from '../../errors/catalogue.ts';
import { phoneDigits } from '../patients/patient-validation.ts';
import type { FieldType, FormDefinition, MappingTarget } from './form-schemas.ts';

const EMAIL_RE = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const SEXES = ['female', 'male', 'other', 'unknown'];
export const MAX_ALLERGIES = 50;
export const MAX_ALLERGY_LENGTH = 200;

interface TargetSpec {
  readonly types: readonly FieldType[];
  readonly maxLength?: number;
  /** What a choice option's value must be to fit the target. */
  readonly option?: { readonly test: (value: string) => boolean; readonly hint: string };
  /** Checks a (trimmed) answer; returns the problem or null. */
  readonly check?: (value: string) => string | null;
}

const TARGETS: Record<MappingTarget, TargetSpec> = {
  preferredName: { types: ['text'], maxLength: 100 },
  phone: {
    types: ['text'],
    maxLength: 40,
    check: (v) => (phoneDigits(v).length < 7 || phoneDigits(v).length > 15 ? 'must be a phone number with 7 to 15 digits' : null),
  },
  email: { types: ['text'], maxLength: 254, check: (v) => (EMAIL_RE.test(v) ? null : 'must be an email address') },
  sex: { types: ['single_choice'], option: { test: (v) => SEXES.includes(v), hint: SEXES.join(', ') } },
  'address.line1': { types: ['text'], maxLength: 200 },
  'address.line2': { types: ['text'], maxLength: 200 },
  'address.city': { types: ['text'], maxLength: 100 },
  'address.region': { types: ['text'], maxLength: 100 },
  'address.postalCode': { types: ['text'], maxLength: 20 },
  'address.country': {
    types: ['text', 'single_choice'],
    option: { test: (v) => /^[A-Z]{2}$/.test(v), hint: 'ISO 3166-1 alpha-2 codes such as US or GB' },
    check: (v) => (/^[A-Za-z]{2}$/.test(v) ? null : 'must be a two-letter country code (ISO 3166-1 alpha-2)'),
  },
  allergies: { types: ['text', 'long_text', 'multiple_choice'] },
};

/** Address parts without which an address cannot be stored: mapped together, replaced together. */
const ADDRESS_REQUIRED = ['address.line1', 'address.city', 'address.country'] as const;

/** Save-time checks of every `mapsTo`: fitting field types and options, no target twice (but allergies), whole addresses. */
export function checkMappings(def: FormDefinition): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Map<MappingTarget, string>();
  let firstAddress: string | null = null;
  def.sections.forEach((section, s) =>
    section.fields.forEach((field, f) => {
      if (!field.mapsTo) return;
      const path = `sections[${s}].fields[${f}].mapsTo`;
      const spec = TARGETS[field.mapsTo];
      if (!spec.types.includes(field.type)) {
        errors.push({ field: path, message: `${field.mapsTo} takes a ${spec.types.join(' or ')} field, not ${field.type}` });
        return;
      }
      if (spec.option && field.options) {
        const bad = field.options.findIndex((o) => !spec.option!.test(o.value));
        if (bad >= 0) errors.push({ field: `sections[${s}].fields[${f}].options[${bad}].value`, message: `must fit ${field.mapsTo}: one of ${spec.option.hint}` });
      }
      const earlier = seen.get(field.mapsTo);
      // Allergies add up (a checklist plus "any other?"); every other target takes one answer.
      if (earlier && field.mapsTo !== 'allergies') errors.push({ field: path, message: `${field.mapsTo} is already the target of ${earlier}` });
      else seen.set(field.mapsTo, path);
      if (field.mapsTo.startsWith('address.')) firstAddress ??= path;
    }),
  );
  if (firstAddress) {
    const missing = ADDRESS_REQUIRED.filter((t) => !seen.has(t));
    if (missing.length > 0) {
      errors.push({ field: firstAddress, message: `an address is replaced as a whole: ${missing.join(', ')} must be mapped too` });
    }
  }
  return errors;
}

/** Answer-time rules of the record for a mapped text answer (already trimmed); null when it fits. */
export function targetValueProblem(target: MappingTarget, value: string): string | null {
  const spec = TARGETS[target];
  if (spec.maxLength !== undefined && value.length > spec.maxLength) return `must be at most ${spec.maxLength} characters for the patient record`;
  return spec.check?.(value) ?? null;
}

/** Splits an allergies answer into entries: choice labels, one per line, or comma-separated. */
export function allergyEntries(type: FieldType, value: unknown, labels: ReadonlyMap<string, string>): string[] {
  let raw: string[];
  if (Array.isArray(value)) raw = value.map((v) => labels.get(String(v)) ?? String(v));
  else if (typeof value === 'string') raw = value.split(type === 'long_text' ? /[\n;]/ : /[,;\n]/);
  else raw = [];
  return dedupe(raw.map((x) => x.trim()).filter(Boolean));
}

/** Case-insensitive de-duplication, first spelling kept, order kept. */
export function dedupe(list: readonly string[]): string[] {
  const seen = new Set<string>();
  return list.filter((x) => {
    const k = x.toLocaleLowerCase('en');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
