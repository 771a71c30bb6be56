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
  return replaceOutsideQuotes(sql, rendered);
}

/**
 * Replaces `$n` placeholders, leaving quoted text alone: '…' literals (with '' escapes), "…"
 * identifiers, E'…' strings with backslash escapes, -- and /* comments, and $tag$…$tag$ bodies.
 * Returns null when a placeholder has no value.
 */
function replaceOutsideQuotes(sql: string, values: readonly string[]): string | null {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const escapes = c === "'" && i > 0 && /[eE]/.test(sql[i - 1]!) && !/\w/.test(sql[i - 2] ?? ' ');
      let j = i + 1;
      for (; j < sql.length; j++) {
        if (escapes && sql[j] === '\\') j++;
        else if (sql[j] === c) {
          if (sql[j + 1] === c) j++;
          else break;
        }
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '$') {
      const num = /^\$(\d+)/.exec(sql.slice(i));
      if (num) {
        const literal = values[Number(num[1]) - 1];
        if (literal === undefined) return null;
        out += literal;
        i += num[0].length;
        continue;
      }
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        const stop = end === -1 ? sql.length : end + tag[0].length;
        out += sql.slice(i, stop);
        i = stop;
        continue;
      }
      out += c;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
