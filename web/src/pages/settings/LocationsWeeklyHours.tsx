/**
 * Weekly hours as the API takes them (ISO weekday "1" = Monday → [["HH:mm","HH:mm"], …]), edited as
 * one line of text per day ("09:00-12:00, 13:00-17:00"; empty = closed). Text keeps it quick by
 * keyboard and readable by screen readers; used by locations (opening hours) and providers.
 */
import { TextField } from '../../ui/kit.tsx';
import { ApiError } from '../../api.ts';
import './LocationsWeeklyHours.css';

export type WeeklyHours = Partial<Record<'1' | '2' | '3' | '4' | '5' | '6' | '7', string[][]>>;
export type HoursText = Record<string, string>;

export const WEEKDAYS = [
  ['1', 'Monday'],
  ['2', 'Tuesday'],
  ['3', 'Wednesday'],
  ['4', 'Thursday'],
  ['5', 'Friday'],
  ['6', 'Saturday'],
  ['7', 'Sunday'],
] as const;

const TIME = /^([01]?\d|2[0-3]):[0-5]\d$/;

/** The API's weekly hours as editable text per day. */
export function hoursToText(hours: WeeklyHours | undefined | null): HoursText {
  const out: HoursText = {};
  for (const [day] of WEEKDAYS) out[day] = (hours?.[day] ?? []).map(([a, b]) => `${a}-${b}`).join(', ');
  return out;
}

const pad = (t: string) => (t.length === 4 ? `0${t}` : t);

/** Parses the text back; answers the hours or, per day, what is wrong. */
export function textToHours(text: HoursText): { hours: WeeklyHours; errors: Record<string, string> } {
  const hours: WeeklyHours = {};
  const errors: Record<string, string> = {};
  for (const [day, name] of WEEKDAYS) {
    const raw = (text[day] ?? '').trim();
    if (!raw) continue;
    const intervals: string[][] = [];
    for (const part of raw.split(/[,;]/).map((p) => p.trim()).filter(Boolean)) {
      const m = part.split(/\s*(?:-|–|to)\s*/);
      if (m.length !== 2 || !TIME.test(m[0]!) || !TIME.test(m[1]!)) {
        errors[day] = `${name}: write times as 09:00-17:00, several separated by commas`;
        break;
      }
      const [a, b] = [pad(m[0]!), pad(m[1]!)];
      if (b <= a) {
        errors[day] = `${name}: ${a}-${b} ends before it starts`;
        break;
      }
      intervals.push([a, b]);
    }
    intervals.sort((x, y) => x[0]!.localeCompare(y[0]!));
    for (let i = 1; i < intervals.length && !errors[day]; i++) {
      if (intervals[i]![0]! < intervals[i - 1]![1]!) errors[day] = `${name}: the times overlap`;
    }
    (hours as Record<string, string[][]>)[day] = intervals;
  }
  return { hours, errors };
}

/** The API's error for a day (`<prefix>.3…`), if any. */
function apiDayError(error: unknown, prefix: string, day: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const hit = error.errors.find((e) => e.field === `${prefix}.${day}` || e.field.startsWith(`${prefix}.${day}.`));
  return hit?.message;
}

/** Seven labelled text fields, one per weekday. */
export function WeeklyHoursEditor({
  value,
  onChange,
  errors,
  apiError,
  apiPrefix,
  idPrefix,
}: {
  value: HoursText;
  onChange: (next: HoursText) => void;
  errors: Record<string, string>;
  apiError?: unknown;
  apiPrefix: string;
  idPrefix: string;
}) {
  return (
    <div className="weekly-hours">
      {WEEKDAYS.map(([day, name]) => (
        <TextField
          key={day}
          id={`${idPrefix}-${day}`}
          label={name}
          value={value[day] ?? ''}
          placeholder="Closed"
          onChange={(e) => onChange({ ...value, [day]: e.target.value })}
          error={errors[day] ?? apiDayError(apiError, apiPrefix, day)}
        />
      ))}
      <p className="field-hint weekly-hours-hint">Times like 09:00-12:00, 13:00-17:00. Leave a day empty when closed.</p>
    </div>
  );
}

/** A short summary of a week for tables: "Mon 09:00-17:00 · Tue …". */
export function summariseHours(hours: WeeklyHours | undefined | null): string {
  const parts = WEEKDAYS.filter(([d]) => (hours?.[d]?.length ?? 0) > 0).map(([d, name]) => `${name.slice(0, 3)} ${hours![d]!.map(([a, b]) => `${a}-${b}`).join(', ')}`);
  return parts.length ? parts.join(' · ') : 'No hours set';
}
