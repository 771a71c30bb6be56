/**
 * Text for PDFs drawn with pdf-lib's standard fonts (Helvetica): those fonts encode only WinAnsi
 * (Windows-1252), and pdf-lib throws on anything else. Every string that reaches a page goes through
 * `pdfSafeText` first: Latin letters WinAnsi lacks lose their accents ("Łódź" → "Lodz", "Ştefan" →
 * "Stefan"), anything else (Chinese, Cyrillic, emoji) becomes "?". Also: line wrapping by measured
 * width, money in the currency's minor units, dates, and colours. Shared by every billing document.
 */
import { rgb, type PDFFont, type RGB } from 'pdf-lib';
import { minorToDecimalString } from './money.ts';

/** Code points WinAnsiEncoding (Windows-1252) can show: ASCII, Latin-1 and 27 extras in 0x80–0x9F. */
const WIN_ANSI = new Set<number>([
  ...Array.from({ length: 0x7f - 0x20 }, (_, i) => 0x20 + i),
  ...Array.from({ length: 0x100 - 0xa0 }, (_, i) => 0xa0 + i),
  0x20ac, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x017d, 0x2018,
  0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x017e, 0x0178,
]);

/** Latin letters that have no decomposition into a base letter plus accents. */
const LATIN_EXTRAS: Readonly<Record<string, string>> = {
  'ł': 'l', 'Ł': 'L', 'đ': 'd', 'Đ': 'D', 'ħ': 'h', 'Ħ': 'H', 'ı': 'i', 'ŀ': 'l', 'Ŀ': 'L', 'ŧ': 't', 'Ŧ': 'T',
  'ŋ': 'n', 'Ŋ': 'N', 'ĸ': 'k', 'ſ': 's', 'ƀ': 'b', 'ɨ': 'i', 'ʉ': 'u', 'ǥ': 'g', 'Ǥ': 'G', 'ȼ': 'c', 'Ȼ': 'C',
  '\u2212': '-', '\u2010': '-', '\u2011': '-', '\u00a0': ' ', '\u202f': ' ', '\u2009': ' ', '\u2007': ' ',
};

export const canEncode = (char: string): boolean => WIN_ANSI.has(char.codePointAt(0)!);

function fallback(char: string): string {
  if (LATIN_EXTRAS[char] !== undefined) return LATIN_EXTRAS[char]!;
  // "ő" → "o" + combining mark; "ﬁ" → "fi"; full-width "Ａ" → "A". Keep the result only if all of it encodes.
  const base = char.normalize('NFKD').replace(/\p{M}/gu, '');
  if (base !== '' && [...base].every(canEncode)) return base;
  return '?';
}

/**
 * `text` in characters the standard fonts can draw, on one line (control characters become spaces).
 * @example pdfSafeText('Zoë Łukasiewicz 王') // → 'Zoë Lukasiewicz ?'
 */
export function pdfSafeText(text: string): string {
  let out = '';
  for (const char of text) {
    if (/\p{Cc}/u.test(char)) out += ' ';
    else out += canEncode(char) && char !== '\u00a0' ? char : fallback(char);
  }
  return out;
}

/** Breaks a word wider than `maxWidth` into pieces that fit. */
function splitWord(font: PDFFont, size: number, word: string, maxWidth: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const char of word) {
    if (piece !== '' && font.widthOfTextAtSize(piece + char, size) > maxWidth) {
      pieces.push(piece);
      piece = '';
    }
    piece += char;
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}

/**
 * `text` wrapped to `maxWidth` points: at spaces where possible, inside over-long words otherwise.
 * Line breaks in the text are kept; the lines are PDF-safe.
 */
export function wrapText(font: PDFFont, size: number, text: string, maxWidth: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r\n|\r|\n/)) {
    let line = '';
    for (const word of pdfSafeText(paragraph).split(' ').filter((w) => w !== '')) {
      const candidate = line === '' ? word : `${line} ${word}`;
      if (font.widthOfTextAtSize(candidate, size) <= maxWidth) {
        line = candidate;
        continue;
      }
      if (line !== '') lines.push(line);
      const pieces = splitWord(font, size, word, maxWidth);
      lines.push(...pieces.slice(0, -1));
      line = pieces.at(-1) ?? '';
    }
    lines.push(line);
  }
  return lines;
}

