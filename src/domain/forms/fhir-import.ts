/**
 * A FHIR R4 Questionnaire as a new form. Groups become sections (top-level questions outside a
 * group are gathered into sections of their own), questions become fields, enableWhen becomes
 * `visibleIf`, and HealthTrack's own extensions (see fhir-export.ts) are read back. Constructs that
 * would change what is asked or accepted (nested groups, repeating groups, answerValueSet, item
 * types without a field type, modifier extensions…) are refused with a 400 naming the item's path,
 * e.g. `item[2].item[0].answerValueSet`; cosmetic ones (prefix, code, initial values) are ignored.
 */
import { validationError, type FieldError } from '../../errors/catalogue.ts';
import { FHIR_EXT, FORM_KEY_SYSTEM, HT_EXT, ITEM_CONTROL_SYSTEM, type FhirJson } from './fhir-common.ts';
import { FORM_KEY_PATTERN, ID_PATTERN, type FieldType, type FormDefinition, type FormField, type FormSection } from './form-schemas.ts';

const TYPES: Record<string, FieldType> = {
  string: 'text',
  text: 'long_text',
  integer: 'number',
  decimal: 'number',
  date: 'date',
  boolean: 'yes_no',
  choice: 'single_choice',
  coding: 'single_choice',
};

const obj = (x: unknown): x is FhirJson => x !== null && typeof x === 'object' && !Array.isArray(x);
const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

/** The result of a conversion: the definition plus where each field came from, for error paths. */
export interface Converted {
  readonly definition: FormDefinition;
  readonly keyHint: string;
  /** `sections[s].fields[f]` (or `sections[s]`) → the FHIR item path it came from. */
  readonly origins: ReadonlyMap<string, string>;
}

class Converter {
  readonly errors: FieldError[] = [];
  readonly origins = new Map<string, string>();
  /** linkId → field id, for the items converted so far (enableWhen may only look back). */
  private readonly ids = new Map<string, string>();
  private readonly types = new Map<string, FieldType>();
  private readonly used = new Set<string>();

  fail(field: string, message: string): void {
    this.errors.push({ field, message });
  }

