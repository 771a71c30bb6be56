/**
 * Checks a practice's template before it is saved or previewed: it must parse in the sandbox, read
 * only the variables of its kind, use only allowed filters and tags, stay within the size limits,
 * and render the sample data within the time and memory limits. Every problem names its field
 * (`subject`, `bodyHtml`, `bodyText`) and, when the parser knows it, the line and column.
 */
import type { Template } from 'liquidjs';
import type { FieldError } from '../../errors/catalogue.ts';
import { parseTemplate, renderParsed, TemplateError, variablesUsed, type TemplateMode } from './liquid-sandbox.ts';
import { allowedPaths, sampleVariables, type MessageKind } from './message-kinds.ts';
import type { TemplateSet } from './default-templates.ts';

export const SUBJECT_MAX = 300;
export const HTML_MAX = 100_000;
export const TEXT_MAX = 50_000;

export type TemplateField = keyof TemplateSet;

const FIELD_MODE: Readonly<Record<TemplateField, TemplateMode>> = { subject: 'text', bodyHtml: 'html', bodyText: 'text' };

/** Liquid's own properties of any value (`{{ patient.firstName.size }}`). */
const BUILT_IN_PROPERTIES = new Set(['size', 'first', 'last']);

function sizeProblem(field: TemplateField, source: string): string | null {
  switch (field) {
    case 'subject':
      if (source.trim() === '') return 'must not be empty';
      if (/[\r\n]/.test(source)) return 'must be a single line';
      return source.length > SUBJECT_MAX ? `must be at most ${SUBJECT_MAX} characters` : null;
    case 'bodyHtml':
      // An empty HTML body is allowed: the message then goes as plain text only.
      return source.length > HTML_MAX ? `must be at most ${HTML_MAX} characters` : null;
    case 'bodyText':
      if (source.trim() === '') return 'must not be empty';
      return source.length > TEXT_MAX ? `must be at most ${TEXT_MAX} characters` : null;
  }
}

function isKnownPath(path: string, allowed: ReadonlySet<string>): boolean {
  if (allowed.has(path)) return true;
  const cut = path.lastIndexOf('.');
  return cut > 0 && BUILT_IN_PROPERTIES.has(path.slice(cut + 1)) && allowed.has(path.slice(0, cut));
}

const at = (pos: { line: number; column: number }, message: string) => `line ${pos.line}, column ${pos.column}: ${message}`;
const describe = (err: unknown) => (err instanceof TemplateError ? err.describe() : 'could not be processed');

/**
 * Checks one template field. Returns its field errors (empty when valid) and, when it parsed, the
 * parsed template so the caller need not parse it again.
 */
export function checkField(kind: MessageKind, field: TemplateField, source: string): { errors: FieldError[]; parsed: Template[] | null } {
  const size = sizeProblem(field, source);
  if (size) return { errors: [{ field, message: size }], parsed: null };
  const mode = FIELD_MODE[field];
  let parsed: Template[];
  try {
    parsed = parseTemplate(source, mode);
  } catch (err) {
    return { errors: [{ field, message: describe(err) }], parsed: null };
  }
  const allowed = allowedPaths(kind);
  const errors: FieldError[] = [];
  for (const use of variablesUsed(parsed, mode)) {
    if (!use.static) {
      errors.push({ field, message: at(use.position, `computed lookups like \`${use.path}\` are not allowed; name the variable`) });
    } else if (!isKnownPath(use.path, allowed)) {
      errors.push({ field, message: at(use.position, `unknown variable \`${use.path}\` for ${kind} messages`) });
    }
  }
  if (errors.length === 0) {
    // A trial render with the sample data catches runaway loops and bad filter arguments at save.
    try {
      renderParsed(parsed, sampleVariables(kind), mode);
    } catch (err) {
      errors.push({ field, message: describe(err) });
    }
  }
  return { errors, parsed: errors.length ? null : parsed };
}

/** Checks the given fields of a template set; throws nothing, returns every problem found. */
export function checkTemplateSet(kind: MessageKind, input: Partial<TemplateSet>): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of ['subject', 'bodyHtml', 'bodyText'] as const) {
    const source = input[field];
    if (source !== undefined) errors.push(...checkField(kind, field, source).errors);
  }
  return errors;
}

/** The sandbox mode a field renders in. */
export function fieldMode(field: TemplateField): TemplateMode {
  return FIELD_MODE[field];
}
