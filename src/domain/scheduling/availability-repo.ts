/**
 * Loads what the availability engine needs for one type at one location over a range of local
 * dates, in one statement: type + location + rules, providers with their hours, overrides and time
 * off, and the active appointments of those providers and resources.
 * The schedule pieces are exported for the calendar view, which loads by location instead of type.
 */
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { effectiveRules, type RulesPatch, type SchedulingRules } from './rules.ts';
import type { Interval, ProviderAvailability, SlotSearchInput, WallIntervals, WeeklyHoursRow } from './slot-engine.ts';
import { addDays, startOfLocalDay } from './time.ts';

export interface AvailabilityQuery {
  readonly typeId: string;
  readonly locationId: string;
  /** One provider (offering or not: the result says), or every active provider offering the type. */
  readonly providerId?: string;
  /** Local dates in the location's zone, inclusive. */
  readonly from: string;
  readonly to: string;
  /** Ignored as a booking (rescheduling it must not conflict with itself). */
  readonly excludeAppointmentId?: string;
}

export type LoadedAvailability =
  | { readonly found: false; readonly missing: 'type' | 'location' | 'provider' }
  | {
      readonly found: true;
      readonly rules: SchedulingRules;
      /** Everything but `now`, `from`, `to` and `patient`. */
      readonly input: Omit<SlotSearchInput, 'now' | 'from' | 'to' | 'patient'>;
      /** Set when a single provider was asked for and exists but is inactive or does not offer the type. */
      readonly providerNotOffering: boolean;
    };

interface HeadRow {
  type_id: string | null;
  duration_minutes: number;
  buffer_before_minutes: number;
  buffer_after_minutes: number;
  type_rules: RulesPatch | null;
  practice_rules: RulesPatch | null;
  location_id: string | null;
  time_zone: string;
  opening_hours: Record<string, unknown> | null;
  holidays: string[];
  pool_size: number;
  pool: string[];
}

/** The `scheduleColumns` of one provider row. */
export interface ScheduleRow {
  hours: WeeklyHoursRow[];
  overrides: { date: string; intervals: unknown }[];
  time_off: [number, number][];
}

interface ProviderRow extends ScheduleRow {
  id: string;
  offers: boolean;
}

interface AppointmentRow {
  provider_id: string;
  resource_id: string | null;
  starts_ms: number;
  from_ms: number;
  to_ms: number;
}

/** Accepts `[["09:00","12:00"]]` and `[{"start":"09:00","end":"12:00"}]` alike. */
function wallIntervals(value: unknown): WallIntervals {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v): [string, string][] => {
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string') return [[v[0], v[1]]];
    if (v && typeof v === 'object' && typeof (v as { start?: unknown }).start === 'string' && typeof (v as { end?: unknown }).end === 'string') {
      return [[(v as { start: string }).start, (v as { end: string }).end]];
    }
    return [];
  });
}

/** Epoch milliseconds (as SQL returns them) → an interval. */
export function interval(fromMs: number | string, toMs: number | string): Interval {
  return { from: new Date(Number(fromMs)), to: new Date(Number(toMs)) };
}

/**
 * The instants to load bookings and time off for local dates `from`..`to`: a day wider each side,
 * enough for buffers (at most 4 h) and for counting each local day's appointments.
 */
export function loadRange(from: string, to: string, zone: string): { from: Date; to: Date } {
  return { from: new Date(startOfLocalDay(from, zone).getTime() - 86_400_000), to: new Date(startOfLocalDay(addDays(to, 1), zone).getTime() + 86_400_000) };
}

/**
 * SQL select-list columns `hours`, `overrides` and `time_off` of provider `p` at one location, given
 * the placeholders holding the tenant, location, local dates and `loadRange` instants.
 * @example scheduleColumns({ tenant: '$1', location: '$3', fromDate: '$4', toDate: '$5', rangeFrom: '$6', rangeTo: '$7' })
 */
