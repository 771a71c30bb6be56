/**
 * Date bounds of date fields: a fixed `YYYY-MM-DD`, or relative to the day of answering —
 * `today`, `today+7d`, `today-18y` (d, w, m, y) — in the practice's time zone.
 */
import { DateTime } from 'luxon';

const RELATIVE_RE = /^today(?:([+-])(\d{1,4})([dwmy]))?$/;
const UNITS = { d: 'days', w: 'weeks', m: 'months', y: 'years' } as const;

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

/** Why `bound` is not a valid date bound, or null. */
export function dateBoundProblem(bound: unknown): string | null {
  if (typeof bound !== 'string') return 'must be a date (YYYY-MM-DD) or relative (today, today+7d, today-18y) for date fields';
  if (isIsoDate(bound) || RELATIVE_RE.test(bound)) return null;
  return 'must be a date (YYYY-MM-DD) or relative to today: today, today+7d, today-2w, today-18y';
}

/**
 * The calendar date `bound` stands for, when the answering day is `today` (YYYY-MM-DD).
 * @example resolveDateBound('today-18y', '2030-03-01') // '2012-03-01'
 */
export function resolveDateBound(bound: string, today: string): string {
  const m = RELATIVE_RE.exec(bound);
  if (!m) return bound;
  if (!m[1]) return today;
  const amount = Number(m[2]) * (m[1] === '-' ? -1 : 1);
  return DateTime.fromISO(today, { zone: 'UTC' }).plus({ [UNITS[m[3] as keyof typeof UNITS]]: amount }).toISODate()!;
}

/** Today's date in `timeZone` (an IANA zone), falling back to UTC for an unknown zone. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  return (local.isValid ? local : DateTime.fromJSDate(now, { zone: 'UTC' })).toISODate()!;
}

/** Whether a bound is relative (so it cannot be compared with another at save time). */
export function isRelativeBound(bound: string): boolean {
  return RELATIVE_RE.test(bound);
}
