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

/** The JSON-ish path of the first string (value or key) that `bad` accepts, or null. */
function findString(value: unknown, path: string, bad: (s: string) => boolean, depth = 0): string | null {
  if (typeof value === 'string') return bad(value) ? path : null;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || ArrayBuffer.isView(value)) return null;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const hit = findString(item, `${path}[${i}]`, bad, depth + 1);
      if (hit !== null) return hit;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (bad(key)) return at;
    const hit = findString(item, at, bad, depth + 1);
    if (hit !== null) return hit;
  }
  return null;
}

const hasNul = (s: string) => s.includes('\u0000');
// Only whole ISO dates and instants: free text that merely starts with digits is left alone.
const YEAR_ZERO = /^0000-\d{2}-\d{2}(?:[Tt ][0-9:.]+(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;
const YEAR_9999 = /^9999-\d{2}-\d{2}(?:[Tt ][0-9:.]+(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** The JSON-ish path of the first string (value or key) holding a NUL, or null. */
export function findNul(value: unknown, path: string): string | null {
  return findString(value, path, hasNul);
}

export async function rejectNulCharacters(request: FastifyRequest): Promise<void> {
  for (const part of [request.params, request.query, request.body]) {
    const field = findNul(part, '');
    if (field !== null) throw validationError([{ field: field || 'body', message: 'must not contain NUL (U+0000) characters' }]);
    const yearZero = findString(part, '', (v) => YEAR_ZERO.test(v));
    if (yearZero !== null) throw validationError([{ field: yearZero || 'body', message: 'is in the year 0000, which does not exist (the first year is 0001)' }]);
    const yearLast = findString(part, '', (v) => YEAR_9999.test(v));
    if (yearLast !== null) throw validationError([{ field: yearLast || 'body', message: 'is in the year 9999, past the last date handled (9998-12-31)' }]);
  }
}
