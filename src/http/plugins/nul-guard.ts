/**
 * PostgreSQL cannot store U+0000 in text or jsonb: a NUL in any string the client sends (a patient's
 * answer on a public form link, a name, a search term, a cursor) would fail the statement and answer
 * 500. This hook refuses it up front as 400 `validation_failed` naming the field, for every route.
 * Binary bodies (logo uploads arrive as a Buffer) are not text and are left alone.
 */
import type { FastifyRequest } from 'fastify';
import { validationError } from '../../errors/catalogue.ts';

const MAX_DEPTH = 64;

/** The JSON-ish path of the first string (value or key) holding a NUL, or null. */
export function findNul(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || ArrayBuffer.isView(value)) return null;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const hit = findNul(item, `${path}[${i}]`, depth + 1);
      if (hit !== null) return hit;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (key.includes('\u0000')) return at;
    const hit = findNul(item, at, depth + 1);
    if (hit !== null) return hit;
  }
  return null;
}

export async function rejectNulCharacters(request: FastifyRequest): Promise<void> {
  for (const part of [request.params, request.query, request.body]) {
    const field = findNul(part, '');
    if (field !== null) throw validationError([{ field: field || 'body', message: 'must not contain NUL (U+0000) characters' }]);
  }
}
