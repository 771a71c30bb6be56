/** The practice overview on the wire: daily series in the practice's time zone, money as minor-unit strings. */
import { Type, type Static } from 'typebox';

export const OverviewQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD, inclusive; default 29 days before `to`' })),
    to: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD, inclusive; default today in the practice time zone' })),
  },
  { additionalProperties: false },
);
export type OverviewQuery = Static<typeof OverviewQuery>;

const Money = Type.Union([Type.String({ pattern: '^-?\\d+$' }), Type.Null()], {
  description: 'Minor units of `currency` as a decimal string; null when the caller lacks `billing:read`',
});

export const OverviewDay = Type.Object({
  date: Type.String({ description: 'YYYY-MM-DD in the practice time zone' }),
  appointments: Type.Integer({ description: 'Appointments starting that day, not cancelled (booked, checked in, completed or no-show)' }),
  noShows: Type.Integer({ description: 'Of those, marked as no-show' }),
  revenue: Money,
  newPatients: Type.Integer({ description: 'Patients registered that day' }),
});
export type OverviewDay = Static<typeof OverviewDay>;

export const Overview = Type.Object({
  from: Type.String(),
  to: Type.String(),
  timeZone: Type.String({ description: 'The practice time zone the days are counted in' }),
  currency: Type.String({ description: 'The practice billing currency; revenue counts payments in it only' }),
  days: Type.Array(OverviewDay, { description: 'Every day from `from` to `to`, zeros included' }),
  totals: Type.Object({
    appointments: Type.Integer(),
    noShows: Type.Integer(),
    revenue: Money,
    newPatients: Type.Integer(),
  }),
});
export type Overview = Static<typeof Overview>;
