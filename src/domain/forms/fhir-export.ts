/**
 * A form version as a FHIR R4 Questionnaire. Sections become groups, fields questions with their
 * FHIR types; `required`, options (answerOption with valueCoding), help and validation rules use
 * core and SDC elements; a `visibleIf` FHIR can express (comparisons of one earlier answer,
 * joined by one `and` or `or`) becomes enableWhen. What FHIR cannot express (mapsTo, any
 * visibleIf, relative dates, consent) also travels in HealthTrack extensions, so importing the
 * export gives back the same form.
 */
import { isRelativeBound } from './date-bounds.ts';
import { FHIR_EXT, fhirItemType, FORM_KEY_SYSTEM, HT_EXT, ITEM_CONTROL_SYSTEM, type FhirExtension, type FhirJson } from './fhir-common.ts';
import type { FieldType, FormDefinition, FormField } from './form-schemas.ts';

const OPS: Record<string, string> = { '==': '=', '===': '=', '!=': '!=', '!==': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };
const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=', '!=': '!=' };

type Fields = ReadonlyMap<string, FormField>;

const varName = (node: unknown): string | null => {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return null;
  const arg = (node as Record<string, unknown>).var;
  const name = Array.isArray(arg) && arg.length === 1 ? arg[0] : arg;
  return typeof name === 'string' ? name : null;
};

/** The typed FHIR answer for `value` compared with `field`, or null when it does not fit. */
function answerFor(field: FormField, value: unknown): Record<string, unknown> | null {
  switch (field.type as FieldType) {
    case 'yes_no':
    case 'consent':
      return typeof value === 'boolean' ? { answerBoolean: value } : null;
    case 'number':
      if (typeof value !== 'number') return null;
      return field.validation?.integer && Number.isInteger(value) ? { answerInteger: value } : { answerDecimal: value };
    case 'date':
      return typeof value === 'string' ? { answerDate: value } : null;
    case 'single_choice':
    case 'multiple_choice': {
      const option = field.options?.find((o) => o.value === value);
      return option ? { answerCoding: { code: option.value, display: option.label } } : null;
    }
    default:
      return typeof value === 'string' ? { answerString: value } : null;
  }
}

/** One JsonLogic comparison as an enableWhen condition, or null. */
function condition(expr: unknown, fields: Fields): Record<string, unknown> | null {
  if (expr === null || typeof expr !== 'object' || Array.isArray(expr)) return null;
  const [op, arg] = Object.entries(expr)[0] ?? [];
  if (op === '!!' || op === '!') {
    // Truthiness equals "answered" only where no stored answer is falsy (false, 0 are answers).
    const name = varName(Array.isArray(arg) && arg.length === 1 ? arg[0] : arg);
    const field = name ? fields.get(name) : undefined;
    if (!field || field.type === 'yes_no' || field.type === 'number') return null;
    return { question: name, operator: 'exists', answerBoolean: op === '!!' };
  }
  if (!Array.isArray(arg) || arg.length !== 2) return null;
  if (op === 'in') {
    const name = varName(arg[1]);
    const field = name ? fields.get(name) : undefined;
    const answer = field && field.type === 'multiple_choice' ? answerFor(field, arg[0]) : null;
    return answer ? { question: name, operator: '=', ...answer } : null;
  }
  if (!op || !OPS[op]) return null;
  let [left, right] = arg;
  let operator = OPS[op]!;
  if (varName(left) === null) {
    [left, right] = [right, left];
    operator = FLIP[operator]!;
  }
  const name = varName(left);
  if (name === null || varName(right) !== null) return null;
  const [id, part] = name.split('.');
  const field = fields.get(id!);
  if (!field || (part !== undefined && !(part === 'agreed' && field.type === 'consent'))) return null;
  if (right === null && (operator === '=' || operator === '!=') && part === undefined) {
    return { question: id, operator: 'exists', answerBoolean: operator === '!=' };
  }
  if (field.type === 'multiple_choice') return null; // `==` on a list is not "contains"
  const answer = answerFor(field, right);
  return answer ? { question: id, operator, ...answer } : null;
}

/** enableWhen (+ enableBehavior) for `expr`, or null when FHIR cannot say it exactly. */
export function enableWhenFor(expr: Record<string, unknown>, fields: Fields): Record<string, unknown> | null {
  const [op, arg] = Object.entries(expr)[0] ?? [];
  if ((op === 'and' || op === 'or') && Array.isArray(arg) && arg.length > 0) {
    const parts = arg.map((x) => condition(x, fields));
    if (parts.some((p) => p === null)) return null;
    return { enableWhen: parts, ...(parts.length > 1 ? { enableBehavior: op === 'and' ? 'all' : 'any' } : {}) };
  }
  const one = condition(expr, fields);
  return one ? { enableWhen: [one] } : null;
}

