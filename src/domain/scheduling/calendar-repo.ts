/**
 * Loads a location's calendar over local dates in three queries on one tenant transaction: the
 * location with its holidays, the providers shown with their hours, overrides and time off (the
 * availability loader's own columns), then their appointments (listed and blocking).
 */
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import type { AppointmentStatus } from './appointment-schemas.ts';
import { interval, loadRange, openingHoursOf, scheduleColumns, toSchedule, type ScheduleRow } from './availability-repo.ts';
import type { Interval, ProviderAvailability, SlotSearchInput } from './slot-engine.ts';
import { addDays, startOfLocalDay } from './time.ts';

export interface CalendarLoadQuery {
  readonly locationId: string;
  /** One provider (active or not), or everyone working at the location or with appointments there in the range. */
  readonly providerId?: string;
  /** Local dates in the location's zone, inclusive. */
  readonly from: string;
  readonly to: string;
}

export interface CalendarProviderData extends Pick<ProviderAvailability, 'id' | 'weeklyHours' | 'overrides' | 'timeOff'> {
  readonly name: string;
  readonly color: string | null;
  readonly active: boolean;
}

export interface CalendarAppointmentData {
  readonly id: string;
  readonly providerId: string;
  readonly locationId: string;
  readonly status: AppointmentStatus;
  readonly lateCancel: boolean;
  readonly typeId: string;
  readonly typeName: string;
  readonly typeColor: string;
  readonly patientId: string;
  readonly patientName: string;
  readonly start: Date;
  readonly end: Date;
  readonly blocked: Interval;
}

export type LoadedCalendar =
  | { readonly found: false; readonly missing: 'location' | 'provider' }
  | {
      readonly found: true;
      readonly location: SlotSearchInput['location'];
      readonly providers: readonly CalendarProviderData[];
      /**
       * The providers' appointments at this location starting in the range (every status), and their
       * active ones anywhere overlapping it (those block time here too), ordered by start.
       */
      readonly appointments: readonly CalendarAppointmentData[];
    };

/** The statuses that hold a provider's time (the exclusion constraints' set). */
export const BLOCKING_STATUSES: ReadonlySet<AppointmentStatus> = new Set(['booked', 'checked_in', 'completed']);

interface HeadRow {
  location_id: string | null;
  time_zone: string;
  opening_hours: Record<string, unknown> | null;
  holidays: string[];
  provider_found: boolean;
}

interface ProviderRow extends ScheduleRow {
  id: string;
  display_name: string;
  color: string | null;
  active: boolean;
}

interface AppointmentRow {
  id: string;
  provider_id: string;
  location_id: string;
  status: AppointmentStatus;
  late_cancel: boolean;
  type_id: string;
  type_name: string;
  type_color: string;
  patient_id: string;
  first_name: string;
  last_name: string;
  starts_ms: number;
  ends_ms: number;
  from_ms: number;
  to_ms: number;
}

