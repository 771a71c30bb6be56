/**
 * New and returning patients per period. A visit is an appointment that was not cancelled and not
 * missed (booked, checked in or completed). A patient counts once per period they had a visit in:
 * as *new* when their first visit at the practice ever falls in that period (within the range),
 * else as *returning*. Under a provider or location filter only visits there put a patient in a
 * period, but "first visit" is still the practice's: new to the practice, not to the provider.
 */
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { APPOINTMENT_FILTER_SQL, isPeriodGroup, periodKeys, periodKeySql, periodLabel, resolveScope, ZONED_RANGE_SQL } from './report-context.ts';
import type { PatientReport, ReportQuery } from './report-schemas.ts';

const VISIT = `in ('booked', 'checked_in', 'completed')`;

const PATIENTS_SQL = (key: string) => `
with visits as (
  select a.patient_id, (a.starts_at at time zone $4)::date as day
    from appointments a
   where a.tenant_id = $1 and ${ZONED_RANGE_SQL('a.starts_at')} and a.status ${VISIT} and ${APPOINTMENT_FILTER_SQL}
), firsts as (
  select f.patient_id, min(f.starts_at) as first_at
    from appointments f
   where f.tenant_id = $1 and f.status ${VISIT} and f.patient_id in (select patient_id from visits)
   group by 1
), per_period as (
  select distinct ${key} as key, v.patient_id from visits v
)
select g.key, count(*)::int as patients,
       (count(*) filter (where (f.first_at at time zone $4)::date >= greatest(g.key::date, $2::date)))::int as new
  from per_period g join firsts f on f.patient_id = g.patient_id
 group by 1
union all
select 'total', count(*)::int, (count(*) filter (where (f.first_at at time zone $4)::date >= $2::date))::int
  from firsts f`;

/** New and returning patients of `from`–`to` per day, week or month (every one), and over the range. */
export async function patientReport(ctx: TenantContext, q: ReportQuery): Promise<PatientReport> {
  const group = q.groupBy ?? 'month';
  if (!isPeriodGroup(group)) throw new Error(`unexpected group ${group}`);
  const scope = await resolveScope(ctx, q);
  const res = await ctx.statement<{ key: string; patients: number; new: number }>(
    PATIENTS_SQL(periodKeySql(group, 'v.day')),
    [ctx.tenant.id, scope.from, scope.to, scope.timeZone, scope.providerId, scope.locationId],
  );
  const byKey = new Map(res.rows.map((r) => [r.key, { patients: Number(r.patients), new: Number(r.new) }]));
  const counts = (key: string) => {
    const c = byKey.get(key) ?? { patients: 0, new: 0 };
    return { patients: c.patients, new: c.new, returning: c.patients - c.new };
  };
  const rows = periodKeys(group, scope.from, scope.to).map((key) => ({ key, label: periodLabel(group, key), ...counts(key) }));
  return { from: scope.from, to: scope.to, timeZone: scope.timeZone, currency: scope.currency, groupBy: group, rows, totals: counts('total') };
}