function valueExtension(url: string, field: FormField, bound: number | string): FhirExtension {
  if (field.type === 'date') return { url, valueDate: bound };
  return field.validation?.integer ? { url, valueInteger: bound } : { url, valueDecimal: bound };
}

function questionItem(field: FormField, earlier: Fields): FhirJson {
  const v = field.validation ?? {};
  const extension: FhirExtension[] = [];
  const children: FhirJson[] = [];
  if (v.minLength !== undefined) extension.push({ url: FHIR_EXT.minLength, valueInteger: v.minLength });
  if (v.pattern !== undefined) extension.push({ url: FHIR_EXT.regex, valueString: v.pattern });
  for (const [key, url, rel] of [['min', FHIR_EXT.minValue, HT_EXT.minDate], ['max', FHIR_EXT.maxValue, HT_EXT.maxDate]] as const) {
    const bound = v[key];
    if (bound === undefined) continue;
    if (typeof bound === 'string' && isRelativeBound(bound)) extension.push({ url: rel, valueString: bound });
    else extension.push(valueExtension(url, field, bound));
  }
  if (v.minSelected !== undefined) extension.push({ url: FHIR_EXT.minOccurs, valueInteger: v.minSelected });
  if (v.maxSelected !== undefined) extension.push({ url: FHIR_EXT.maxOccurs, valueInteger: v.maxSelected });
  if (field.mapsTo) extension.push({ url: HT_EXT.mapsTo, valueCode: field.mapsTo });
  let enable: Record<string, unknown> | null = null;
  if (field.visibleIf) {
    extension.push({ url: HT_EXT.visibleIf, valueString: JSON.stringify(field.visibleIf) });
    enable = enableWhenFor(field.visibleIf, earlier);
  }
  if (field.type === 'consent') {
    extension.push({ url: HT_EXT.consent, valueBoolean: true });
    children.push({ linkId: `${field.id}.consent`, type: 'display', text: field.consent!.text });
  }
  if (field.help) {
    children.push({
      linkId: `${field.id}.help`,
      type: 'display',
      text: field.help,
      extension: [{ url: FHIR_EXT.itemControl, valueCodeableConcept: { coding: [{ system: ITEM_CONTROL_SYSTEM, code: 'help' }] } }],
    });
  }
  return {
    linkId: field.id,
    text: field.label,
    type: fhirItemType(field.type, v.integer === true),
    ...(extension.length > 0 ? { extension } : {}),
    ...(enable ?? {}),
    ...(field.required ? { required: true } : {}),
    ...(field.type === 'multiple_choice' ? { repeats: true } : {}),
    ...(v.maxLength !== undefined ? { maxLength: v.maxLength } : {}),
    ...(field.options ? { answerOption: field.options.map((o) => ({ valueCoding: { code: o.value, display: o.label } })) } : {}),
    ...(children.length > 0 ? { item: children } : {}),
  };
}

/** FHIR `name`: a computer-friendly form of the key (`new-patient` → `NewPatient`). */
const fhirName = (key: string) => key.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('').replace(/^[^A-Z]/, 'F$&');

export interface ExportMeta {
  readonly formId: string;
  readonly key: string;
  readonly version: number;
  readonly status: 'active' | 'archived';
  readonly createdAt: string;
}

/**
 * The Questionnaire for one version.
 * @example toQuestionnaire(def, { formId, key: 'intake', version: 2, status: 'active', createdAt }).item[0].type // 'group'
 */
export function toQuestionnaire(def: FormDefinition, meta: ExportMeta): FhirJson {
  const earlier = new Map<string, FormField>();
  const item = def.sections.map((section) => ({
    linkId: section.id,
    text: section.title,
    type: 'group',
    ...(section.description ? { item: [{ linkId: `${section.id}.description`, type: 'display', text: section.description }] } : {}),
  })) as FhirJson[];
  def.sections.forEach((section, s) => {
    const questions = section.fields.map((field) => {
      const q = questionItem(field, earlier);
      earlier.set(field.id, field);
      return q;
    });
    item[s]!.item = [...((item[s]!.item as FhirJson[] | undefined) ?? []), ...questions];
  });
  return {
    resourceType: 'Questionnaire',
    id: `${meta.formId}-v${meta.version}`,
    identifier: [{ system: FORM_KEY_SYSTEM, value: meta.key }],
    version: String(meta.version),
    name: fhirName(meta.key),
    title: def.title,
    status: meta.status === 'active' ? 'active' : 'retired',
    date: meta.createdAt,
    ...(def.description ? { description: def.description } : {}),
    subjectType: ['Patient'],
    item,
  };
}
