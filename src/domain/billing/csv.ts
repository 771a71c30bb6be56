/**
 * A small RFC 4180 CSV writer for exports that accountants open in spreadsheets.
 *
 * - Fields holding a comma, a double quote, CR or LF are quoted, with quotes doubled.
 * - Records end with CRLF, as RFC 4180 specifies.
 * - A file starts with a UTF-8 byte-order mark (`CSV_BOM`), without which Excel reads UTF-8 as the
 *   local ANSI code page and mangles "Müller" or "José".
 * - Formula injection (OWASP "CSV injection"): a text cell starting with `=`, `+`, `-`, `@`, tab, CR
 *   or LF could be run as a formula by a spreadsheet, so it gets a leading `'`, which spreadsheets
 *   show as text. Plain numbers such as `-12.50` are left alone so that they stay numeric.
 */

export type CsvValue = string | number | bigint | null | undefined;

/** The UTF-8 byte-order mark that opens every export. */
export const CSV_BOM = '\uFEFF';

const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
const FORMULA_START = /^[=+\-@\t\r\n]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One field, neutralised and quoted as needed.
 * @example csvField('Smith, Ann') // '"Smith, Ann"'
 * @example csvField('=SUM(A1)')   // "'=SUM(A1)"
 * @example csvField('-12.50')     // '-12.50'
 */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const safe = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One record, CRLF included. */
export function csvRecord(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',') + '\r\n';
}
