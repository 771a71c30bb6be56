/** Money, dates and times as the practice reads them. Money is integer minor units, never floats. */

const digitsCache = new Map<string, number>();

/** How many decimals a currency has (JPY 0, USD 2, BHD 3). */
export function currencyDigits(currency: string): number {
  let d = digitsCache.get(currency);
  if (d === undefined) {
    d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(currency, d);
  }
  return d;
}

/** Formats minor units (string or number) exactly: the split is done on digits, not by division. */
export function formatMoney(minor: string | number | bigint, currency: string, locale?: string): string {
  const digits = currencyDigits(currency);
  const s = BigInt(minor).toString();
  const negative = s.startsWith('-');
  const abs = negative ? s.slice(1) : s;
  const padded = abs.padStart(digits + 1, '0');
  const whole = padded.slice(0, padded.length - digits) || '0';
  const frac = digits ? padded.slice(-digits) : '';
  // Intl formats the decimal string exactly (no float) when given as a string.
  const fmt = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
  return fmt.format(`${negative ? '-' : ''}${whole}${frac ? '.' + frac : ''}` as unknown as number);
}

/** Parses "12.50" into minor units for `currency`; null when not a valid amount. */
export function parseMoney(text: string, currency: string): string | null {
  const digits = currencyDigits(currency);
  const t = text.trim().replace(/,/g, '');
  const re = digits ? new RegExp(`^(\\d+)(?:\\.(\\d{1,${digits}}))?$`) : /^(\d+)$/;
  const m = re.exec(t);
  if (!m) return null;
  const whole = m[1]!;
  const frac = (m[2] ?? '').padEnd(digits, '0');
  return BigInt(whole + frac).toString();
}

export function formatDate(iso: string, timeZone?: string): string {
  // A bare date (YYYY-MM-DD) is a calendar day, shown as is, never shifted by a time zone.
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) {
    const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d));
  }
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone }).format(new Date(iso));
}

export function formatDateTime(iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));
}

export function formatTime(iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(undefined, { timeStyle: 'short', timeZone }).format(new Date(iso));
}

/** Today's date (YYYY-MM-DD) in `timeZone`. */
export function todayIn(timeZone?: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** Adds days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
