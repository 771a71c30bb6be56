/** Calendar view request and response schemas: declared once, types derived, OpenAPI generated from them. */
import { Type, type Static } from 'typebox';
import { AppointmentStatus } from './appointment-schemas.ts';

// An enum rather than a union of literals, so a wrong value is one error naming `view`, not one per literal.
export const CalendarViewKind = Type.Enum(['day', 'week'], { description: 'day, or week (the ISO week, Monday to Sunday)' });
export type CalendarViewKind = Static<typeof CalendarViewKind>;

export const CalendarQuery = Type.Object(
  {
    view: CalendarViewKind,
    date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: "A local date (YYYY-MM-DD) in the location's zone; `week` shows its ISO week, Monday to Sunday" }),
    // Ids are plain strings so a malformed id answers 404 like an unknown one, as on the slot search.
    locationId: Type.String({ description: "Location id; dates and times are in its time zone" }),
    providerId: Type.Optional(Type.String({ description: 'One provider; omitted = every provider working at the location (or with appointments there) in the range' })),
  },
  { additionalProperties: false },
);
export type CalendarQuery = Static<typeof CalendarQuery>;

const Zoned = (description?: string) => Type.String({ description: description ?? "ISO 8601 with the location's offset" });

export const TimeRange = Type.Object({ start: Zoned(), end: Zoned() });
export type TimeRange = Static<typeof TimeRange>;

export const CalendarAppointment = Type.Object({
  id: Type.String({ format: 'uuid' }),
  start: Zoned(),
  end: Zoned(),
  status: AppointmentStatus,
  typeId: Type.String({ format: 'uuid' }),
  typeName: Type.String(),
  color: Type.String({ description: "The appointment type's colour" }),
  patientId: Type.String({ format: 'uuid' }),
  patientName: Type.String({ description: 'First and last name' }),
  lateCancel: Type.Boolean(),
});
export type CalendarAppointment = Static<typeof CalendarAppointment>;

export const CalendarDay = Type.Object({
  date: Type.String({ description: 'Local date, YYYY-MM-DD' }),
  working: Type.Array(TimeRange, { description: 'Working windows at this location: hours or the date override, within opening hours; none on holidays' }),
  appointments: Type.Array(CalendarAppointment, { description: 'Appointments at this location starting that day, every status, by start' }),
  timeOff: Type.Array(TimeRange, { description: 'Time off that day (clipped to the day); the reason is not shown' }),
  free: Type.Array(TimeRange, {
    description: 'Working time not blocked by a booked, checked-in or completed appointment (with buffers, at any location) nor by time off',
  }),
});
export type CalendarDay = Static<typeof CalendarDay>;

export const CalendarProvider = Type.Object({
  providerId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  color: Type.Union([Type.String(), Type.Null()]),
  days: Type.Array(CalendarDay),
});
export type CalendarProvider = Static<typeof CalendarProvider>;

export const CalendarView = Type.Object({
  view: CalendarViewKind,
  timeZone: Type.String({ description: "The location's IANA time zone" }),
  from: Type.String({ description: 'First local date shown' }),
  to: Type.String({ description: 'Last local date shown (inclusive)' }),
  providers: Type.Array(CalendarProvider),
});
export type CalendarView = Static<typeof CalendarView>;