export function scheduleColumns(ph: { tenant: string; location: string; fromDate: string; toDate: string; rangeFrom: string; rangeTo: string }): string {
  return `coalesce((select json_agg(json_build_object('weekday', h.weekday, 'start', h.start_time::text, 'end', h.end_time::text,
                                                          'validFrom', h.valid_from::text, 'validTo', h.valid_to::text))
                          from provider_hours h where h.tenant_id = ${ph.tenant} and h.provider_id = p.id and h.location_id = ${ph.location}), '[]') as hours,
              coalesce((select json_agg(json_build_object('date', o.date::text, 'intervals', o.intervals))
                          from provider_overrides o
                         where o.tenant_id = ${ph.tenant} and o.provider_id = p.id and o.location_id = ${ph.location}
                           and o.date between ${ph.fromDate}::date and ${ph.toDate}::date), '[]') as overrides,
              coalesce((select json_agg(json_build_array((extract(epoch from o.starts_at) * 1000)::float8, (extract(epoch from o.ends_at) * 1000)::float8))
                          from provider_time_off o
                         where o.tenant_id = ${ph.tenant} and o.provider_id = p.id
                           and o.starts_at < ${ph.rangeTo}::timestamptz and o.ends_at > ${ph.rangeFrom}::timestamptz), '[]') as time_off`;
}

/** A provider's hours, overrides and time off as the slot engine reads them. */
export function toSchedule(row: ScheduleRow): Pick<ProviderAvailability, 'weeklyHours' | 'overrides' | 'timeOff'> {
  return {
    weeklyHours: row.hours,
    overrides: Object.fromEntries(row.overrides.map((o) => [o.date, wallIntervals(o.intervals)])),
    timeOff: row.time_off.map(([f, t]) => interval(f, t)),
  };
}

/** A location's stored `opening_hours` as the slot engine reads them. */
export function openingHoursOf(value: Record<string, unknown> | null): Record<string, WallIntervals> {
  return Object.fromEntries(Object.entries(value ?? {}).map(([k, v]) => [k, wallIntervals(v)]));
}

/** Runs one statement on the tenant's data: a transaction's `query`, or a context's single-message `statement`. */
export type StatementRunner = Pick<TenantTx, 'tenantId' | 'query'>;

interface LoadedRow extends HeadRow {
  providers: ProviderRow[];
  /** `[provider_id, resource_id, starts_ms, from_ms, to_ms]` per active appointment. */
  appointments: [string, string | null, number, number, number][];
}

const DAY_MS = 86_400_000;

/**
 * Bounds that contain `loadRange(from, to, zone)` whatever the zone (offsets stay within ±16 h of
 * UTC), so the bookings can be loaded in the same statement that reads the zone; what lies outside
 * the exact range is dropped afterwards.
 */
function anyZoneRange(from: string, to: string): { from: Date; to: Date } {
  const utc = loadRange(from, to, 'UTC');
  return { from: new Date(utc.from.getTime() - DAY_MS), to: new Date(utc.to.getTime() + DAY_MS) };
}

/** Type, location, rules, providers (with schedules) and bookings in one statement, for instants `range`. */
async function loadRows(run: StatementRunner, q: AvailabilityQuery, range: { from: Date; to: Date }): Promise<LoadedRow> {
  return (
    await run.query<LoadedRow>(
      `with head as (
         select t.id as type_id, t.duration_minutes, t.buffer_before_minutes, t.buffer_after_minutes, t.rules as type_rules,
                (select s.rules from scheduling_settings s where s.tenant_id = $1) as practice_rules,
                l.id as location_id, l.time_zone, l.opening_hours,
                coalesce((select json_agg(h.date::text order by h.date) from location_holidays h
                           where h.tenant_id = $1 and h.location_id = l.id and h.date between $4::date and $5::date), '[]') as holidays,
                (select count(*) from appointment_type_resources r where r.tenant_id = $1 and r.type_id = t.id)::int as pool_size,
                coalesce((select json_agg(res.id order by res.id) from appointment_type_resources r
                            join resources res on res.tenant_id = r.tenant_id and res.id = r.resource_id
                           where r.tenant_id = $1 and r.type_id = t.id and res.location_id = l.id and res.active), '[]') as pool
           from (select 1) one
           left join appointment_types t on t.tenant_id = $1 and t.id = $2 and t.active
           left join locations l on l.tenant_id = $1 and l.id = $3 and l.active
       ), prov as (
         select p.id,
                (p.active and exists (select 1 from appointment_type_providers tp
                                       where tp.tenant_id = $1 and tp.type_id = $2 and tp.provider_id = p.id)) as offers,
                ${scheduleColumns({ tenant: '$1', location: '$3', fromDate: '$4', toDate: '$5', rangeFrom: '$6', rangeTo: '$7' })}
           from providers p
          where p.tenant_id = $1 and (select type_id is not null and location_id is not null from head)
            and (case when $8::uuid is null
                      then p.active and exists (select 1 from appointment_type_providers tp where tp.tenant_id = $1 and tp.type_id = $2 and tp.provider_id = p.id)
                      else p.id = $8::uuid end)
       )
       select head.*,
              coalesce((select json_agg(json_build_object('id', p.id, 'offers', p.offers, 'hours', p.hours, 'overrides', p.overrides, 'time_off', p.time_off)
                                        order by p.id) from prov p), '[]') as providers,
              coalesce((select json_agg(json_build_array(a.provider_id, a.resource_id, (extract(epoch from a.starts_at) * 1000)::float8,
                                                         (extract(epoch from lower(a.blocked)) * 1000)::float8, (extract(epoch from upper(a.blocked)) * 1000)::float8))
                          from appointments a
                         where a.tenant_id = $1 and a.status in ('booked', 'checked_in', 'completed')
                           and (a.provider_id = any (array(select p.id from prov p where p.offers))
                                or (head.pool_size > 0 and a.resource_id = any (array(select json_array_elements_text(head.pool)::uuid))))
                           and a.blocked && tstzrange($6::timestamptz, $7::timestamptz)
                           and ($9::uuid is null or a.id <> $9::uuid)), '[]') as appointments
         from head`,
      [run.tenantId, q.typeId, q.locationId, q.from, q.to, range.from.toISOString(), range.to.toISOString(), q.providerId ?? null, q.excludeAppointmentId ?? null],
    )
  ).rows[0]!;
}

