/**
 * PostgreSQL cannot store U+0000 in text or jsonb: a NUL in any string the client sends (a patient's
 * answer on a public form link, a name, a search term, a cursor) would fail the statement and answer
 * 500. This hook refuses it up front as 400 `validation_failed` naming the field, for every route.
 * Binary bodies (logo uploads arrive as a Buffer) are not text and are left alone.
 * Likewise a date or instant in the year 0000 passes JSON-schema `date`/`date-time` formats but does
 * not exist for PostgreSQL (there is no year 0): refused here for every field at once. So is the
 * year 9999: a day range reaching past 9999-12-31 has no ISO form PostgreSQL reads, and no clinic
 * plans that far ahead.
 */
import type { FastifyRequest } from 'fastify';
import { validationError } from '../../errors/catalogue.ts';

const MAX_DEPTH = 64;

/** A located problem: the path segments (innermost first, joined only on a hit) and the message. */
interface Hit {
  readonly segments: string[];
  readonly message: string;
}

/** Walks `value` once; the first string (value or key) that `check` faults, with where it sits. */
function findFault(value: unknown, check: (s: string) => string | null, depth = 0): Hit | null {
  if (typeof value === 'string') {
    const message = check(value);
    return message === null ? null : { segments: [], message };
  }
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || ArrayBuffer.isView(value)) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findFault(value[i], check, depth + 1);
      if (hit !== null) {
        hit.segments.push(`[${i}]`);
        return hit;
      }
    }
    return null;
  }
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const keyMessage = check(key);
    if (keyMessage !== null) return { segments: [`.${key}`], message: keyMessage };
    const hit = findFault((value as Record<string, unknown>)[key], check, depth + 1);
    if (hit !== null) {
      hit.segments.push(`.${key}`);
      return hit;
    }
  }
  return null;
}

/** "a[1].b" from innermost-first segments. */
function pathOf(segments: readonly string[], base: string): string {
  let path = base;
  for (let i = segments.length - 1; i >= 0; i--) path += segments[i];
  return path.startsWith('.') ? path.slice(1) : path;
}

const NUL = 'must not contain NUL (U+0000) characters';
const YEAR_ZERO = 'is in the year 0000, which does not exist (the first year is 0001)';
const YEAR_9999 = 'is in the year 9999, past the last date handled (9998-12-31)';
// Only whole ISO dates and instants: free text that merely starts with digits is left alone.
const EDGE_YEAR_DATE = /^(0000|9999)-\d{2}-\d{2}(?:[Tt ][0-9:.]+(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** What is wrong with one client string, or null: one predicate, so each request is walked once. */
function stringFault(s: string): string | null {
  if (s.includes('\u0000')) return NUL;
  // Cheap first-character test before the regular expression: almost no string starts with 0 or 9.
  const c = s.charCodeAt(0);
  if ((c === 48 || c === 57) && EDGE_YEAR_DATE.test(s)) return c === 48 ? YEAR_ZERO : YEAR_9999;
  return null;
}

/** The JSON-ish path of the first string (value or key) holding a NUL, or null. */
export function findNul(value: unknown, path: string): string | null {
  const hit = findFault(value, (s) => (s.includes('\u0000') ? NUL : null));
  return hit === null ? null : pathOf(hit.segments, path);
}

export async function rejectNulCharacters(request: FastifyRequest): Promise<void> {
  for (const part of [request.params, request.query, request.body]) {
    const hit = findFault(part, stringFault);
    if (hit !== null) throw validationError([{ field: pathOf(hit.segments, '') || 'body', message: hit.message }]);
  }
}
