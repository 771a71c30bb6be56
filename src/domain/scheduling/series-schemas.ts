/** Recurring-series request and response schemas: declared once, types derived, OpenAPI generated from them. */
import { Type, type Static } from 'typebox';
import { AppointmentStatus, instant } from './appointment-schemas.ts';
import { MAX_SERIES_OCCURRENCES, MAX_SERIES_YEARS } from './recurrence.ts';

const Id = Type.String({ format: 'uuid' });

export const SeriesConflictMode = Type.Union([Type.Literal('fail'), Type.Literal('skip')], {
  default: 'fail',
  description: '`fail`: book nothing when any occurrence cannot be booked (409 `series_conflicts`); `skip`: book the others and report the skipped ones',
});
export type SeriesConflictMode = Static<typeof SeriesConflictMode>;

export const SeriesCreate = Type.Object(
  {
    patientId: Id,
    typeId: Id,
    providerId: Id,
    locationId: Id,
    start: instant('The first occurrence: ISO 8601 instant with offset; its wall time in the location zone is kept by every occurrence'),
    rrule: Type.String({
      minLength: 1,
      maxLength: 500,
      description: `RFC 5545 RRULE without DTSTART, e.g. \`FREQ=WEEKLY;COUNT=10\` or \`FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20270301T000000Z\`; FREQ DAILY to YEARLY, COUNT or UNTIL required, at most ${MAX_SERIES_OCCURRENCES} occurrences within ${MAX_SERIES_YEARS} years`,
    }),
    conflicts: Type.Optional(SeriesConflictMode),
    notes: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type SeriesCreate = Static<typeof SeriesCreate>;

export const OccurrenceOutcome = Type.Object({
  start: Type.String({ description: 'ISO 8601 with the location offset; the bare local wall time when it does not exist (spring-forward gap)' }),
  ok: Type.Boolean({ description: 'Booked' }),
  appointmentId: Type.Optional(Id),
  rule: Type.Optional(Type.String({ description: 'Why it was skipped: a scheduling rule, `conflict`, `resource_unavailable` or `nonexistent_local_time`' })),
  detail: Type.Optional(Type.String()),
});
export type OccurrenceOutcome = Static<typeof OccurrenceOutcome>;

export const SeriesCreated = Type.Object({
  id: Id,
  rrule: Type.String(),
  timeZone: Type.String({ description: "The location's IANA zone, whose wall clock the rule follows" }),
  occurrences: Type.Array(OccurrenceOutcome, { description: 'Every occurrence of the rule, booked or skipped' }),
});
export type SeriesCreated = Static<typeof SeriesCreated>;

export const SeriesAppointment = Type.Object({
  id: Id,
  start: Type.String({ format: 'date-time', description: "With the offset of the location's time zone" }),
  status: AppointmentStatus,
});

export const Series = Type.Object({
  id: Id,
  rrule: Type.String(),
  timeZone: Type.String(),
  occurrences: Type.Array(SeriesAppointment, { description: "The series' appointments by start (skipped occurrences have none)" }),
});
export type Series = Static<typeof Series>;

export const SeriesCancel = Type.Object(
  {
    reason: Type.Optional(Type.String({ maxLength: 500 })),
    from: Type.Optional(instant('Cancel the booked occurrences starting at or after this instant (default: now)')),
  },
  { additionalProperties: false },
);
export type SeriesCancel = Static<typeof SeriesCancel>;

export const SeriesCancelled = Type.Object({
  ...Series.properties,
  cancelled: Type.Array(Id, { description: 'The appointments this request cancelled' }),
});
export type SeriesCancelled = Static<typeof SeriesCancelled>;
