/**
 * Calendar views: per provider and local day at one location, the working windows (the slot
 * engine's own, so the calendar and the slot search never disagree), the appointments, time off and
 * the free time left. Reading it is audited, since it shows patient names.
 */
import { notFound, validationError } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { BLOCKING_STATUSES, loadCalendar, type CalendarAppointmentData, type CalendarProviderData } from './calendar-repo.ts';
import type { CalendarDay, CalendarQuery, CalendarView, TimeRange } from './calendar-schemas.ts';
import { workingIntervals, type Interval, type SlotSearchInput } from './slot-engine.ts';
import { addDays, eachLocalDate, isLocalDate, isoWeekday, startOfLocalDay, toZonedIso } from './time.ts';

/**
 * `intervals` minus every range in `cuts`; empty pieces are dropped. Both are half-open.
 * @example subtractIntervals([{ from: t9, to: t17 }], [{ from: t10, to: t11 }]) // [9–10, 11–17]
 */
export function subtractIntervals(intervals: readonly Interval[], cuts: readonly Interval[]): Interval[] {
  const sorted = [...cuts].sort((a, b) => a.from.getTime() - b.from.getTime());
  const out: Interval[] = [];
  for (const { from, to } of intervals) {
    let cursor = from.getTime();
    const end = to.getTime();
    for (const cut of sorted) {
      if (cut.to.getTime() <= cursor) continue;
      if (cut.from.getTime() >= end) break;
      if (cut.from.getTime() > cursor) out.push({ from: new Date(cursor), to: cut.from });
      cursor = Math.max(cursor, cut.to.getTime());
      if (cursor >= end) break;
    }
    if (cursor < end) out.push({ from: new Date(cursor), to: new Date(end) });
  }
  return out;
}

/** The local dates a view shows: the day itself, or the ISO week (Monday to Sunday) containing it. */
export function viewRange(view: CalendarQuery['view'], date: string): { from: string; to: string } {
  if (view === 'day') return { from: date, to: date };
  const monday = addDays(date, 1 - isoWeekday(date));
  return { from: monday, to: addDays(monday, 6) };
}

function range(i: Interval, zone: string): TimeRange {
  return { start: toZonedIso(i.from, zone), end: toZonedIso(i.to, zone) };
}

/**
 * One provider's day. An inactive provider has no working (nor free) time, as the slot search offers
 * none; their appointments are still listed.
 */
export function calendarDay(
  location: SlotSearchInput['location'],
  provider: CalendarProviderData,
  appointments: readonly CalendarAppointmentData[],
  date: string,
): CalendarDay {
  const zone = location.timeZone;
  const dayStart = startOfLocalDay(date, zone).getTime();
  const dayEnd = startOfLocalDay(addDays(date, 1), zone).getTime();
  const working = provider.active ? workingIntervals({ location }, provider, date) : [];
  const own = appointments.filter((a) => a.providerId === provider.id);
  const listed = own.filter((a) => a.locationId === location.id && a.start.getTime() >= dayStart && a.start.getTime() < dayEnd);
  const timeOff = provider.timeOff
    .filter((t) => t.from.getTime() < dayEnd && t.to.getTime() > dayStart)
    .map((t) => ({ from: new Date(Math.max(t.from.getTime(), dayStart)), to: new Date(Math.min(t.to.getTime(), dayEnd)) }));
  // Active appointments at any location hold the provider's time, as they do for the slot search.
  const busy = [...own.filter((a) => BLOCKING_STATUSES.has(a.status)).map((a) => a.blocked), ...provider.timeOff];
  return {
    date,
    working: working.map((w) => range(w, zone)),
    appointments: listed.map((a) => ({
      id: a.id,
      start: toZonedIso(a.start, zone),
      end: toZonedIso(a.end, zone),
      status: a.status,
      typeId: a.typeId,
      typeName: a.typeName,
      color: a.typeColor,
      patientId: a.patientId,
      patientName: a.patientName,
      lateCancel: a.lateCancel,
    })),
    timeOff: timeOff.map((t) => range(t, zone)),
    free: subtractIntervals(working, busy).map((f) => range(f, zone)),
  };
}

/**
 * The day or week calendar of a location, for one provider or everyone working there. Unknown (or
 * another practice's) ids answer `not_found`; the appointment ids shown are written to the audit trail.
 * @example await readCalendar(ctx, { view: 'week', date: '2027-03-14', locationId })
 */
export async function readCalendar(ctx: TenantContext, q: CalendarQuery): Promise<CalendarView> {
  if (!isLocalDate(q.date)) throw validationError([{ field: 'date', message: 'must be a date YYYY-MM-DD' }]);
  if (!isUuid(q.locationId)) throw notFound('location');
  if (q.providerId !== undefined && !isUuid(q.providerId)) throw notFound('provider');
  const { from, to } = viewRange(q.view, q.date);
  return ctx.tx(async (tx) => {
    const loaded = await loadCalendar(tx, { locationId: q.locationId, from, to, ...(q.providerId ? { providerId: q.providerId } : {}) });
    if (!loaded.found) throw notFound(loaded.missing);
    const dates = [...eachLocalDate(from, to)];
    const providers = loaded.providers.map((p) => ({
      providerId: p.id,
      name: p.name,
      color: p.color,
      days: dates.map((d) => calendarDay(loaded.location, p, loaded.appointments, d)),
    }));
    await recordAudit(tx, ctx, {
      action: 'calendar.read',
      resourceType: 'location',
      resourceId: q.locationId,
      details: {
        view: q.view,
        from,
        to,
        providerId: q.providerId ?? null,
        appointmentIds: providers.flatMap((p) => p.days.flatMap((d) => d.appointments.map((a) => a.id))),
      },
    });
    return { view: q.view, timeZone: loaded.location.timeZone, from, to, providers };
  });
}
