/** The period of a usage or cost query: UTC calendar days, inclusive, at most a year. */
import { validationError, type FieldError } from '../errors/catalogue.ts';
import { utcDay } from './usage-meter.ts';
import type { Period } from './cost-report.ts';

export const MAX_PERIOD_DAYS = 366;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isCalendarDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/**
 * `from`/`to` checked and defaulted: `to` today (UTC), `from` the first day of `to`'s month.
 * Throws 400 `validation_failed` naming the field: not a date, `from` after `to`, longer than a year.
 */
export function resolveUsagePeriod(input: { from?: string | undefined; to?: string | undefined }, now: Date = new Date()): Period {
  const errors: FieldError[] = [];
  for (const field of ['from', 'to'] as const) {
    const value = input[field];
    if (value !== undefined && !isCalendarDate(value)) errors.push({ field, message: 'must be a calendar date YYYY-MM-DD' });
  }
  if (errors.length) throw validationError(errors);
  const to = input.to ?? utcDay(now);
  const from = input.from ?? `${to.slice(0, 7)}-01`;
  if (from > to) throw validationError([{ field: 'from', message: `must not be after to (${to})` }]);
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  if (days > MAX_PERIOD_DAYS) throw validationError([{ field: 'to', message: `must be at most ${MAX_PERIOD_DAYS} days from from (inclusive)` }]);
  return { from, to };
}
