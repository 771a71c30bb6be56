/**
 * Availability use cases: `checkBookable` (one exact start, inside the booking transaction) and
 * `searchSlots` (the slot list for a date range). The rules themselves live in the pure
 * `slot-engine.ts`; this file loads data, adds the per-patient rules and maps results.
 */
import { notFound, validationError, type FieldError } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { loadAvailability } from './availability-repo.ts';
import type { SchedulingRules } from './rules.ts';
import { bookingConditionHolds, computeSlots, conditionData, evaluateStart, type BookingPatient } from './slot-engine.ts';
import { addDays, ageOn, daysBetween, isLocalDate, localDateOf, parseIsoInstant, toZonedIso } from './time.ts';

export { computeSlots, evaluateStart, workingIntervals, workingWindows } from './slot-engine.ts';
export type { Interval, ProviderAvailability, Slot, SlotSearchInput, StartVerdict } from './slot-engine.ts';

export interface BookableQuery {
  typeId: string;
  providerId: string;
  locationId: string;
  /** ISO 8601 with offset. */
  start: string;
  patientId?: string;
  /** The appointment being rescheduled: it does not conflict with itself nor count towards caps. */
  excludeAppointmentId?: string;
  /**
   * A booking by someone who has not proven who they are (online, no login): the rules see only
   * what they typed (their age from the date of birth they gave), never the stored record, so an
   * answer cannot tell them whether that person is a patient, how many visits they have booked, or
   * their recorded sex. The per-patient cap on open appointments is therefore not applied online.
   */
  anonymousPatient?: boolean;
  now?: Date;
}

export type BookableRule =
  | 'unknown_type' | 'provider_not_offering' | 'min_notice' | 'horizon' | 'slot_alignment' | 'outside_hours' | 'holiday'
  | 'time_off' | 'conflict' | 'resource_unavailable' | 'max_per_provider_per_day' | 'max_open_per_patient' | 'booking_condition';

export type BookableResult =
  | { ok: true; start: Date; end: Date; blockedFrom: Date; blockedTo: Date; resourceId: string | null; rules: SchedulingRules }
  | { ok: false; rule: BookableRule; detail: string; rules?: SchedulingRules };

/**
 * Whether `q.start` can be booked, checking every scheduling rule against the data visible in `tx`.
 * Unknown (or another practice's) type, provider, location or patient answer `unknown_type`.
 * @example const r = await checkBookable(tx, { typeId, providerId, locationId, start: '2026-03-09T09:00:00-04:00', patientId })
 */
