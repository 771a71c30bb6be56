/**
 * Where an appointment goes: availability's verdict, staff overrides of the rules it reports, and
 * the write that the exclusion constraints judge. Shared by booking and rescheduling.
 */
import { AppError } from '../../errors/catalogue.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { checkBookable, type BookableQuery } from './availability.ts';
import { freeResource, loadRules, typeTiming } from './appointment-repo.ts';
import type { Override } from './appointment-schemas.ts';
import type { SchedulingRules } from './rules.ts';

const MINUTE = 60_000;

/** Rules staff may set aside with a reason. Overlaps never (the database forbids them anyway), nor a type the provider does not offer. */
const OVERRIDABLE = new Set([
  'min_notice',
  'horizon',
  'slot_alignment',
  'outside_hours',
  'holiday',
  'time_off',
  'max_per_provider_per_day',
  'max_open_per_patient',
  'booking_condition',
  'reschedule_window',
  'cancel_window',
]);

export interface Placement {
  readonly start: Date;
  readonly end: Date;
  readonly blockedFrom: Date;
  readonly blockedTo: Date;
  readonly resourceId: string | null;
  /** The rule staff overrode to get this placement, if any. */
  readonly overridden: string | null;
  /** The scheduling rules the placement was checked against (the practice's, with the type's overrides). */
  readonly rules: SchedulingRules;
}

export function ruleViolation(rule: string, detail: string): AppError {
  return new AppError('scheduling_rule_violation', detail, { rule });
}

export function slotTaken(rule: 'conflict' | 'resource_unavailable', detail?: string): AppError {
  return new AppError(
    'slot_taken',
    detail ?? (rule === 'conflict' ? 'The provider is already booked at that time' : 'No resource this appointment needs is free at that time'),
    { rule },
  );
}

/**
 * Throws the rule's violation unless `override` may set it aside: the rule is overridable, the
 * practice allows overrides and the actor may write the schedule. Returns when the override holds.
 */
export function requireOverride(ctx: TenantContext, rule: string, detail: string, override: Override | undefined, rules: SchedulingRules): void {
  if (!override) throw ruleViolation(rule, detail);
  if (!OVERRIDABLE.has(rule)) throw ruleViolation(rule, `${detail} (this rule cannot be overridden)`);
  if (!rules.frontDeskOverride) throw ruleViolation(rule, `${detail} (this practice does not allow overrides)`);
  if (!ctx.permissions.has('scheduling:write')) throw ruleViolation(rule, `${detail} (overriding needs the "scheduling:write" permission)`);
}

/** Records that `rule` was overridden for `appointmentId`; the reason itself stays on the appointment row. */
export async function auditOverride(tx: TenantTx, ctx: TenantContext, appointmentId: string, rule: string, action: string): Promise<void> {
  await recordAudit(tx, ctx, { action: 'appointment.override', resourceType: 'appointment', resourceId: appointmentId, details: { rule, during: action } });
}

/** Availability's placement, or (with an allowed override) one computed from the type alone. */
export async function place(tx: TenantTx, ctx: TenantContext, q: BookableQuery, override: Override | undefined): Promise<Placement> {
  const verdict = await checkBookable(tx, q);
  if (verdict.ok) {
    return { start: verdict.start, end: verdict.end, blockedFrom: verdict.blockedFrom, blockedTo: verdict.blockedTo, resourceId: verdict.resourceId, overridden: null, rules: verdict.rules };
  }
  if (verdict.rule === 'conflict' || verdict.rule === 'resource_unavailable') throw slotTaken(verdict.rule, verdict.detail);
  const rules = verdict.rules ?? (await loadRules(tx, q.typeId));
  requireOverride(ctx, verdict.rule, verdict.detail, override, rules);
  const timing = await typeTiming(tx, q.typeId);
  if (!timing) throw ruleViolation('unknown_type', 'No such appointment type');
  const start = new Date(q.start);
  const end = new Date(start.getTime() + timing.durationMinutes * MINUTE);
  const blockedFrom = new Date(start.getTime() - timing.bufferBeforeMinutes * MINUTE);
  const blockedTo = new Date(end.getTime() + timing.bufferAfterMinutes * MINUTE);
  let resourceId: string | null = null;
  if (timing.needsResource) {
    resourceId = await freeResource(tx, { typeId: q.typeId, locationId: q.locationId, from: blockedFrom, to: blockedTo, ...(q.excludeAppointmentId ? { excludeAppointmentId: q.excludeAppointmentId } : {}) });
    if (!resourceId) throw slotTaken('resource_unavailable');
  }
  return { start, end, blockedFrom, blockedTo, resourceId, overridden: verdict.rule, rules };
}

const OVERLAP_CONSTRAINTS = {
  appointments_no_provider_overlap: 'conflict',
  appointments_no_resource_overlap: 'resource_unavailable',
} as const;

/** The overlap an exclusion violation (SQLSTATE 23P01) reports, or null for any other error. */
function overlapOf(err: unknown): 'conflict' | 'resource_unavailable' | null {
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e?.code !== '23P01') return null;
  for (const [name, rule] of Object.entries(OVERLAP_CONSTRAINTS)) {
    if (e.constraint === name || e.message?.includes(name)) return rule;
  }
  return 'conflict';
}

/**
 * Places the appointment and writes it. The exclusion constraints decide races: a concurrent
 * request that took the provider answers `slot_taken`; one that took the room we picked sends us
 * back to availability (under READ COMMITTED it now sees that booking), which may offer another room.
 */
export async function placeAndWrite<T>(
  tx: TenantTx,
  ctx: TenantContext,
  q: BookableQuery,
  override: Override | undefined,
  write: (placement: Placement) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const placement = await place(tx, ctx, q, override);
    // Queued: the savepoint travels with the write's first statement, the release with whatever
    // follows, so the race guard costs no round trip of its own.
    await tx.queueWrite('savepoint place_appointment');
    try {
      const written = await write(placement);
      await tx.queueWrite('release savepoint place_appointment');
      return written;
    } catch (err) {
      const overlap = overlapOf(err);
      if (!overlap) throw err;
      await tx.query('rollback to savepoint place_appointment');
      if (overlap === 'resource_unavailable' && attempt < 3) continue;
      throw slotTaken(overlap);
    }
  }
}