/** Loads the calendar data for `q`; ids must already be UUIDs. */
export async function loadCalendar(tx: TenantTx, q: CalendarLoadQuery): Promise<LoadedCalendar> {
  const head = (
    await tx.query<HeadRow>(
      `select l.id as location_id, l.time_zone, l.opening_hours,
              coalesce((select json_agg(h.date::text order by h.date) from location_holidays h
                         where h.tenant_id = $1 and h.location_id = l.id and h.date between $3::date and $4::date), '[]') as holidays,
              ($5::uuid is null or exists (select 1 from providers p where p.tenant_id = $1 and p.id = $5::uuid)) as provider_found
         from (select 1) one
         left join locations l on l.tenant_id = $1 and l.id = $2 and l.active`,
      [tx.tenantId, q.locationId, q.from, q.to, q.providerId ?? null],
    )
  ).rows[0]!;
  if (!head.location_id) return { found: false, missing: 'location' };
  if (!head.provider_found) return { found: false, missing: 'provider' };
  const zone = head.time_zone;
  const range = loadRange(q.from, q.to, zone);
  // The days shown, as instants: appointments starting in them are listed.
  const shownFrom = startOfLocalDay(q.from, zone).toISOString();
  const shownTo = startOfLocalDay(addDays(q.to, 1), zone).toISOString();

  const providerRows = (
    await tx.query<ProviderRow>(
      `select p.id, p.display_name, p.color, p.active,
              ${scheduleColumns({ tenant: '$1', location: '$2', fromDate: '$3', toDate: '$4', rangeFrom: '$5', rangeTo: '$6' })}
         from providers p
        where p.tenant_id = $1
          and (case when $9::uuid is not null then p.id = $9::uuid
                    else (p.active and (exists (select 1 from provider_hours h
                                                 where h.tenant_id = $1 and h.provider_id = p.id and h.location_id = $2
                                                   and (h.valid_from is null or h.valid_from <= $4::date) and (h.valid_to is null or h.valid_to >= $3::date))
                                        or exists (select 1 from provider_overrides o
                                                    where o.tenant_id = $1 and o.provider_id = p.id and o.location_id = $2
                                                      and o.date between $3::date and $4::date and jsonb_array_length(o.intervals) > 0)))
                         or exists (select 1 from appointments a
                                     where a.tenant_id = $1 and a.provider_id = p.id and a.location_id = $2
                                       and a.starts_at >= $7::timestamptz and a.starts_at < $8::timestamptz) end)
        order by p.display_name, p.id`,
      [tx.tenantId, q.locationId, q.from, q.to, range.from.toISOString(), range.to.toISOString(), shownFrom, shownTo, q.providerId ?? null],
    )
  ).rows;

  const appointmentRows = providerRows.length === 0
    ? []
    : (
        await tx.query<AppointmentRow>(
          `select a.id, a.provider_id, a.location_id, a.status, a.late_cancel, a.type_id, t.name as type_name, t.color as type_color,
                  a.patient_id, pt.first_name, pt.last_name,
                  (extract(epoch from a.starts_at) * 1000)::float8 as starts_ms, (extract(epoch from a.ends_at) * 1000)::float8 as ends_ms,
                  (extract(epoch from lower(a.blocked)) * 1000)::float8 as from_ms, (extract(epoch from upper(a.blocked)) * 1000)::float8 as to_ms
             from appointments a
             join appointment_types t on t.tenant_id = a.tenant_id and t.id = a.type_id
             join patients pt on pt.tenant_id = a.tenant_id and pt.id = a.patient_id
            where a.tenant_id = $1 and a.provider_id = any (string_to_array($2::text, ',')::uuid[])
              and ((a.location_id = $3 and a.starts_at >= $4::timestamptz and a.starts_at < $5::timestamptz)
                   or (a.status in ('booked', 'checked_in', 'completed') and a.blocked && tstzrange($4::timestamptz, $5::timestamptz)))
            order by a.starts_at, a.id`,
          [tx.tenantId, providerRows.map((p) => p.id).join(','), q.locationId, shownFrom, shownTo],
        )
      ).rows;

  return {
    found: true,
    location: { id: head.location_id, timeZone: zone, openingHours: openingHoursOf(head.opening_hours), holidays: head.holidays },
    providers: providerRows.map((p) => ({ id: p.id, name: p.display_name, color: p.color, active: p.active, ...toSchedule(p) })),
    appointments: appointmentRows.map((a) => ({
      id: a.id,
      providerId: a.provider_id,
      locationId: a.location_id,
      status: a.status,
      lateCancel: a.late_cancel,
      typeId: a.type_id,
      typeName: a.type_name,
      typeColor: a.type_color,
      patientId: a.patient_id,
      patientName: `${a.first_name} ${a.last_name}`,
      start: new Date(Number(a.starts_ms)),
      end: new Date(Number(a.ends_ms)),
      blocked: interval(a.from_ms, a.to_ms),
    })),
  };
}
