/**
 * The pure availability engine: no database, no clock. Given a type, a location, candidate providers
 * with their hours and existing bookings, and `now`, it lists the bookable starts (`computeSlots`)
 * or says which rule refuses one exact start (`evaluateStart`). Semantics are in README
 * "Scheduling: availability rules".
 */
import jsonLogic from 'json-logic-js';
import type { SchedulingRules } from './rules.ts';
import {
  addDays, daysBetween, eachLocalDate, isoWeekday, localDateOf, localMinutesOf, parseWallTime, todayIn, wallEndToInstant, wallToInstant,
} from './time.ts';

/** A half-open instant range [from, to). */
export interface Interval {
  readonly from: Date;
  readonly to: Date;
}

/** Local wall-time intervals, `[["09:00","17:00"], …]`. */
export type WallIntervals = readonly (readonly [string, string])[];

export interface WeeklyHoursRow {
  readonly weekday: number;
  readonly start: string;
  readonly end: string;
  readonly validFrom?: string | null;
  readonly validTo?: string | null;
}

/** One provider as seen from one location. */
export interface ProviderAvailability {
  readonly id: string;
  /** Weekly hours at this location, in its wall time. */
  readonly weeklyHours: readonly WeeklyHoursRow[];
  /** Local date → intervals replacing the weekly hours that day (`[]` = not working). */
  readonly overrides: Readonly<Record<string, WallIntervals>>;
  readonly timeOff: readonly Interval[];
  /** Active appointments (booked, checked in, completed) of this provider, at any location. */
  readonly appointments: readonly { readonly startsAt: Date; readonly blocked: Interval }[];
}

export interface BookingPatient {
  readonly ageYears: number | null;
  readonly sex: string | null;
}

export interface SlotSearchInput {
  readonly rules: SchedulingRules;
  readonly type: { readonly id: string; readonly durationMinutes: number; readonly bufferBeforeMinutes: number; readonly bufferAfterMinutes: number };
  readonly location: {
    readonly id: string;
    readonly timeZone: string;
    /** ISO weekday → open intervals; `{}` = always open; otherwise a missing weekday is closed. */
    readonly openingHours: Readonly<Record<string, WallIntervals>>;
    readonly holidays: readonly string[];
  };
  readonly providers: readonly ProviderAvailability[];
  /** The type's resources at this location with their blocked ranges; null when the type needs none. */
  readonly resourcePool: readonly { readonly id: string; readonly busy: readonly Interval[] }[] | null;
  readonly now: Date;
  /** Local dates (location zone), inclusive. */
  readonly from: string;
  readonly to: string;
  /** When known, the booking condition filters slots too; without a patient it is left to booking. */
  readonly patient?: BookingPatient;
}

export interface Slot {
  readonly start: Date;
  readonly end: Date;
  readonly providerId: string;
  readonly locationId: string;
  readonly resourceId: string | null;
}

export type RefusalRule =
  | 'min_notice' | 'horizon' | 'slot_alignment' | 'outside_hours' | 'holiday' | 'time_off' | 'conflict'
  | 'resource_unavailable' | 'max_per_provider_per_day' | 'booking_condition';

export type StartVerdict =
  | { readonly ok: true; readonly start: Date; readonly end: Date; readonly blockedFrom: Date; readonly blockedTo: Date; readonly resourceId: string | null }
  | { readonly ok: false; readonly rule: RefusalRule; readonly detail: string };

const MINUTE = 60_000;

function overlaps(a: Interval, from: Date, to: Date): boolean {
  return a.from.getTime() < to.getTime() && from.getTime() < a.to.getTime();
}

function toMinutes(intervals: WallIntervals): [number, number][] {
  return intervals.map(([s, e]) => [parseWallTime(s), parseWallTime(e)] as [number, number]).filter(([s, e]) => e > s);
}

/** Sorts and merges touching or overlapping wall intervals. */
function merge(intervals: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [s, e] of [...intervals].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

function intersect(a: [number, number][], b: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [s1, e1] of a) for (const [s2, e2] of b) {
    const s = Math.max(s1, s2);
    const e = Math.min(e1, e2);
    if (e > s) out.push([s, e]);
  }
  return merge(out);
}

/**
 * The provider's working windows on a local date, in wall minutes: the override for that date if
 * there is one, else the weekly hours valid that day; intersected with the location's opening hours.
 */
