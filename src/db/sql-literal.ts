/** Safe literal and identifier rendering for the few values sent in simple-protocol preambles. */

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IDENT_RE = /^[a-z_][a-z0-9_]{0,62}$/;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/** Quotes a string as a SQL literal (standard_conforming_strings on, as in every supported server). */
export function literal(value: string): string {
  if (value.includes('\0')) throw new Error('NUL byte in SQL literal');
  return `'${value.replace(/'/g, "''")}'`;
}

/** Renders a UUID literal, refusing anything that is not a UUID. */
export function uuidLiteral(value: string): string {
  if (!isUuid(value)) throw new Error(`not a uuid: ${JSON.stringify(value)}`);
  return `'${value.toLowerCase()}'`;
}

/** Renders a lower-case identifier, refusing anything that would need quoting. */
export function ident(name: string): string {
  if (!IDENT_RE.test(name)) throw new Error(`unsafe identifier: ${JSON.stringify(name)}`);
  return name;
}
