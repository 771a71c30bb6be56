/** Opaque, tamper-evident-enough pagination cursors: base64url JSON of the last row's sort key. */
import { AppError } from '../errors/catalogue.ts';

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor made by `encodeCursor` with `arity` string parts, or throws `invalid_cursor`. */
export function decodeCursor(cursor: string, arity: number): string[] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // A NUL could not reach PostgreSQL text (it would fail the statement): such a cursor was never ours.
    if (Array.isArray(value) && value.length === arity && value.every((v) => typeof v === 'string' && !v.includes('\u0000'))) return value as string[];
  } catch {
    // fall through to the uniform error
  }
  throw new AppError('invalid_cursor');
}

/** Escapes LIKE metacharacters so user text matches literally. */
export function likePrefix(text: string): string {
  return text.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
}