  /** A valid, unused id for `linkId` (kept as is when it already is one). */
  idFor(linkId: string): string {
    let base = new RegExp(ID_PATTERN).test(linkId) ? linkId : `q_${linkId.replace(/[^A-Za-z0-9_]/g, '_')}`.slice(0, 60);
    if (!/^[A-Za-z]/.test(base)) base = `q${base}`;
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base}_${n}`;
    this.used.add(id);
    return id;
  }

  private ext(item: FhirJson, url: string): FhirJson | undefined {
    return list(item.extension).find((e): e is FhirJson => obj(e) && e.url === url);
  }

  private visibleIf(item: FhirJson, path: string): Record<string, unknown> | undefined {
    const own = this.ext(item, HT_EXT.visibleIf);
    if (own && typeof own.valueString === 'string') {
      try {
        const parsed: unknown = JSON.parse(own.valueString);
        if (obj(parsed)) return parsed;
      } catch {
        // reported below
      }
      this.fail(`${path}.extension`, 'the visible-if extension must hold a JsonLogic object as JSON');
      return undefined;
    }
    const conditions = list(item.enableWhen);
    if (conditions.length === 0) return undefined;
    const parts = conditions.map((c, k) => this.condition(c, `${path}.enableWhen[${k}]`));
    if (parts.some((p) => p === null)) return undefined;
    if (parts.length === 1) return parts[0]!;
    const behavior = item.enableBehavior ?? 'all';
    if (behavior !== 'all' && behavior !== 'any') {
      this.fail(`${path}.enableBehavior`, 'must be all or any');
      return undefined;
    }
    return { [behavior === 'all' ? 'and' : 'or']: parts };
  }

  private condition(c: unknown, path: string): Record<string, unknown> | null {
    if (!obj(c) || typeof c.question !== 'string') {
      this.fail(`${path}.question`, 'is required');
      return null;
    }
    const id = this.ids.get(c.question);
    if (!id) {
      this.fail(`${path}.question`, `refers to "${c.question}", which is not a question before this item`);
      return null;
    }
    const answerKey = Object.keys(c).find((k) => k.startsWith('answer'));
    const raw = answerKey ? c[answerKey] : undefined;
    const supported = ['answerBoolean', 'answerDecimal', 'answerInteger', 'answerDate', 'answerString', 'answerCoding'];
    if (!answerKey || !supported.includes(answerKey)) {
      this.fail(`${path}${answerKey ? `.${answerKey}` : ''}`, `must give one of ${supported.join(', ')}`);
      return null;
    }
    const value = answerKey === 'answerCoding' ? (obj(raw) ? raw.code : undefined) : raw;
    if (value === undefined || value === null || typeof value === 'object') {
      this.fail(`${path}.${answerKey}`, answerKey === 'answerCoding' ? 'must have a code' : 'must be a plain value');
      return null;
    }
    // A consent answer is an object; its boolean is `agreed`.
    const v = { var: this.types.get(id) === 'consent' ? `${id}.agreed` : id };
    const multiple = this.types.get(id) === 'multiple_choice';
    switch (c.operator) {
      case 'exists':
        return value === true ? { '!=': [v, null] } : { '==': [v, null] };
      case '=':
        return multiple ? { in: [value, v] } : { '==': [v, value] };
      case '!=':
        return multiple ? { '!': { in: [value, v] } } : { '!=': [v, value] };
      case '<':
      case '<=':
      case '>':
      case '>=':
        return { [c.operator]: [v, value] };
      default:
        this.fail(`${path}.operator`, 'must be one of exists, =, !=, <, <=, >, >=');
        return null;
    }
  }

  private options(item: FhirJson, path: string): FormField['options'] {
    if (item.answerValueSet !== undefined) this.fail(`${path}.answerValueSet`, 'is not supported: list the answers as answerOption');
    return list(item.answerOption).map((o, k) => {
      const coding = obj(o) ? o.valueCoding : undefined;
      if (obj(coding) && typeof coding.code === 'string') return { value: coding.code, label: typeof coding.display === 'string' ? coding.display : coding.code };
      const plain = obj(o) ? (o.valueString ?? o.valueInteger ?? o.valueDate) : undefined;
      if (typeof plain === 'string' || typeof plain === 'number') return { value: String(plain), label: String(plain) };
      this.fail(`${path}.answerOption[${k}]`, 'must be a valueCoding with a code, a valueString, valueInteger or valueDate');
      return { value: `option_${k}`, label: `option ${k}` };
    });
  }

  /** A question item as a field (display children become help or consent text). */
  field(item: FhirJson, path: string): FormField | null {
    if (typeof item.linkId !== 'string' || item.linkId === '') {
      this.fail(`${path}.linkId`, 'is required');
      return null;
    }
    if (item.modifierExtension !== undefined) this.fail(`${path}.modifierExtension`, 'is not supported');
    const fhirType = String(item.type);
    let type = TYPES[fhirType];
    if (!type) {
      this.fail(`${path}.type`, `"${fhirType}" is not supported (supported: ${Object.keys(TYPES).join(', ')}, and display text)`);
      return null;
    }
    const consent = this.ext(item, HT_EXT.consent)?.valueBoolean === true && type === 'yes_no';
    if (consent) type = 'consent';
    if (item.repeats === true) {
      if (type === 'single_choice') type = 'multiple_choice';
      else this.fail(`${path}.repeats`, 'repeating answers are supported for choice questions only');
    }
    const help: string[] = [];
    let consentText: string | undefined;
    list(item.item).forEach((child, k) => {
      const childPath = `${path}.item[${k}]`;
      if (!obj(child) || child.type !== 'display') return this.fail(childPath, 'only display text may be nested under a question');
      const text = typeof child.text === 'string' ? child.text : '';
      const control = this.ext(child, FHIR_EXT.itemControl)?.valueCodeableConcept;
      const isHelp = obj(control) && list(control.coding).some((c) => obj(c) && c.system === ITEM_CONTROL_SYSTEM && c.code === 'help');
      if (consent && !isHelp && consentText === undefined) consentText = text;
      else if (text) help.push(text);
    });
    const validation: NonNullable<FormField['validation']> = {};
    const num = (url: string) => {
      const e = this.ext(item, url);
      return e ? (e.valueInteger ?? e.valueDecimal ?? e.valueDate ?? e.valueString) : undefined;
    };
    if (typeof item.maxLength === 'number') validation.maxLength = item.maxLength;
    const minLength = num(FHIR_EXT.minLength);
    if (typeof minLength === 'number') validation.minLength = minLength;
    const regex = num(FHIR_EXT.regex);
    if (typeof regex === 'string') validation.pattern = regex;
    const min = num(HT_EXT.minDate) ?? num(FHIR_EXT.minValue);
    const max = num(HT_EXT.maxDate) ?? num(FHIR_EXT.maxValue);
    if (typeof min === 'number' || typeof min === 'string') validation.min = min;
    if (typeof max === 'number' || typeof max === 'string') validation.max = max;
    if (fhirType === 'integer') validation.integer = true;
    const minOccurs = num(FHIR_EXT.minOccurs);
    const maxOccurs = num(FHIR_EXT.maxOccurs);
    if (typeof minOccurs === 'number' && type === 'multiple_choice') validation.minSelected = minOccurs;
    if (typeof maxOccurs === 'number' && type === 'multiple_choice') validation.maxSelected = maxOccurs;
    const mapsTo = this.ext(item, HT_EXT.mapsTo)?.valueCode;
    const visibleIf = this.visibleIf(item, path);
    const id = this.idFor(item.linkId);
    this.ids.set(item.linkId, id);
    this.types.set(id, type);
    return {
      id,
      type,
      label: typeof item.text === 'string' && item.text !== '' ? item.text : item.linkId,
      ...(help.length > 0 ? { help: help.join('\n\n') } : {}),
      ...(item.required === true ? { required: true } : {}),
      ...(Object.keys(validation).length > 0 ? { validation } : {}),
      ...(type === 'single_choice' || type === 'multiple_choice' ? { options: this.options(item, path) } : {}),
      ...(visibleIf ? { visibleIf } : {}),
      ...(typeof mapsTo === 'string' ? { mapsTo: mapsTo as FormField['mapsTo'] } : {}),
      ...(consent ? { consent: { text: consentText ?? '' } } : {}),
    } as FormField;
  }

  /** A group item's questions (display items add to the section description). */
  section(item: FhirJson, path: string, index: number, childPaths?: readonly string[]): FormSection {
    if (item.repeats === true) this.fail(`${path}.repeats`, 'repeating groups are not supported');
    if (item.enableWhen !== undefined) this.fail(`${path}.enableWhen`, 'conditions on a whole group are not supported; put them on its questions');
    const description: string[] = [];
    const fields: FormField[] = [];
    list(item.item).forEach((child, k) => {
      const childPath = childPaths?.[k] ?? `${path}.item[${k}]`;
      if (!obj(child)) return this.fail(childPath, 'must be an item');
      if (child.type === 'group') return this.fail(childPath, 'groups inside groups are not supported');
      if (child.type === 'display') {
        if (typeof child.text === 'string' && child.text) description.push(child.text);
        return;
      }
      const field = this.field(child, childPath);
      if (field) {
        this.origins.set(`sections[${index}].fields[${fields.length}]`, childPath);
        fields.push(field);
      }
    });
    const linkId = typeof item.linkId === 'string' ? item.linkId : `section_${index + 1}`;
    this.origins.set(`sections[${index}]`, path);
    return {
      id: this.idFor(linkId),
      title: typeof item.text === 'string' && item.text !== '' ? item.text : linkId,
      ...(description.length > 0 ? { description: description.join('\n\n') } : {}),
      fields,
    };
  }
}

function slug(text: string): string {
  return text.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 56) || 'imported-form';
}

/**
 * Converts a Questionnaire; throws `validation_failed` naming FHIR paths for what cannot be converted.
 * The result still goes through `checkFormDefinition` (see importQuestionnaire).
 */
export function fromQuestionnaire(q: unknown): Converted {
  const c = new Converter();
  if (!obj(q) || q.resourceType !== 'Questionnaire') throw validationError([{ field: 'resourceType', message: 'must be Questionnaire' }]);
  const title = typeof q.title === 'string' && q.title ? q.title : typeof q.name === 'string' && q.name ? q.name : null;
  if (!title) c.fail('title', 'is required (or name)');
  if (q.modifierExtension !== undefined) c.fail('modifierExtension', 'is not supported');
  const items = list(q.item);
  if (items.length === 0) c.fail('item', 'must list at least one item');
  const sections: FormSection[] = [];
  const description: string[] = typeof q.description === 'string' && q.description ? [q.description] : [];
  let loose: FhirJson[] = [];
  let loosePaths: string[] = [];
  const flushLoose = () => {
    if (loose.length === 0) return;
    const group: FhirJson = { linkId: `section_${sections.length + 1}`, text: sections.length === 0 ? (title ?? 'Questions') : 'More questions', type: 'group', item: loose };
    // Gathered questions keep the paths of their own top-level items.
    sections.push(c.section(group, 'item', sections.length, loosePaths));
    loose = [];
    loosePaths = [];
  };
  items.forEach((item, i) => {
    const path = `item[${i}]`;
    if (!obj(item)) return c.fail(path, 'must be an item');
    if (item.type === 'group') {
      flushLoose();
      sections.push(c.section(item, path, sections.length));
    } else if (item.type === 'display' && loose.length === 0) {
      if (typeof item.text === 'string' && item.text) description.push(item.text);
    } else {
      loose.push(item);
      loosePaths.push(path);
    }
  });
  flushLoose();
  if (c.errors.length > 0) throw validationError(c.errors, 'The Questionnaire cannot be imported');
  const identifier = list(q.identifier).find((x): x is FhirJson => obj(x) && x.system === FORM_KEY_SYSTEM && typeof x.value === 'string');
  const keyHint = identifier && new RegExp(FORM_KEY_PATTERN).test(String(identifier.value)) ? String(identifier.value) : slug(typeof q.name === 'string' && q.name ? q.name : title!);
  return {
    definition: { title: title!.slice(0, 200), ...(description.length > 0 ? { description: description.join('\n\n') } : {}), sections },
    keyHint,
    origins: c.origins,
  };
}

/** Renames definition paths (`sections[0].fields[2].options[1].value`) to the FHIR item they came from. */
export function toFhirPaths(errors: readonly FieldError[], origins: ReadonlyMap<string, string>): FieldError[] {
  return errors.map((e) => {
    const m = /^(sections\[\d+\](?:\.fields\[\d+\])?)(.*)$/.exec(e.field);
    const origin = m ? (origins.get(m[1]!) ?? origins.get(m[1]!.replace(/\.fields\[\d+\]$/, ''))) : undefined;
    if (!m || origin === undefined) return e;
    const rest = m[2]!.replace(/^\./, '');
    return { field: origin || 'item', message: rest ? `${rest}: ${e.message}` : e.message };
  });
}
