/** Provider request and response schemas: the provider, weekly hours, date overrides, time off. */
import { Type, type Static } from 'typebox';
import { CalendarDate, Color, DayIntervals, DisplayName, Interval, Uuid, WeeklyHours } from './config-schemas.ts';

export const ProviderCreate = Type.Object(
  {
    displayName: DisplayName,
    userId: Type.Optional(Type.String({ format: 'uuid', description: 'A staff member of this practice (their sign-in), at most one provider each' })),
    color: Type.Optional(Color),
  },
  { additionalProperties: false },
);
export type ProviderCreate = Static<typeof ProviderCreate>;

export const ProviderUpdate = Type.Object(
  {
    displayName: Type.Optional(DisplayName),
    userId: Type.Optional(Type.Union([Type.Null(), Type.String({ format: 'uuid' })])),
    color: Type.Optional(Type.Union([Type.Null(), Color])),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1, description: 'Only the fields sent change; null clears an optional field' },
);
export type ProviderUpdate = Static<typeof ProviderUpdate>;

export const LocationHours = Type.Object({ locationId: Uuid, hours: WeeklyHours });
export type LocationHours = Static<typeof LocationHours>;

export const Provider = Type.Object({
  id: Uuid,
  displayName: Type.String(),
  userId: Type.Union([Uuid, Type.Null()]),
  color: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  hours: Type.Array(LocationHours, { description: 'Weekly hours per location, in that location’s wall time' }),
});
export type Provider = Static<typeof Provider>;

export const ProviderOverride = Type.Object({
  id: Uuid,
  locationId: Uuid,
  date: CalendarDate,
  intervals: DayIntervals,
  reason: Type.Union([Type.String(), Type.Null()]),
});
export type ProviderOverride = Static<typeof ProviderOverride>;

export const ProviderDetail = Type.Object({
  ...Provider.properties,
  overrides: Type.Array(ProviderOverride, { description: 'Date overrides from yesterday (UTC) on, by date' }),
});
export type ProviderDetail = Static<typeof ProviderDetail>;

export const HoursReplace = Type.Object(
  { locationId: Uuid, hours: WeeklyHours },
  { additionalProperties: false, description: "Replaces the provider's weekly hours at this location ({} removes them)" },
);
export type HoursReplace = Static<typeof HoursReplace>;

export const OverrideSet = Type.Object(
  {
    locationId: Uuid,
    intervals: Type.Array(Interval, {
      maxItems: 12,
      description: 'The hours worked that day instead of the weekly ones; [] is a day off',
    }),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type OverrideSet = Static<typeof OverrideSet>;

export const TimeOffCreate = Type.Object(
  {
    startsAt: Type.String({ format: 'date-time', description: 'ISO 8601 with offset' }),
    endsAt: Type.String({ format: 'date-time', description: 'ISO 8601 with offset; after startsAt' }),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type TimeOffCreate = Static<typeof TimeOffCreate>;

export const TimeOff = Type.Object({
  id: Uuid,
  providerId: Uuid,
  startsAt: Type.String({ format: 'date-time' }),
  endsAt: Type.String({ format: 'date-time' }),
  reason: Type.Union([Type.String(), Type.Null()]),
});
export type TimeOff = Static<typeof TimeOff>;
