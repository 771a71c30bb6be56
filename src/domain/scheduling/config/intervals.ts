/** Checks the schema cannot express on wall-clock intervals: end after start, no overlaps. */
import type { FieldError } from '../../../errors/catalogue.ts';
import type { Interval, WeeklyHours } from './config-schemas.ts';

/**
 * Field errors for one day's intervals, named under `field` (e.g. `openingHours.1.0`); touching
 * intervals (["08:00","12:00"], ["12:00","18:00"]) are allowed, overlapping ones are not.
 * @example checkIntervals('intervals', [['10:00', '09:00']]) // [{ field: 'intervals.0', message: 'must end after it starts' }]
 */
export function checkIntervals(field: string, intervals: readonly Interval[]): FieldError[] {
  const errors: FieldError[] = [];
  intervals.forEach(([start = '', end = ''], i) => {
    if (end <= start) errors.push({ field: `${field}.${i}`, message: `must end after it starts (${start}–${end})` });
  });
  if (errors.length) return errors;
  const sorted = sortIntervals(intervals);
  for (let i = 1; i < sorted.length; i++) {
    const [prevStart, prevEnd] = sorted[i - 1]!;
    const [start, end] = sorted[i]!;
    if (start! < prevEnd!) errors.push({ field, message: `intervals ${prevStart}–${prevEnd} and ${start}–${end} overlap` });
  }
  return errors;
}

/** Field errors for a whole week, each named `${field}.<weekday>…`. */
export function checkWeeklyHours(field: string, week: WeeklyHours): FieldError[] {
  return Object.entries(week).flatMap(([weekday, intervals]) => checkIntervals(`${field}.${weekday}`, intervals ?? []));
}

/** The same intervals sorted by start, so stored hours read in order. */
export function sortIntervals(intervals: readonly Interval[]): Interval[] {
  return intervals.map((i) => [...i]).sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
}

/** The week with each day's intervals sorted; days not given stay absent. */
export function sortWeek(week: WeeklyHours): WeeklyHours {
  return Object.fromEntries(Object.entries(week).map(([d, intervals]) => [d, sortIntervals(intervals ?? [])]));
}