/** One line of at most `maxWidth` points, shortened with "…" when it does not fit. */
export function fitText(font: PDFFont, size: number, text: string, maxWidth: number): string {
  const safe = pdfSafeText(text);
  if (font.widthOfTextAtSize(safe, size) <= maxWidth) return safe;
  const chars = [...safe];
  while (chars.length > 0 && font.widthOfTextAtSize(`${chars.join('')}…`, size) > maxWidth) chars.pop();
  return `${chars.join('').trimEnd()}…`;
}

/** A BCP 47 locale Intl knows, or en-US. */
export function usableLocale(locale: string | null | undefined): string {
  try {
    return locale && Intl.NumberFormat.supportedLocalesOf([locale]).length > 0 ? locale : 'en-US';
  } catch {
    return 'en-US';
  }
}

// A document formats hundreds of amounts in one or two currencies: build each formatter once.
const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(locale: string, currency: string, currencyDisplay: 'symbol' | 'code', digits: number): Intl.NumberFormat {
  const key = `${locale}|${currency}|${currencyDisplay}|${digits}`;
  let format = moneyFormats.get(key);
  if (format === undefined) {
    format = new Intl.NumberFormat(usableLocale(locale), { style: 'currency', currency, currencyDisplay, minimumFractionDigits: digits, maximumFractionDigits: digits });
    if (moneyFormats.size > 500) moneyFormats.clear();
    moneyFormats.set(key, format);
  }
  return format;
}

/**
 * Minor units as money for a page, exact (formatted from the decimal string, never a float): "$1,234.56",
 * "1.234,56 €" (de-DE), "¥1,099". A symbol the fonts cannot draw gives way to the ISO code: "INR 1,234.56".
 */
export function formatMinorUnits(amount: bigint, currency: string, locale = 'en-US'): string {
  const decimal = minorToDecimalString(amount, currency);
  const digits = decimal.includes('.') ? decimal.split('.')[1]!.length : 0;
  for (const currencyDisplay of ['symbol', 'code'] as const) {
    const format = moneyFormat(locale, currency, currencyDisplay, digits);
    // The lib typings predate string input (ES2023 Intl); the runtime formats the string exactly.
    const text = (format.format as unknown as (value: string) => string)(decimal).replace(/[\u00a0\u202f]/g, ' ');
    if ([...text].every(canEncode)) return text;
  }
  return pdfSafeText(`${currency} ${decimal}`);
}

/** A calendar date (YYYY-MM-DD) for a page, e.g. "Mar 14, 2026" in en-US. */
export function formatDate(isoDate: string, locale = 'en-US'): string {
  const date = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return pdfSafeText(isoDate);
  return pdfSafeText(new Intl.DateTimeFormat(usableLocale(locale), { dateStyle: 'medium', timeZone: 'UTC' }).format(date));
}

/** `#rrggbb` as a pdf-lib colour. */
export function hexColor(hex: string): RGB {
  const n = Number.parseInt(hex.replace(/^#/, ''), 16);
  return rgb(((n >> 16) & 0xff) / 255, ((n >> 8) & 0xff) / 255, (n & 0xff) / 255);
}

/** `#rrggbb` mixed with white: `amount` 0 is the colour, 1 is white (light backgrounds from a brand colour). */
export function tintColor(hex: string, amount: number): RGB {
  const c = hexColor(hex);
  const mix = (v: number) => v + (1 - v) * amount;
  return rgb(mix(c.red), mix(c.green), mix(c.blue));
}

/** White or near-black, whichever reads better on `hex` (WCAG relative luminance). */
export function textColorOn(hex: string): RGB {
  const c = hexColor(hex);
  const lin = (v: number) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  const luminance = 0.2126 * lin(c.red) + 0.7152 * lin(c.green) + 0.0722 * lin(c.blue);
  // Contrast with white is 1.05 / (L + 0.05), with black (L + 0.05) / 0.05: equal at L ≈ 0.179.
  return luminance > 0.179 ? rgb(0.1, 0.1, 0.1) : rgb(1, 1, 1);
}
