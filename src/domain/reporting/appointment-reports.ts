/**
 * Appointment reports: counts per status by period, provider, type, status or location, and the
 * attendance rates (no-show and late-cancel) per provider, type or location with the overall figure.
 * Each is one statement after the scope lookup; appointments count on the practice-local day they start.
 */
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import {
  APPOINTMENT_FILTER_SQL, isPeriodGroup, periodKeys, periodKeySql, periodLabel, rate, resolveScope, ZONED_RANGE_SQL, type ReportScope,
} from './report-context.ts';
import type { AppointmentCounts, AppointmentReport, AttendanceCounts, AttendanceReport, ReportQuery } from './report-schemas.ts';

export const STATUS_LABELS: Readonly<Record<string, string>> = {
  booked: 'Booked',
  checked_in: 'Checked in',
  completed: 'Completed',
  no_show: 'No-show',
  cancelled: 'Cancelled',
};

/** The group's key and label columns, and the joins they need (all to lookup tables, by primary key). */
function groupSql(group: string): { key: string; label: string; join: string } {
  if (isPeriodGroup(group)) return { key: periodKeySql(group, '(a.starts_at at time zone $4)::date'), label: `''`, join: '' };
  switch (group) {
    case 'provider':
      return { key: 'a.provider_id::text', label: 'g.display_name', join: 'join providers g on g.tenant_id = a.tenant_id and g.id = a.provider_id' };
    case 'type':
      return { key: 'a.type_id::text', label: 'g.name', join: 'join appointment_types g on g.tenant_id = a.tenant_id and g.id = a.type_id' };
    case 'location':
      return { key: 'a.location_id::text', label: 'g.name', join: 'join locations g on g.tenant_id = a.tenant_id and g.id = a.location_id' };
    default:
      return { key: 'a.status', label: `''`, join: '' };
  }
}

const COUNTS_SQL = `count(*)::int as appointments,
       (count(*) filter (where a.status = 'booked'))::int as booked,
       (count(*) filter (where a.status = 'checked_in'))::int as checked_in,
       (count(*) filter (where a.status = 'completed'))::int as completed,
       (count(*) filter (where a.status = 'no_show'))::int as no_shows,
       (count(*) filter (where a.status = 'cancelled'))::int as cancelled,
       (count(*) filter (where a.status = 'cancelled' and a.late_cancel))::int as late_cancels`;

interface CountRow {
  key: string;
  label: string;
  appointments: number;
  booked: number;
  checked_in: number;
  completed: number;
  no_shows: number;
  cancelled: number;
  late_cancels: number;
}

/** Runs the grouped count statement for `scope`. */
async function countAppointments(ctx: TenantContext, scope: ReportScope, group: string): Promise<CountRow[]> {
  const g = groupSql(group);
  const res = await ctx.statement<CountRow>(
    `select ${g.key} as key, ${g.label} as label, ${COUNTS_SQL}
       from appointments a ${g.join}
      where a.tenant_id = $1 and ${ZONED_RANGE_SQL('a.starts_at')} and ${APPOINTMENT_FILTER_SQL}
      group by 1, 2
      order by 3 desc, 2, 1`,
    [ctx.tenant.id, scope.from, scope.to, scope.timeZone, scope.providerId, scope.locationId],
  );
  return res.rows;
}

const ZERO: CountRow = { key: '', label: '', appointments: 0, booked: 0, checked_in: 0, completed: 0, no_shows: 0, cancelled: 0, late_cancels: 0 };

function counts(r: CountRow): AppointmentCounts {
  return {
    appointments: Number(r.appointments),
    booked: Number(r.booked),
    checkedIn: Number(r.checked_in),
    completed: Number(r.completed),
    noShows: Number(r.no_shows),
    cancelled: Number(r.cancelled),
    lateCancels: Number(r.late_cancels),
  };
}

function sum(rows: readonly AppointmentCounts[]): AppointmentCounts {
  const total = counts(ZERO);
  for (const r of rows) for (const k of Object.keys(total) as (keyof AppointmentCounts)[]) total[k] += r[k];
  return total;
}

/** Appointments of `from`–`to` per period (every one, zeros included), provider, type, status or location. */
export async function appointmentReport(ctx: TenantContext, q: ReportQuery): Promise<AppointmentReport> {
  const group = q.groupBy ?? 'day';
  const scope = await resolveScope(ctx, q);
  const found = await countAppointments(ctx, scope, group);
  let rows: AppointmentReport['rows'];
  if (isPeriodGroup(group)) {
    const byKey = new Map(found.map((r) => [r.key, r]));
    rows = periodKeys(group, scope.from, scope.to).map((key) => ({ key, label: periodLabel(group, key), ...counts(byKey.get(key) ?? ZERO) }));
  } else {
    rows = found.map((r) => ({ key: r.key, label: group === 'status' ? (STATUS_LABELS[r.key] ?? r.key) : r.label, ...counts(r) }));
  }
  return { from: scope.from, to: scope.to, timeZone: scope.timeZone, currency: scope.currency, groupBy: group, rows, totals: sum(rows) };
}

function attendance(r: CountRow): AttendanceCounts {
  const appointments = Number(r.appointments);
  const kept = appointments - Number(r.cancelled);
  const noShows = Number(r.no_shows);
  const lateCancels = Number(r.late_cancels);
  return { appointments, kept, noShows, lateCancels, noShowRate: rate(noShows, kept), lateCancelRate: rate(lateCancels, appointments) };
}

/**
 * No-show rate (no-shows / appointments not cancelled, as on the dashboard) and late-cancel rate
 * (late cancellations / all appointments) per provider, type or location, and overall.
 */
export async function attendanceReport(ctx: TenantContext, q: ReportQuery): Promise<AttendanceReport> {
  const group = q.groupBy ?? 'provider';
  const scope = await resolveScope(ctx, q);
  const found = await countAppointments(ctx, scope, group);
  const rows = found.map((r) => ({ key: r.key, label: r.label, ...attendance(r) }));
  const total = sum(found.map(counts));
  const totals = attendance({ ...ZERO, appointments: total.appointments, cancelled: total.cancelled, no_shows: total.noShows, late_cancels: total.lateCancels });
  return { from: scope.from, to: scope.to, timeZone: scope.timeZone, currency: scope.currency, groupBy: group, rows, totals };
}
