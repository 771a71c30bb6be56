/** Schema pieces shared by the scheduling configuration: wall-clock intervals, weekly hours, colours. */
import { Type, type Static } from 'typebox';

/** A wall-clock time in the location's zone, 00:00 to 23:59. */
export const TimeOfDay = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:mm, local wall time' });

/** [start, end) in local wall time; end after start. */
export const Interval = Type.Array(TimeOfDay, { minItems: 2, maxItems: 2, description: '["HH:mm", "HH:mm"]: start, end (end after start)' });
/** Always two entries once validated: start, end. */
export type Interval = Static<typeof Interval>;

/** A day's intervals: sorted, non-overlapping. An empty list is a day off (or a closed day). */
export const DayIntervals = Type.Array(Interval, { maxItems: 12 });

const day = Type.Optional(DayIntervals);

/** ISO weekday ("1" = Monday … "7" = Sunday) → that day's intervals. */
export const WeeklyHours = Type.Object(
  { '1': day, '2': day, '3': day, '4': day, '5': day, '6': day, '7': day },
  { additionalProperties: false, description: 'ISO weekday ("1" = Monday … "7" = Sunday) → [["HH:mm","HH:mm"], …]' },
);
export type WeeklyHours = Static<typeof WeeklyHours>;

export const Color = Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: '#rrggbb' });

export const Uuid = Type.String({ format: 'uuid' });

export const DisplayName = Type.String({ minLength: 1, maxLength: 200 });

/** A calendar date, YYYY-MM-DD. */
export const CalendarDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });

/** A small configuration list: every row, ordered by name. */
export const ItemsOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Object({ items: Type.Array(item) });