export async function checkBookable(tx: TenantTx, q: BookableQuery): Promise<BookableResult> {
  const now = q.now ?? new Date();
  for (const [what, id] of [['appointment type', q.typeId], ['provider', q.providerId], ['location', q.locationId], ['patient', q.patientId ?? null]] as const) {
    if (id !== null && !isUuid(id)) return { ok: false, rule: 'unknown_type', detail: `No such ${what}` };
  }
  if (q.excludeAppointmentId !== undefined && !isUuid(q.excludeAppointmentId)) return { ok: false, rule: 'unknown_type', detail: 'No such appointment' };
  const start = parseIsoInstant(q.start);
  if (!start) return { ok: false, rule: 'slot_alignment', detail: 'The start is not an ISO 8601 time with an offset' };
  // Centuries ago is simply in the past; the day arithmetic below would reach the year 0, which
  // PostgreSQL has no date for.
  if (start.getUTCFullYear() < 1000) return { ok: false, rule: 'min_notice', detail: 'The start is in the past' };
  // Any zone's local date is within a day of the UTC date.
  const utcDate = start.toISOString().slice(0, 10);
  const loaded = await loadAvailability(tx, {
    typeId: q.typeId,
    locationId: q.locationId,
    providerId: q.providerId,
    from: addDays(utcDate, -1),
    to: addDays(utcDate, 1),
    ...(q.excludeAppointmentId ? { excludeAppointmentId: q.excludeAppointmentId } : {}),
  });
  if (!loaded.found) {
    const what = { type: 'appointment type', location: 'location', provider: 'provider' }[loaded.missing];
    return { ok: false, rule: 'unknown_type', detail: `No such ${what}` };
  }
  const { rules } = loaded;
  if (loaded.providerNotOffering) return { ok: false, rule: 'provider_not_offering', detail: 'The provider does not offer this appointment type', rules };

  let patient: BookingPatient = { ageYears: null, sex: null };
  let openCount = 0;
  if (q.patientId) {
    const row = (
      await tx.query<{ date_of_birth: string; sex: string | null; open: number }>(
        `select p.date_of_birth::text as date_of_birth, p.sex,
                (select count(*) from appointments a
                  where a.tenant_id = $1 and a.patient_id = p.id and a.status in ('booked', 'checked_in') and a.starts_at > $3::timestamptz
                    and ($4::uuid is null or a.id <> $4::uuid))::int as open
           from patients p where p.tenant_id = $1 and p.id = $2`,
        [tx.tenantId, q.patientId, now.toISOString(), q.excludeAppointmentId ?? null],
      )
    ).rows[0];
    if (!row) return { ok: false, rule: 'unknown_type', detail: 'No such patient', rules };
    const zone = loaded.input.location.timeZone;
    patient = { ageYears: ageOn(row.date_of_birth, localDateOf(start, zone)), sex: q.anonymousPatient ? null : row.sex };
    openCount = q.anonymousPatient ? 0 : Number(row.open);
  }

  const input = { ...loaded.input, now, from: addDays(utcDate, -1), to: addDays(utcDate, 1) };
  const verdict = evaluateStart(input, q.providerId, start);
  if (!verdict.ok) return { ...verdict, rules };
  if (q.patientId && !q.anonymousPatient && rules.maxOpenPerPatient !== null && openCount >= rules.maxOpenPerPatient) {
    return { ok: false, rule: 'max_open_per_patient', detail: `The patient already has ${openCount} upcoming appointments`, rules };
  }
  if (!bookingConditionHolds(rules.bookingCondition, conditionData(input, q.providerId, start, patient))) {
    return { ok: false, rule: 'booking_condition', detail: "The practice's booking condition refuses this appointment", rules };
  }
  return { ...verdict, rules };
}

export interface SlotQuery {
  readonly typeId: string;
  readonly locationId: string;
  readonly providerId?: string;
  readonly from: string;
  readonly to: string;
}

export interface SlotItem {
  readonly start: string;
  readonly end: string;
  readonly providerId: string;
  readonly locationId: string;
  readonly resourceId: string | null;
}

/** Longest slot search, in local days (inclusive). */
export const MAX_SLOT_RANGE_DAYS = 31;

/**
 * Bookable slots for a type at a location over local dates `from`..`to`, for one provider or every
 * provider offering the type. Unknown (or another practice's) ids answer `not_found`.
 */
export async function searchSlots(ctx: TenantContext, q: SlotQuery, now: Date = new Date()): Promise<{ timeZone: string; items: SlotItem[] }> {
  const errors: FieldError[] = [];
  if (!isLocalDate(q.from)) errors.push({ field: 'from', message: 'must be a date YYYY-MM-DD' });
  if (!isLocalDate(q.to)) errors.push({ field: 'to', message: 'must be a date YYYY-MM-DD' });
  if (errors.length === 0 && q.to < q.from) errors.push({ field: 'to', message: 'must not be before from' });
  if (errors.length === 0 && daysBetween(q.from, q.to) + 1 > MAX_SLOT_RANGE_DAYS) {
    errors.push({ field: 'to', message: `the range may span at most ${MAX_SLOT_RANGE_DAYS} days` });
  }
  if (errors.length) throw validationError(errors);
  if (!isUuid(q.typeId)) throw notFound('appointment type');
  if (!isUuid(q.locationId)) throw notFound('location');
  if (q.providerId !== undefined && !isUuid(q.providerId)) throw notFound('provider');
  // One statement, so one message: no transaction of its own to begin and commit.
  const loaded = await loadAvailability({ tenantId: ctx.tenant.id, query: (sql, params) => ctx.statement(sql, params ?? []) }, q);
  if (!loaded.found) throw notFound({ type: 'appointment type', location: 'location', provider: 'provider' }[loaded.missing]);
  const zone = loaded.input.location.timeZone;
  const slots = computeSlots({ ...loaded.input, now, from: q.from, to: q.to });
  return {
    timeZone: zone,
    items: slots.map((s) => ({
      start: toZonedIso(s.start, zone),
      end: toZonedIso(s.end, zone),
      providerId: s.providerId,
      locationId: s.locationId,
      resourceId: s.resourceId,
    })),
  };
}