/**
 * Loads type, location, providers and bookings for `q`; ids must already be UUIDs. One statement
 * (`run` may be a single-message runner): bookings and time off are read for bounds wide enough for
 * any zone, then cut to exactly `loadRange` of the location's zone.
 */
export async function loadAvailability(run: StatementRunner, q: AvailabilityQuery): Promise<LoadedAvailability> {
  const wide = anyZoneRange(q.from, q.to);
  let row = await loadRows(run, q, wide);
  const typeId = row.type_id;
  const locationId = row.location_id;
  if (!typeId) return { found: false, missing: 'type' };
  if (!locationId) return { found: false, missing: 'location' };
  const zone = row.time_zone;
  const { from: rangeFrom, to: rangeTo } = loadRange(q.from, q.to, zone);
  // A zone that skipped a whole day can push the exact range past the wide bounds: read it again.
  if (rangeFrom < wide.from || rangeTo > wide.to) row = await loadRows(run, q, { from: rangeFrom, to: rangeTo });
  const head = row;
  const lo = rangeFrom.getTime();
  const hi = rangeTo.getTime();
  // Exactly what `starts_at < rangeTo and ends_at > rangeFrom`, and `blocked && [rangeFrom, rangeTo)`, select.
  const providerRows = row.providers.map((p) => ({ ...p, time_off: p.time_off.filter(([f, t]) => f < hi && t > lo) }));
  const appointmentRows: AppointmentRow[] = row.appointments
    .filter(([, , , f, t]) => f < hi && t > lo)
    .map(([provider_id, resource_id, starts_ms, from_ms, to_ms]) => ({ provider_id, resource_id, starts_ms, from_ms, to_ms }));
  if (q.providerId && providerRows.length === 0) return { found: false, missing: 'provider' };
  const offering = providerRows.filter((p) => p.offers);
  const needsPool = head.pool_size > 0;

  const providers: ProviderAvailability[] = offering.map((p) => ({
    id: p.id,
    ...toSchedule(p),
    appointments: appointmentRows
      .filter((a) => a.provider_id === p.id)
      .map((a) => ({ startsAt: new Date(Number(a.starts_ms)), blocked: interval(a.from_ms, a.to_ms) })),
  }));
  const openingHours = openingHoursOf(head.opening_hours);
  const rules = effectiveRules(head.practice_rules ?? {}, head.type_rules ?? {});
  return {
    found: true,
    rules,
    providerNotOffering: Boolean(q.providerId) && offering.length === 0,
    input: {
      rules,
      type: {
        id: typeId,
        durationMinutes: head.duration_minutes,
        bufferBeforeMinutes: head.buffer_before_minutes,
        bufferAfterMinutes: head.buffer_after_minutes,
      },
      location: { id: locationId, timeZone: zone, openingHours, holidays: head.holidays },
      providers,
      resourcePool: needsPool
        ? head.pool.map((id) => ({ id, busy: appointmentRows.filter((a) => a.resource_id === id).map((a) => interval(a.from_ms, a.to_ms)) }))
        : null,
    },
  };
}
