/** Public booking request and response schemas: what a patient sends and sees, with no staff login. */
import { Type, type Static } from 'typebox';
import { AppointmentStatus, instant } from '../scheduling/appointment-schemas.ts';

const Id = Type.String({ format: 'uuid' });
const LocalDate = Type.String({ format: 'date', description: 'Local date YYYY-MM-DD' });

export const BookingOptions = Type.Object({
  practice: Type.String({ description: "The practice's name" }),
  types: Type.Array(
    Type.Object({
      id: Id,
      name: Type.String(),
      durationMinutes: Type.Integer(),
      locationIds: Type.Array(Id, { description: 'Where the type can be booked (where its providers work)' }),
      providerIds: Type.Array(Id),
    }),
    { description: 'Active types the practice lets patients book online, by name; empty when none' },
  ),
  locations: Type.Array(Type.Object({ id: Id, name: Type.String(), timeZone: Type.String(), address: Type.Union([Type.String(), Type.Null()]) })),
  providers: Type.Array(Type.Object({ id: Id, name: Type.String() })),
});
export type BookingOptions = Static<typeof BookingOptions>;

export const PublicSlotQuery = Type.Object(
  {
    typeId: Id,
    date: LocalDate,
    locationId: Type.Optional(Id),
    providerId: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type PublicSlotQuery = Static<typeof PublicSlotQuery>;

export const PublicSlotList = Type.Object({
  date: Type.String(),
  items: Type.Array(
    Type.Object({
      start: Type.String({ description: "ISO 8601 with the location's offset" }),
      end: Type.String(),
      providerId: Id,
      locationId: Id,
      timeZone: Type.String(),
    }),
  ),
});
export type PublicSlotList = Static<typeof PublicSlotList>;

const Name = Type.String({ minLength: 1, maxLength: 100 });

export const OnlinePatient = Type.Object(
  {
    firstName: Name,
    lastName: Name,
    dateOfBirth: Type.String({ format: 'date', description: 'YYYY-MM-DD' }),
    email: Type.String({ format: 'email', maxLength: 254 }),
    phone: Type.Optional(Type.String({ maxLength: 40, description: '7 to 15 digits in any common notation' })),
  },
  { additionalProperties: false },
);
export type OnlinePatient = Static<typeof OnlinePatient>;

export const OnlineBook = Type.Object(
  {
    typeId: Id,
    start: instant(),
    providerId: Type.Optional(Id),
    locationId: Type.Optional(Id),
    patient: OnlinePatient,
  },
  { additionalProperties: false },
);
export type OnlineBook = Static<typeof OnlineBook>;

const Policy = Type.Object({
  cancelWindowMinutes: Type.Integer(),
  lateCancel: Type.Union([Type.Literal('flag'), Type.Literal('refuse')]),
  text: Type.String({ description: 'The cancellation policy in plain words' }),
});

/** What the patient's pages show of an appointment: names and times, nothing from the record. */
export const ManagedAppointment = Type.Object({
  practice: Type.String(),
  appointmentType: Type.String(),
  start: Type.String({ description: "ISO 8601 with the location's offset" }),
  end: Type.String(),
  timeZone: Type.String(),
  location: Type.Object({ name: Type.String(), address: Type.Union([Type.String(), Type.Null()]) }),
  provider: Type.String(),
  status: AppointmentStatus,
  lateCancel: Type.Boolean(),
  canCancel: Type.Boolean({ description: 'Whether the patient can still cancel it online' }),
  cancelIsLate: Type.Boolean({ description: 'Cancelling now falls inside the cancellation window' }),
  policy: Policy,
});
export type ManagedAppointment = Static<typeof ManagedAppointment>;

export const OnlineBooked = Type.Object({
  appointment: ManagedAppointment,
  manageUrl: Type.String({ description: 'The link to see or cancel the appointment; also emailed. Shown only now.' }),
  email: Type.Union([Type.Literal('queued'), Type.Literal('not_sent')], { description: 'Whether the confirmation email was queued' }),
});
export type OnlineBooked = Static<typeof OnlineBooked>;

export const ManageParams = Type.Object({ slug: Type.String({ maxLength: 40 }), token: Type.String({ minLength: 16, maxLength: 100 }) });
export const SlugParams = Type.Object({ slug: Type.String({ maxLength: 40, description: 'The practice slug' }) });
