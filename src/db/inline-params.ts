/**
 * Renders `$n` parameters as escaped literals, so a statement can travel in the same simple-protocol
 * message as BEGIN and the tenant preamble (one round trip instead of two). Values are serialised
 * exactly as node-pg serialises bound parameters (text format), then quoted with its escapeLiteral,
 * which handles quotes and backslashes whatever standard_conforming_strings says.
 */
import pgUtils from 'pg/lib/utils.js';

const { prepareValue, escapeLiteral } = pgUtils;

/** Returns the statement with literals in place of `$n`, or null when a value cannot be inlined. */
export function inlineParams(sql: string, params: readonly unknown[] = []): string | null {
  const rendered: string[] = [];
  for (const value of params) {
    const text = prepareValue(value);
    if (text === null || text === undefined) rendered.push('NULL');
    else if (typeof text === 'string') {
      if (text.includes('\0')) return null;
      rendered.push(escapeLiteral(text));
    } else return null; // Buffers travel in binary: leave them to the extended protocol.
  }
  let bad = false;
  const out = sql.replace(/\$(\d+)/g, (_, n: string) => {
    const literal = rendered[Number(n) - 1];
    if (literal === undefined) bad = true;
    return literal ?? '';
  });
  return bad ? null : out;
}