export function workingWindows(input: Pick<SlotSearchInput, 'location'>, provider: Pick<ProviderAvailability, 'weeklyHours' | 'overrides'>, date: string): [number, number][] {
  if (input.location.holidays.includes(date)) return [];
  const weekday = isoWeekday(date);
  const override = provider.overrides[date];
  const own = override
    ? merge(toMinutes(override))
    : merge(
        provider.weeklyHours
          .filter((h) => h.weekday === weekday && (!h.validFrom || h.validFrom <= date) && (!h.validTo || date <= h.validTo))
          .map((h) => [parseWallTime(h.start), parseWallTime(h.end)] as [number, number])
          .filter(([s, e]) => e > s),
      );
  const opening = input.location.openingHours;
  if (Object.keys(opening).length === 0) return own;
  return intersect(own, merge(toMinutes(opening[String(weekday)] ?? [])));
}

/** Evaluates the practice's JsonLogic condition; a malformed rule refuses rather than throws. */
export function bookingConditionHolds(condition: Record<string, unknown> | null, data: Record<string, unknown>): boolean {
  if (!condition) return true;
  try {
    return Boolean(jsonLogic.apply(condition as jsonLogic.RulesLogic, data));
  } catch {
    return false;
  }
}

interface Context {
  readonly input: SlotSearchInput;
  readonly zone: string;
  readonly today: string;
  readonly perDay: Map<string, Map<string, number>>;
  /** The pool by id, so the lowest free id is picked. */
  readonly resourcePool: SlotSearchInput['resourcePool'];
}

function context(input: SlotSearchInput): Context {
  const zone = input.location.timeZone;
  const perDay = new Map<string, Map<string, number>>();
  for (const p of input.providers) {
    const counts = new Map<string, number>();
    for (const a of p.appointments) {
      const d = localDateOf(a.startsAt, zone);
      counts.set(d, (counts.get(d) ?? 0) + 1);
    }
    perDay.set(p.id, counts);
  }
  const resourcePool = input.resourcePool && [...input.resourcePool].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { input, zone, today: todayIn(zone, input.now), perDay, resourcePool };
}

/** Checks every rule except alignment and hours (the caller established those) for one start. */
function checkStart(c: Context, provider: ProviderAvailability, date: string, window: Interval, start: Date): StartVerdict {
  const { rules, type, now, patient } = c.input;
  const { resourcePool } = c;
  const end = new Date(start.getTime() + type.durationMinutes * MINUTE);
  const blockedFrom = new Date(start.getTime() - type.bufferBeforeMinutes * MINUTE);
  const blockedTo = new Date(end.getTime() + type.bufferAfterMinutes * MINUTE);
  const earliest = now.getTime() + rules.minNoticeMinutes * MINUTE;
  if (start.getTime() < earliest) return { ok: false, rule: 'min_notice', detail: `Starts less than ${rules.minNoticeMinutes} minutes from now` };
  if (daysBetween(c.today, date) > rules.horizonDays) return { ok: false, rule: 'horizon', detail: `More than ${rules.horizonDays} days ahead` };
  if (blockedFrom < window.from || blockedTo > window.to) return { ok: false, rule: 'outside_hours', detail: 'The appointment and its buffers do not fit in working hours' };
  if (provider.timeOff.some((t) => overlaps(t, blockedFrom, blockedTo))) return { ok: false, rule: 'time_off', detail: 'The provider is off then' };
  if (provider.appointments.some((a) => overlaps(a.blocked, blockedFrom, blockedTo))) return { ok: false, rule: 'conflict', detail: 'The provider is booked then' };
  let resourceId: string | null = null;
  if (resourcePool) {
    const free = resourcePool.find((r) => !r.busy.some((b) => overlaps(b, blockedFrom, blockedTo)));
    if (!free) return { ok: false, rule: 'resource_unavailable', detail: 'No resource of the type is free then' };
    resourceId = free.id;
  }
  const max = rules.maxPerProviderPerDay;
  const booked = c.perDay.get(provider.id)?.get(date) ?? 0;
  if (max !== null && booked >= max) return { ok: false, rule: 'max_per_provider_per_day', detail: `The provider already has ${booked} appointments that day` };
  if (patient && !bookingConditionHolds(rules.bookingCondition, conditionData(c.input, provider.id, start, patient))) {
    return { ok: false, rule: 'booking_condition', detail: "The practice's booking condition refuses this appointment" };
  }
  return { ok: true, start, end, blockedFrom, blockedTo, resourceId };
}

/** The data a booking condition sees. */
export function conditionData(input: SlotSearchInput, providerId: string, start: Date, patient: BookingPatient): Record<string, unknown> {
  const zone = input.location.timeZone;
  return {
    patient: { ageYears: patient.ageYears, sex: patient.sex },
    appointment: {
      weekday: isoWeekday(localDateOf(start, zone)),
      startMinutes: localMinutesOf(start, zone),
      durationMinutes: input.type.durationMinutes,
      typeId: input.type.id,
      providerId,
      locationId: input.location.id,
    },
  };
}

