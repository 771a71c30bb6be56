/** Location and holiday request and response schemas. */
import { Type, type Static } from 'typebox';
import { Address } from '../../patients/patient-schemas.ts';
import { CalendarDate, DisplayName, WeeklyHours } from './config-schemas.ts';

const TimeZone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Berlin' });
const Phone = Type.String({ maxLength: 40 });

export const LocationCreate = Type.Object(
  {
    name: DisplayName,
    timeZone: TimeZone,
    address: Type.Optional(Address),
    phone: Type.Optional(Phone),
    openingHours: Type.Optional(WeeklyHours),
    active: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);
export type LocationCreate = Static<typeof LocationCreate>;

export const LocationUpdate = Type.Object(
  {
    name: Type.Optional(DisplayName),
    timeZone: Type.Optional(TimeZone),
    address: Type.Optional(Type.Union([Type.Null(), Address])),
    phone: Type.Optional(Type.Union([Type.Null(), Phone])),
    openingHours: Type.Optional(WeeklyHours),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1, description: 'Only the fields sent change; null clears an optional field; openingHours replaces the whole week' },
);
export type LocationUpdate = Static<typeof LocationUpdate>;

export const Location = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  timeZone: Type.String(),
  address: Type.Union([Address, Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  openingHours: WeeklyHours,
  active: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type Location = Static<typeof Location>;

export const HolidayCreate = Type.Object({ date: CalendarDate, name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
export type HolidayCreate = Static<typeof HolidayCreate>;

export const Holiday = Type.Object({
  id: Type.String({ format: 'uuid' }),
  locationId: Type.String({ format: 'uuid' }),
  date: CalendarDate,
  name: Type.String(),
});
export type Holiday = Static<typeof Holiday>;
