/**
 * The API names a field in two spellings: schema errors `jurisdictions.0.code`, domain checks
 * `jurisdictions[0].code` (and JSON pointers `/jurisdictions/0/code`). Pages look errors up by one
 * normalised dotted path.
 */
import { ApiError } from '../api.ts';

/** `sections[1].fields[3].visibleIf`, `/sections/1/fields/3/visibleIf` → `sections.1.fields.3.visibleIf`. */
export function normalisePath(path: string): string {
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/\//g, '.')
    .replace(/^\.+/, '')
    .replace(/^body\./, '');
}

/** The field errors of `error` (an ApiError or anything) by normalised path; several for one path are joined. */
export function fieldErrorMap(error: unknown, problems?: readonly { field: string; message: string }[]): Map<string, string> {
  const m = new Map<string, string>();
  const list = problems ?? (error instanceof ApiError ? error.errors : []);
  for (const e of list) {
    const k = normalisePath(e.field);
    const before = m.get(k);
    m.set(k, before && before !== e.message ? `${before}; ${e.message}` : e.message);
  }
  return m;
}