function windowInstants(date: string, [s, e]: [number, number], zone: string): Interval {
  return { from: wallEndToInstant(date, s, zone), to: wallEndToInstant(date, e, zone) };
}

/**
 * `workingWindows` as instants: the same windows the slot search offers starts in (a bound in a
 * spring-forward gap moves to the transition).
 * @example workingIntervals({ location }, provider, '2027-03-14') // [{ from: 13:00Z, to: 21:00Z }] for 09:00–17:00 EDT
 */
export function workingIntervals(input: Pick<SlotSearchInput, 'location'>, provider: Pick<ProviderAvailability, 'weeklyHours' | 'overrides'>, date: string): Interval[] {
  return workingWindows(input, provider, date).map((w) => windowInstants(date, w, input.location.timeZone));
}

/**
 * Every bookable start from `input.from` to `input.to` (local dates), ordered by start then provider.
 * @example computeSlots({ rules, type, location, providers, resourcePool: null, now, from: '2026-03-09', to: '2026-03-09' })
 */
export function computeSlots(input: SlotSearchInput): Slot[] {
  const c = context(input);
  const slots: Slot[] = [];
  const step = input.rules.slotMinutes;
  const first = input.from > c.today ? input.from : c.today;
  const horizonEnd = addDays(c.today, input.rules.horizonDays);
  const last = input.to < horizonEnd ? input.to : horizonEnd;
  for (const date of eachLocalDate(first, last)) {
    for (const provider of input.providers) {
      for (const w of workingWindows(input, provider, date)) {
        const window = windowInstants(date, w, c.zone);
        for (let m = w[0]; m < w[1]; m += step) {
          const start = wallToInstant(date, m, c.zone);
          if (!start) continue; // in a spring-forward gap: that wall time does not exist
          const v = checkStart(c, provider, date, window, start);
          if (v.ok) slots.push({ start: v.start, end: v.end, providerId: provider.id, locationId: input.location.id, resourceId: v.resourceId });
        }
      }
    }
  }
  return slots.sort((a, b) => a.start.getTime() - b.start.getTime() || (a.providerId < b.providerId ? -1 : a.providerId > b.providerId ? 1 : 0));
}

/**
 * Why one exact start is or is not bookable with `provider` (which must be in `input.providers`).
 * Checked in order: notice, horizon, holiday, hours, alignment, time off, conflict, resource, daily cap,
 * then the booking condition when `input.patient` is set.
 */
export function evaluateStart(input: SlotSearchInput, providerId: string, start: Date): StartVerdict {
  const c = context(input);
  const provider = input.providers.find((p) => p.id === providerId);
  if (!provider) return { ok: false, rule: 'outside_hours', detail: 'The provider does not work here' };
  const { rules } = input;
  const date = localDateOf(start, c.zone);
  if (start.getTime() < input.now.getTime() + rules.minNoticeMinutes * MINUTE) {
    return { ok: false, rule: 'min_notice', detail: `Starts less than ${rules.minNoticeMinutes} minutes from now` };
  }
  if (daysBetween(c.today, date) > rules.horizonDays) return { ok: false, rule: 'horizon', detail: `More than ${rules.horizonDays} days ahead` };
  if (input.location.holidays.includes(date)) return { ok: false, rule: 'holiday', detail: 'The location is closed for a holiday' };
  const end = start.getTime() + input.type.durationMinutes * MINUTE;
  const blockedFrom = start.getTime() - input.type.bufferBeforeMinutes * MINUTE;
  const blockedTo = end + input.type.bufferAfterMinutes * MINUTE;
  const windows = workingWindows(input, provider, date);
  const hit = windows.find((w) => {
    const i = windowInstants(date, w, c.zone);
    return i.from.getTime() <= blockedFrom && blockedTo <= i.to.getTime();
  });
  if (!hit) return { ok: false, rule: 'outside_hours', detail: 'The appointment and its buffers do not fit in working hours' };
  const minutes = localMinutesOf(start, c.zone);
  // The second pass of a repeated fall-back hour has the same wall time but is not the instant that
  // wall time names (the earlier one), so it is not an offered start either.
  const named = wallToInstant(date, minutes, c.zone);
  if ((minutes - hit[0]) % rules.slotMinutes !== 0 || start.getTime() % MINUTE !== 0 || named?.getTime() !== start.getTime()) {
    return { ok: false, rule: 'slot_alignment', detail: `Starts are offered every ${rules.slotMinutes} minutes from the start of working hours` };
  }
  return checkStart(c, provider, date, windowInstants(date, hit, c.zone), start);
}
