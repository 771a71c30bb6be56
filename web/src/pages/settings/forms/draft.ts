/** Editing a form definition in the builder: blank fields, keys from labels, cleaning before save, error paths. */
import type { FieldType, FormDefinition, FormField } from '../../../forms/types.ts';

/** "Do you smoke?" → "doYouSmoke": a valid field id (a letter, then letters, digits or _). */
export function keyFromLabel(label: string): string {
  const words = label
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9 ]+/g, ' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 6);
  const key = words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1).toLowerCase())).join('');
  const ok = /^[A-Za-z]/.test(key) ? key : key ? `q${key}` : '';
  return ok.slice(0, 64);
}

/** "Penicillin allergy" → "penicillin_allergy": an option value. */
export function valueFromLabel(label: string): string {
  return label.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 100);
}

export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}${n}`)) return `${base}${n}`;
}

export function allIds(def: FormDefinition): Set<string> {
  return new Set(def.sections.flatMap((s) => [s.id, ...s.fields.map((f) => f.id)]));
}

export function newField(type: FieldType, taken: ReadonlySet<string>): FormField {
  const id = uniqueId('field', taken);
  const base: FormField = { id, type, label: '' };
  if (type === 'single_choice' || type === 'multiple_choice') base.options = [{ value: 'option_1', label: 'Option 1' }, { value: 'option_2', label: 'Option 2' }];
  if (type === 'consent') base.consent = { text: '' };
  return base;
}

/** Adapts a field to a new type: options and consent text only where they belong, rules reset. */
export function changeType(field: FormField, type: FieldType): FormField {
  const next: FormField = { id: field.id, type, label: field.label, help: field.help, required: field.required, mapsTo: undefined, visibleIf: field.visibleIf };
  if (type === 'single_choice' || type === 'multiple_choice') next.options = field.options ?? [{ value: 'option_1', label: 'Option 1' }];
  if (type === 'consent') next.consent = field.consent ?? { text: '' };
  return next;
}

/** The definition as the API wants it: empty optional texts and rules left out. */
export function cleanDefinition(def: FormDefinition): FormDefinition {
  return {
    title: def.title,
    ...(def.description?.trim() ? { description: def.description } : {}),
    sections: def.sections.map((s) => ({
      id: s.id,
      title: s.title,
      ...(s.description?.trim() ? { description: s.description } : {}),
      fields: s.fields.map(cleanField),
    })),
  };
}

function cleanField(f: FormField): FormField {
  const validation = Object.fromEntries(Object.entries(f.validation ?? {}).filter(([, v]) => v !== undefined && v !== '' && v !== false));
  const out: FormField = { id: f.id, type: f.type, label: f.label };
  if (f.help?.trim()) out.help = f.help;
  if (f.required) out.required = true;
  if (Object.keys(validation).length > 0) out.validation = validation;
  if (f.type === 'single_choice' || f.type === 'multiple_choice') out.options = f.options ?? [];
  if (f.visibleIf) out.visibleIf = f.visibleIf;
  if (f.mapsTo) out.mapsTo = f.mapsTo;
  if (f.type === 'consent') out.consent = f.consent ?? { text: '' };
  return out;
}


/** Mapping targets that accept a field type (docs/forms.md, `mapsTo`). */
export function targetsFor(type: FieldType): readonly string[] {
  switch (type) {
    case 'text':
      return ['preferredName', 'phone', 'email', 'address.line1', 'address.line2', 'address.city', 'address.region', 'address.postalCode', 'address.country', 'allergies'];
    case 'single_choice':
      return ['sex', 'address.country'];
    case 'long_text':
    case 'multiple_choice':
      return ['allergies'];
    default:
      return [];
  }
}
