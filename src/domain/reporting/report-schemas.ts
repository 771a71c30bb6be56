/**
 * The report suite on the wire (/api/reports/appointments, attendance, revenue, payments, patients):
 * one query shape, one envelope, rows per group. Money is minor units of `currency` as decimal strings
 * in JSON (as in the overview) and exact decimals in major units in CSV.
 */
import { Type, type Static, type TSchema } from 'typebox';

/** The longest period one report may cover (a year, leap day included). */
export const MAX_REPORT_DAYS = 366;

export const PERIOD_GROUPS = ['day', 'week', 'month'] as const;
export type PeriodGroup = (typeof PERIOD_GROUPS)[number];

const literals = <T extends string>(values: readonly T[], description: string) =>
  Type.Union(values.map((v) => Type.Literal(v)), { description });

const base = {
  from: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD, inclusive, in the practice time zone; default 29 days before `to`' })),
  to: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD, inclusive, in the practice time zone; default today there' })),
  providerId: Type.Optional(Type.String({ format: 'uuid', description: 'Only this provider’s appointments (and the invoices and payments of them)' })),
  locationId: Type.Optional(Type.String({ format: 'uuid', description: 'Only this location’s appointments (and the invoices and payments of them)' })),
  format: Type.Optional(literals(['json', 'csv'] as const, '`csv` answers the same report as a CSV download')),
};

function query<G extends string>(groups: readonly G[], fallback: G) {
  return Type.Object({ ...base, groupBy: Type.Optional(literals(groups, `Rows per …; default \`${fallback}\``)) }, { additionalProperties: false });
}

export const APPOINTMENT_GROUPS = ['day', 'week', 'month', 'provider', 'type', 'status', 'location'] as const;
export const ATTENDANCE_GROUPS = ['provider', 'type', 'location'] as const;
export const REVENUE_GROUPS = ['day', 'week', 'month', 'service', 'provider'] as const;
export const PATIENT_GROUPS = PERIOD_GROUPS;

export const AppointmentReportQuery = query(APPOINTMENT_GROUPS, 'day');
export const AttendanceReportQuery = query(ATTENDANCE_GROUPS, 'provider');
export const RevenueReportQuery = query(REVENUE_GROUPS, 'month');
export const PaymentReportQuery = query(PERIOD_GROUPS, 'day');
export const PatientReportQuery = query(PATIENT_GROUPS, 'month');

/** What every report query has in common (the domain reads only these and `groupBy`). */
export interface ReportQuery {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly providerId?: string | undefined;
  readonly locationId?: string | undefined;
  readonly groupBy?: string | undefined;
}

const Money = Type.String({ pattern: '^-?\\d+$', description: 'Minor units of `currency`' });
const Rate = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description: 'A fraction rounded to 4 places; null without a denominator' });

const Key = {
  key: Type.String({ description: 'The group: a period’s first day (YYYY-MM-DD), an id, a status or method; `none` for no provider/service' }),
  label: Type.String({ description: 'What to show for the group' }),
};

function envelope<R extends TSchema, T extends TSchema>(row: R, totals: T, description: string) {
  return Type.Object(
    {
      from: Type.String(),
      to: Type.String(),
      timeZone: Type.String({ description: 'The practice time zone the days are counted in' }),
      currency: Type.String({ description: 'The practice currency (money reports count only amounts in it)' }),
      groupBy: Type.String(),
      rows: Type.Array(row, { description }),
      totals,
    },
    { additionalProperties: false },
  );
}

const StatusCounts = {
  appointments: Type.Integer({ description: 'All appointments starting in the group, cancelled ones included' }),
  booked: Type.Integer(),
  checkedIn: Type.Integer(),
  completed: Type.Integer(),
  noShows: Type.Integer(),
  cancelled: Type.Integer(),
  lateCancels: Type.Integer({ description: 'Of the cancelled, those cancelled inside the practice’s notice window' }),
};
export const AppointmentCounts = Type.Object(StatusCounts);
export type AppointmentCounts = Static<typeof AppointmentCounts>;
export const AppointmentReport = envelope(Type.Object({ ...Key, ...StatusCounts }), AppointmentCounts, 'Periods: every one of the range, zeros included (a week starts on Monday); other groups: those with appointments');
export type AppointmentReport = Static<typeof AppointmentReport>;

const AttendanceFields = {
  appointments: Type.Integer({ description: 'All appointments starting in the period, cancelled ones included' }),
  kept: Type.Integer({ description: 'Not cancelled (booked, checked in, completed or no-show): the no-show rate’s denominator' }),
  noShows: Type.Integer(),
  lateCancels: Type.Integer(),
  noShowRate: Rate,
  lateCancelRate: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description: 'lateCancels / appointments, 4 places; null without appointments' }),
};
export const AttendanceCounts = Type.Object(AttendanceFields);
export type AttendanceCounts = Static<typeof AttendanceCounts>;
export const AttendanceReport = envelope(Type.Object({ ...Key, ...AttendanceFields }), AttendanceCounts, 'Groups with appointments, most appointments first');
export type AttendanceReport = Static<typeof AttendanceReport>;

const RevenueFields = {
  billed: Money,
  collected: Type.Union([Money, Type.Null()], { description: 'Payments minus refunds received; null per service (payments are per invoice, not per line)' }),
};
export const RevenueTotals = Type.Object({ billed: Money, collected: Money });
export const RevenueReport = envelope(Type.Object({ ...Key, ...RevenueFields }), RevenueTotals, 'Periods: every one of the range; services and providers: those with amounts, largest billed first');
export type RevenueReport = Static<typeof RevenueReport>;

export const PAYMENT_METHODS = ['cash', 'card', 'cheque', 'insurance'] as const;
const PaymentFields = {
  cash: Money,
  card: Money,
  cheque: Money,
  insurance: Money,
  refunds: Type.String({ pattern: '^\\d+$', description: 'Refunds paid out (all methods), minor units' }),
  net: Money,
};
export const PaymentTotals = Type.Object(PaymentFields);
export type PaymentTotals = Static<typeof PaymentTotals>;
export const PaymentReport = envelope(Type.Object({ ...Key, ...PaymentFields }), PaymentTotals, 'Every period of the range: payments received per method, refunds, and payments minus refunds');
export type PaymentReport = Static<typeof PaymentReport>;

const PatientFields = {
  patients: Type.Integer({ description: 'Distinct patients with a visit (booked, checked in or completed) in the period' }),
  new: Type.Integer({ description: 'Of those, whose first visit at the practice ever is in the period' }),
  returning: Type.Integer({ description: 'Of those, who had a visit before the period' }),
};
export const PatientTotals = Type.Object(PatientFields, { description: 'Over the whole range: a patient counts once' });
export const PatientReport = envelope(Type.Object({ ...Key, ...PatientFields }), PatientTotals, 'Every period of the range');
export type PatientReport = Static<typeof PatientReport>;
