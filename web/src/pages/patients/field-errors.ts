/**
 * The API's field errors as a person should read them. A nullable field (e.g. PATCH `email`) is a
 * union of null and a string, so a bad value comes back as one error per branch: "must be null",
 * "must match format \"email\"" and "must match a schema in anyOf". Only the middle one helps;
 * the union noise is dropped whenever a more specific error names the same field or one inside it.
 */
import type { FieldError } from '../../api.ts';

const UNION_NOISE = new Set(['must be null', 'must match a schema in anyOf', 'must match exactly one schema in oneOf']);

export function meaningfulErrors(errors: readonly FieldError[]): FieldError[] {
  return errors.filter((e) => {
    if (!UNION_NOISE.has(e.message)) return true;
    const specific = errors.some((f) => f !== e && !UNION_NOISE.has(f.message) && (f.field === e.field || f.field.startsWith(`${e.field}.`)));
    return !specific;
  });
}

/**
 * The validator's generic wording in plain words (the API's domain messages are already plain and
 * pass through unchanged, as does anything not listed).
 */
export function plainMessage(field: string, message: string): string {
  if (message === 'must NOT have fewer than 1 characters' || message === 'is required') return 'is required';
  if (message === 'must match format "email"') return 'must be an email address, such as name@example.com';
  if (message === 'must match format "date"') return 'must be a date';
  if (field.endsWith('country') && message.startsWith('must match pattern')) return 'must be a two-letter country code, such as US or GB';
  const longer = /^must NOT have more than (\d+) characters$/.exec(message);
  if (longer) return `must be at most ${longer[1]} characters`;
  return message;
}

/** All the messages for one dotted field, in plain words, joined; undefined when the API named none. */
export function messageFor(errors: readonly FieldError[], field: string): string | undefined {
  const messages = [...new Set(errors.filter((e) => e.field === field).map((e) => plainMessage(field, e.message)))];
  return messages.length ? messages.join('; ') : undefined;
}
