/**
 * "Today" and date ranges for billing reports. Today is the date in the practice's time zone
 * (`settings.time_zone`), the same rule issuing invoices and recording payments use to stamp their
 * dates, so a report defaulting to today sees exactly the documents dated today.
 */
import { validationError, type FieldError } from '../../errors/catalogue.ts';
import { isIsoDate } from './dates.ts';

/** SQL expression for today in the practice's zone; `$1` must be the tenant id. */
export const PRACTICE_TODAY_SQL =
  `(now() at time zone coalesce((select time_zone from settings where tenant_id = $1), 'America/New_York'))::date`;

/** SQL expression for the practice's billing currency (the default until settings are saved); `$1` is the tenant id. */
export const PRACTICE_CURRENCY_SQL = `coalesce((select trim(currency) from billing_settings where tenant_id = $1), 'USD')`;

/**
 * The earliest date a report takes: PostgreSQL has no year 0000 (JavaScript's year 0 is 1 BC), so
 * `0000-01-01` passes `isIsoDate` but fails the statement; such dates are refused (or clamped) here.
 */
export const MIN_REPORT_DATE = '0001-01-01';

/** A calendar date `YYYY-MM-DD` PostgreSQL accepts: `isIsoDate` and not before year 1. */
export function isReportDate(value: unknown): value is string {
  return isIsoDate(value) && value >= MIN_REPORT_DATE;
}

/** `date` plus `days` (negative goes back), calendar arithmetic on `YYYY-MM-DD`, never before MIN_REPORT_DATE. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  const out = d.toISOString().slice(0, 10);
  return out < MIN_REPORT_DATE ? MIN_REPORT_DATE : out;
}

/** The first day of `date`'s month. */
export function startOfMonth(date: string): string {
  return `${date.slice(0, 8)}01`;
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export interface Period {
  readonly from: string;
  readonly to: string;
}

/**
 * An inclusive period from optional `from`/`to`: `to` defaults to `today`, `from` to `defaultFrom(to)`.
 * A malformed date or `from` after `to` is `validation_failed` naming the field.
 */
export function resolvePeriod(input: { from?: string | undefined; to?: string | undefined }, today: string, defaultFrom: (to: string) => string): Period {
  const errors: FieldError[] = [];
  for (const field of ['from', 'to'] as const) {
    const value = input[field];
    if (value !== undefined && !isReportDate(value)) errors.push({ field, message: 'must be a calendar date YYYY-MM-DD, in year 1 or later' });
  }
  if (errors.length) throw validationError(errors);
  const to = input.to ?? today;
  const from = input.from ?? defaultFrom(to);
  if (from > to) throw validationError([{ field: input.from !== undefined ? 'from' : 'to', message: `must not be after ${input.from !== undefined ? `to (${to})` : `from (${from})`}` }]);
  return { from, to };
}
