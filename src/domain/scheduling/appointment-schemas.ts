/** Appointment request and response schemas: declared once, types derived, OpenAPI generated from them. */
import { Type, type Static } from 'typebox';

const Id = Type.String({ format: 'uuid' });
/** An instant with an explicit offset: a wall time without one would be ambiguous across zones. */
export const instant = (description = 'ISO 8601 instant with offset, e.g. 2026-03-02T10:00:00+01:00') =>
  Type.String({ format: 'date-time', pattern: '(?:[Zz]|[+-]\\d{2}:?\\d{2})$', description });
const Instant = instant();

export const AppointmentStatus = Type.Union([
  Type.Literal('booked'),
  Type.Literal('checked_in'),
  Type.Literal('completed'),
  Type.Literal('cancelled'),
  Type.Literal('no_show'),
]);
export type AppointmentStatus = Static<typeof AppointmentStatus>;

export const Override = Type.Object(
  { reason: Type.String({ minLength: 3, maxLength: 500, description: 'Why the rule is set aside (audited)' }) },
  { additionalProperties: false, description: 'Sets aside a failed scheduling rule when the practice allows overrides; never a double booking' },
);
export type Override = Static<typeof Override>;

export const AppointmentBook = Type.Object(
  {
    patientId: Id,
    typeId: Id,
    providerId: Id,
    locationId: Id,
    start: Instant,
    notes: Type.Optional(Type.String({ maxLength: 2000 })),
    override: Type.Optional(Override),
  },
  { additionalProperties: false },
);
export type AppointmentBook = Static<typeof AppointmentBook>;

export const AppointmentReschedule = Type.Object(
  {
    start: Instant,
    providerId: Type.Optional(Id),
    locationId: Type.Optional(Id),
    override: Type.Optional(Override),
  },
  { additionalProperties: false },
);
export type AppointmentReschedule = Static<typeof AppointmentReschedule>;

export const AppointmentCancel = Type.Object(
  {
    reason: Type.Optional(Type.String({ maxLength: 500 })),
    override: Type.Optional(Override),
  },
  { additionalProperties: false },
);
export type AppointmentCancel = Static<typeof AppointmentCancel>;

export const Appointment = Type.Object({
  id: Type.String({ format: 'uuid' }),
  patientId: Type.String({ format: 'uuid' }),
  providerId: Type.String({ format: 'uuid' }),
  locationId: Type.String({ format: 'uuid' }),
  typeId: Type.String({ format: 'uuid' }),
  resourceId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  start: Type.String({ format: 'date-time', description: "With the offset of the location's time zone" }),
  end: Type.String({ format: 'date-time' }),
  status: AppointmentStatus,
  lateCancel: Type.Boolean({ description: 'Cancelled inside the cancellation window' }),
  cancelReason: Type.Union([Type.String(), Type.Null()]),
  overrideReason: Type.Union([Type.String(), Type.Null()], { description: 'Set when staff overrode a rule' }),
  notes: Type.Union([Type.String(), Type.Null()]),
  version: Type.Integer({ description: 'Increments on every change' }),
  createdAt: Type.String({ format: 'date-time' }),
  invoiceId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
    description: 'The live (not void) invoice billing this visit, null when none; completing the visit makes one when the billing setting `autoInvoice` is on',
  }),
});
export type Appointment = Static<typeof Appointment>;

/** The longest range one list request may span. */
export const MAX_LIST_DAYS = 62;

export const AppointmentListQuery = Type.Object(
  {
    from: Instant,
    to: instant(`Exclusive end; at most ${MAX_LIST_DAYS} days after \`from\``),
    providerId: Type.Optional(Id),
    locationId: Type.Optional(Id),
    patientId: Type.Optional(Id),
    status: Type.Optional(AppointmentStatus),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type AppointmentListQuery = Static<typeof AppointmentListQuery>;

export const AppointmentPage = Type.Object({
  items: Type.Array(Appointment),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last' }),
});
