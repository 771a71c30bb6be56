/**
 * What every report resolves before its statement: the practice's zone, currency and today (one
 * statement, with the filters' existence checked in the same round trip), the period and its groups.
 *
 * Days are calendar days in the practice time zone, as in the overview (see overview.ts for why the
 * practice's zone and not the location's). A period group's key is its first day (weeks start on
 * Monday, ISO 8601), which for the first group may lie before `from`: only days of the range count.
 */
import { notFound, validationError } from '../../errors/catalogue.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { addDays, daysBetween, PRACTICE_CURRENCY_SQL, PRACTICE_TODAY_SQL, resolvePeriod } from '../billing/practice-date.ts';
import { MAX_REPORT_DAYS, PERIOD_GROUPS, type PeriodGroup, type ReportQuery } from './report-schemas.ts';

const DEFAULT_DAYS = 30;

export interface ReportScope {
  readonly from: string;
  readonly to: string;
  readonly timeZone: string;
  readonly currency: string;
  readonly providerId: string | null;
  readonly locationId: string | null;
}

/**
 * The practice facts, the period (400 naming `from`/`to` when malformed, reversed or longer than
 * MAX_REPORT_DAYS) and the filters (404 `not_found` for an id this practice does not have, the same
 * answer as another practice's id).
 */
export async function resolveScope(ctx: TenantContext, q: ReportQuery): Promise<ReportScope> {
  const res = await ctx.statement<{ tz: string; currency: string; today: string; provider_ok: boolean; location_ok: boolean }>(
    `select coalesce((select time_zone from settings where tenant_id = $1), 'America/New_York') as tz,
            ${PRACTICE_CURRENCY_SQL} as currency, to_char(${PRACTICE_TODAY_SQL}, 'YYYY-MM-DD') as today,
            ($2::uuid is null or exists (select 1 from providers where tenant_id = $1 and id = $2::uuid)) as provider_ok,
            ($3::uuid is null or exists (select 1 from locations where tenant_id = $1 and id = $3::uuid)) as location_ok`,
    [ctx.tenant.id, q.providerId ?? null, q.locationId ?? null],
  );
  const practice = res.rows[0]!;
  const { from, to } = resolvePeriod(q, practice.today, (end) => addDays(end, -(DEFAULT_DAYS - 1)));
  const span = daysBetween(from, to) + 1;
  if (span > MAX_REPORT_DAYS) {
    throw validationError([{ field: q.from !== undefined ? 'from' : 'to', message: `the period covers ${span} days; at most ${MAX_REPORT_DAYS}` }]);
  }
  if (!practice.provider_ok) throw notFound('provider');
  if (!practice.location_ok) throw notFound('location');
  return { from, to, timeZone: practice.tz, currency: practice.currency, providerId: q.providerId ?? null, locationId: q.locationId ?? null };
}

export function isPeriodGroup(group: string): group is PeriodGroup {
  return (PERIOD_GROUPS as readonly string[]).includes(group);
}

/** SQL for the group key (`YYYY-MM-DD` text) of a practice-local date expression. */
export function periodKeySql(group: PeriodGroup, day: string): string {
  // Through timestamp (without zone): date_trunc on a bare date would go through the session zone.
  const start = group === 'day' ? day : `date_trunc('${group}', (${day})::timestamp)::date`;
  return `to_char(${start}, 'YYYY-MM-DD')`;
}

/** The first day of the group holding `date`. */
function groupStart(group: PeriodGroup, date: string): string {
  if (group === 'day') return date;
  if (group === 'month') return `${date.slice(0, 8)}01`;
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 Sunday … 6 Saturday
  return addDays(date, -((weekday + 6) % 7));
}

/** The next group's first day. */
function nextStart(group: PeriodGroup, start: string): string {
  if (group === 'day') return addDays(start, 1);
  if (group === 'week') return addDays(start, 7);
  const d = new Date(`${start}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 10);
}

/** Every group key of the range, in order. */
export function periodKeys(group: PeriodGroup, from: string, to: string): string[] {
  const keys: string[] = [];
  for (let k = groupStart(group, from); k <= to; k = nextStart(group, k)) keys.push(k);
  return keys;
}

/** "2026-03-02" for a day, "Week of 2026-03-02", "2026-03" for a month. */
export function periodLabel(group: PeriodGroup, key: string): string {
  if (group === 'week') return `Week of ${key}`;
  if (group === 'month') return key.slice(0, 7);
  return key;
}

/**
 * The appointment filter of a report, as SQL on alias `a`: `$5` provider id or null, `$6` location
 * id or null (every report statement numbers its parameters this way: `$1` tenant, `$2` from,
 * `$3` to, `$4` zone or currency).
 */
export const APPOINTMENT_FILTER_SQL = `($5::uuid is null or a.provider_id = $5::uuid) and ($6::uuid is null or a.location_id = $6::uuid)`;

/** `from`–`to` (inclusive days) as instants in the practice zone: `$2` from, `$3` to, `$4` zone; a plain range an index can use. */
export const ZONED_RANGE_SQL = (column: string) =>
  `${column} >= (($2::date)::timestamp at time zone $4) and ${column} < ((($3::date) + 1)::timestamp at time zone $4)`;

/** A count as a rate of `whole`, four places; null when there is nothing to divide by. */
export function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}
