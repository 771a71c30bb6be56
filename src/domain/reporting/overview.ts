/**
 * The practice overview behind the dashboard: per day, appointments and no-shows (by the day the
 * appointment starts), revenue (payments received minus refunds) and new patients.
 *
 * Days are calendar days in the practice time zone (`settings.time_zone`), the zone billing already
 * uses to date invoices and payments, so a day's revenue here is exactly the payments dated that day
 * in the CSV export. Locations keep their own zones for opening hours, but one practice-wide day keeps
 * the series comparable across locations (a clinic spanning zones is rare; the totals still add up).
 *
 * Revenue needs `billing:read`: without it the series and total are null rather than the whole
 * report refused, so front-desk staff still see their appointments and patients.
 */
import { validationError } from '../../errors/catalogue.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { addDays, daysBetween, PRACTICE_CURRENCY_SQL, PRACTICE_TODAY_SQL, resolvePeriod } from '../billing/practice-date.ts';
import type { Overview, OverviewDay, OverviewQuery } from './overview-schemas.ts';

/** The longest period one request may cover (a year, leap day included). */
export const MAX_OVERVIEW_DAYS = 366;

const DEFAULT_DAYS = 30;

/**
 * Instants of the period's bounds in the zone: `$2` from (inclusive), `$3` to (inclusive), `$4` zone.
 * Comparing the raw timestamp column with them keeps the predicate a plain range an index can use.
 */
const START_SQL = `(($2::date)::timestamp at time zone $4)`;
const END_SQL = `((($3::date) + 1)::timestamp at time zone $4)`;

const APPOINTMENTS_SQL = `
select to_char((a.starts_at at time zone $4)::date, 'YYYY-MM-DD') as day,
       count(*)::int as appointments,
       (count(*) filter (where a.status = 'no_show'))::int as no_shows
  from appointments a
 where a.tenant_id = $1 and a.status <> 'cancelled' and a.starts_at >= ${START_SQL} and a.starts_at < ${END_SQL}
 group by 1`;

const PATIENTS_SQL = `
select to_char((p.created_at at time zone $4)::date, 'YYYY-MM-DD') as day, count(*)::int as new_patients
  from patients p
 where p.tenant_id = $1 and p.created_at >= ${START_SQL} and p.created_at < ${END_SQL}
 group by 1`;

// received_on is already a practice date (stamped in the practice zone when recorded).
const REVENUE_SQL = `
select to_char(m.received_on, 'YYYY-MM-DD') as day,
       sum(case when m.kind = 'payment' then m.amount else -m.amount end)::text as revenue
  from payments m
 where m.tenant_id = $1 and m.received_on >= $2::date and m.received_on <= $3::date and trim(m.currency) = $4
 group by 1`;

/** The overview of `from`–`to` (inclusive; default the 30 days to today). */
export async function practiceOverview(ctx: TenantContext, query: OverviewQuery): Promise<Overview> {
  const withRevenue = ctx.permissions.has('billing:read');
  return ctx.tx(async (tx) => {
    const practice = (
      await tx.query<{ tz: string; currency: string; today: string }>(
        `select coalesce((select time_zone from settings where tenant_id = $1), 'America/New_York') as tz,
                ${PRACTICE_CURRENCY_SQL} as currency, to_char(${PRACTICE_TODAY_SQL}, 'YYYY-MM-DD') as today`,
        [tx.tenantId],
      )
    ).rows[0]!;
    const { from, to } = resolvePeriod(query, practice.today, (end) => addDays(end, -(DEFAULT_DAYS - 1)));
    const span = daysBetween(from, to) + 1;
    if (span > MAX_OVERVIEW_DAYS) {
      const field = query.from !== undefined ? 'from' : 'to';
      throw validationError([{ field, message: `the period covers ${span} days; at most ${MAX_OVERVIEW_DAYS}` }]);
    }

    const zoned = [tx.tenantId, from, to, practice.tz];
    const appointments = await tx.query<{ day: string; appointments: number; no_shows: number }>(APPOINTMENTS_SQL, zoned);
    const patients = await tx.query<{ day: string; new_patients: number }>(PATIENTS_SQL, zoned);
    const revenue = withRevenue ? await tx.query<{ day: string; revenue: string }>(REVENUE_SQL, [tx.tenantId, from, to, practice.currency]) : null;

    const byDay = new Map<string, { appointments: number; noShows: number; revenue: bigint; newPatients: number }>();
    for (let i = 0; i < span; i++) byDay.set(addDays(from, i), { appointments: 0, noShows: 0, revenue: 0n, newPatients: 0 });
    for (const r of appointments.rows) {
      const d = byDay.get(r.day);
      if (d) Object.assign(d, { appointments: Number(r.appointments), noShows: Number(r.no_shows) });
    }
    for (const r of patients.rows) {
      const d = byDay.get(r.day);
      if (d) d.newPatients = Number(r.new_patients);
    }
    for (const r of revenue?.rows ?? []) {
      const d = byDay.get(r.day);
      if (d) d.revenue = BigInt(r.revenue);
    }

    const days: OverviewDay[] = [];
    const totals = { appointments: 0, noShows: 0, revenue: 0n, newPatients: 0 };
    for (const [date, d] of byDay) {
      days.push({ date, appointments: d.appointments, noShows: d.noShows, revenue: withRevenue ? d.revenue.toString() : null, newPatients: d.newPatients });
      totals.appointments += d.appointments;
      totals.noShows += d.noShows;
      totals.revenue += d.revenue;
      totals.newPatients += d.newPatients;
    }
    return {
      from,
      to,
      timeZone: practice.tz,
      currency: practice.currency,
      days,
      totals: { ...totals, revenue: withRevenue ? totals.revenue.toString() : null },
    };
  });
}
