/**
 * Appointment use cases: book, reschedule, cancel and the visit's status steps. Each change and
 * its audit event commit together; overlaps are refused by the database whatever the checks saw.
 */
import { AppError, notFound, validationError } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import { uuidv7 } from '../../db/uuid.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { invoiceCompletedVisit } from '../billing/appointment-invoice-service.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { requestHash, withIdempotency } from '../idempotency.ts';
import { cancelReminder, scheduleReminder } from './reminders.ts';
import { appointmentData, emitEvent } from '../webhooks/webhook-events.ts';
import { queueAppointmentNotice } from './appointment-message.ts';
import { followCore, startAppointmentWorkflow, type WorkflowChoice } from '../workflows/lifecycle.ts';
import { enqueueJob } from '../../jobs/job-queue.ts';
import { WAITLIST_OFFER_JOB } from './waitlist-service.ts';
import { auditOverride, placeAndWrite, requireOverride, ruleViolation } from './appointment-placement.ts';
import type { SchedulingRules } from './rules.ts';
import {
  APPOINTMENT_COLUMNS,
  APPOINTMENT_FROM,
  findReferences,
  loadRules,
  lockAppointment,
  readAppointment,
  toAppointment,
  type AppointmentRow,
} from './appointment-repo.ts';
import {
  MAX_LIST_DAYS,
  type Appointment,
  type AppointmentBook,
  type AppointmentCancel,
  type AppointmentListQuery,
  type AppointmentReschedule,
  type AppointmentStatus,
} from './appointment-schemas.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The idempotency scope of bookings. */
export const BOOKING_SCOPE = 'appointments.book';

function parseInstant(value: string, field: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw validationError([{ field, message: 'is not a valid instant' }]);
  return d;
}

/** Answers 404 for an unknown (or another practice's) patient, type, provider or location, 409 for an archived patient. */
export async function requireBookingReferences(tx: TenantTx, ids: { patientId: string; typeId: string; providerId: string; locationId: string }): Promise<void> {
  const refs = await findReferences(tx, ids);
  // Another practice's ids are simply unknown here (RLS), so they answer exactly like missing ones.
  if (!refs.patient) throw notFound('patient');
  if (!refs.type) throw notFound('appointment type');
  if (!refs.provider) throw notFound('provider');
  if (!refs.location) throw notFound('location');
  if (refs.patient === 'archived') throw new AppError('patient_archived', 'Restore the patient before booking');
}

/**
 * Books inside an open transaction (the idempotent path shares it with the stored response);
 * `seriesId` links the appointment to its recurring series; `manageUrl` (online bookings) goes into the confirmation.
 */
export async function bookIn(
  tx: TenantTx,
  ctx: TenantContext,
  input: AppointmentBook,
  options: { seriesId?: string; manageUrl?: string; anonymousPatient?: boolean } = {},
): Promise<Appointment> {
  parseInstant(input.start, 'start');
  await requireBookingReferences(tx, input);
  const id = uuidv7();
  const query = {
    typeId: input.typeId,
    providerId: input.providerId,
    locationId: input.locationId,
    start: input.start,
    patientId: input.patientId,
    ...(options.anonymousPatient ? { anonymousPatient: true } : {}),
  };
  const { overridden, rules } = await placeAndWrite(tx, ctx, query, input.override, async (p) => {
    await tx.query(
      `insert into appointments (tenant_id, id, patient_id, provider_id, location_id, type_id, resource_id, starts_at, ends_at, blocked,
                                 override_reason, notes, created_by, series_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, tstzrange($10::timestamptz, $11::timestamptz, '[)'), $12, $13, $14, $15)`,
      [
        tx.tenantId, id, input.patientId, input.providerId, input.locationId, input.typeId, p.resourceId,
        p.start.toISOString(), p.end.toISOString(), p.blockedFrom.toISOString(), p.blockedTo.toISOString(),
        p.overridden ? input.override!.reason : null, input.notes ?? null, ctx.actor.kind === 'user' ? ctx.actor.id : null,
        options.seriesId ?? null,
      ],
    );
    return { overridden: p.overridden, rules: p.rules };
  });
  await recordAudit(tx, ctx, {
    action: 'appointment.book',
    resourceType: 'appointment',
    resourceId: id,
    details: { patientId: input.patientId, providerId: input.providerId, typeId: input.typeId },
  });
  if (overridden) await auditOverride(tx, ctx, id, overridden, 'book');
  await startAppointmentWorkflow(tx, id);
  const booked = toAppointment((await readAppointment(tx, id))!);
  await scheduleReminder(tx, { id, startsAt: new Date(booked.start) }, rules.reminderLeadMinutes);
  await emitEvent(tx, 'appointment.booked', { ...appointmentData(booked), status: 'booked', seriesId: options.seriesId ?? null });
  // One confirmation per booking; occurrences of a series are not confirmed one email each.
  if (!options.seriesId) await queueAppointmentNotice(tx, ctx.tenant, 'appointment_confirmation', id, new Date(), { manageUrl: options.manageUrl ?? null });
  return booked;
}

/**
 * Books an appointment. With an idempotency key, a retry (even a concurrent one) returns the first
 * booking instead of making a second; the same key with another body is refused.
 * @example await bookAppointment(ctx, { patientId, typeId, providerId, locationId, start: '2026-03-02T10:00:00+01:00' }, { idempotencyKey: 'k-1' })
 */
export async function bookAppointment(
  ctx: TenantContext,
  input: AppointmentBook,
  options: { idempotencyKey?: string | undefined } = {},
): Promise<{ appointment: Appointment; replayed: boolean }> {
  if (options.idempotencyKey === undefined) {
    return { appointment: await ctx.tx((tx) => bookIn(tx, ctx, input)), replayed: false };
  }
  const result = await withIdempotency<Appointment>(
    ctx,
    { scope: BOOKING_SCOPE, key: options.idempotencyKey, requestHash: requestHash(input) },
    async (tx) => ({ statusCode: 201, body: await bookIn(tx, ctx, input) }),
  );
  return { appointment: result.body, replayed: result.replayed };
}

/**
 * Queues the waitlist offer of a freed slot in the same transaction: the offer is made (by a job,
 * which owns links and email) iff the cancellation or move committed.
 */
async function offerFreedTime(tx: TenantTx, row: AppointmentRow): Promise<void> {
  if (new Date(row.starts_at).getTime() <= Date.now()) return;
  await enqueueJob(tx, {
    tenantId: tx.tenantId,
    kind: WAITLIST_OFFER_JOB,
    payload: { typeId: row.type_id, providerId: row.provider_id, locationId: row.location_id, start: new Date(row.starts_at).toISOString(), releasedBy: row.patient_id },
    runAt: new Date(),
  });
}

/** Locks the appointment or answers 404 (also for another practice's id). */
async function requireAppointment(tx: TenantTx, id: string): Promise<AppointmentRow> {
  const row = isUuid(id) ? await lockAppointment(tx, id) : undefined;
  if (!row) throw notFound('appointment');
  return row;
}

function invalidTransition(row: AppointmentRow, step: string): AppError {
  return new AppError('invalid_transition', `Cannot ${step} an appointment that is ${row.status.replace('_', ' ')}`);
}

/**
 * Moves a booked appointment to another start (and optionally provider or location), keeping its
 * type and patient. Inside the reschedule window it needs an override.
 */
export async function rescheduleAppointment(ctx: TenantContext, id: string, input: AppointmentReschedule): Promise<Appointment> {
  const newStart = parseInstant(input.start, 'start');
  return ctx.tx(async (tx) => {
    const row = await requireAppointment(tx, id);
    if (row.status !== 'booked') throw invalidTransition(row, 'reschedule');
    const providerId = input.providerId ?? row.provider_id;
    const locationId = input.locationId ?? row.location_id;
    if (input.providerId || input.locationId) {
      const refs = await findReferences(tx, { providerId, locationId });
      if (!refs.provider) throw notFound('provider');
      if (!refs.location) throw notFound('location');
    }
    const rules = await loadRules(tx, row.type_id);
    const overridden: string[] = [];
    const windowOpensAt = new Date(row.starts_at).getTime() - rules.rescheduleWindowMinutes * MINUTE;
    if (Date.now() >= windowOpensAt) {
      requireOverride(
        ctx,
        'reschedule_window',
        `Appointments can be rescheduled up to ${rules.rescheduleWindowMinutes} minutes before they start`,
        input.override,
        rules,
      );
      overridden.push('reschedule_window');
    }
    const query = { typeId: row.type_id, providerId, locationId, start: input.start, patientId: row.patient_id, excludeAppointmentId: row.id };
    const placed = await placeAndWrite(tx, ctx, query, input.override, async (p) => {
      await tx.query(
        `update appointments set provider_id = $3, location_id = $4, resource_id = $5, starts_at = $6, ends_at = $7,
                blocked = tstzrange($8::timestamptz, $9::timestamptz, '[)'), override_reason = coalesce($10, override_reason),
                version = version + 1, updated_at = now()
          where tenant_id = $1 and id = $2`,
        [
          tx.tenantId, row.id, providerId, locationId, p.resourceId, p.start.toISOString(), p.end.toISOString(),
          p.blockedFrom.toISOString(), p.blockedTo.toISOString(),
          p.overridden || overridden.length ? input.override!.reason : null,
        ],
      );
      return p.overridden;
    });
    if (placed) overridden.push(placed);
    await recordAudit(tx, ctx, {
      action: 'appointment.reschedule',
      resourceType: 'appointment',
      resourceId: row.id,
      details: { from: new Date(row.starts_at).toISOString(), to: newStart.toISOString(), providerChanged: providerId !== row.provider_id, locationChanged: locationId !== row.location_id },
    });
    for (const rule of overridden) await auditOverride(tx, ctx, row.id, rule, 'reschedule');
    const moved = toAppointment((await readAppointment(tx, row.id))!);
    // The reminder follows the appointment; the old time it leaves may suit someone on the waitlist.
    await scheduleReminder(tx, { id: row.id, startsAt: new Date(moved.start) }, rules.reminderLeadMinutes);
    await offerFreedTime(tx, row);
    return moved;
  });
}

/**
 * Cancels a booked appointment, freeing its time. Inside the cancellation window it is a late
 * cancellation: flagged (`lateCancel: true`) or, when the practice refuses them, refused unless overridden.
 */
export async function cancelAppointment(ctx: TenantContext, id: string, input: AppointmentCancel): Promise<Appointment> {
  return ctx.tx((tx) => cancelIn(tx, ctx, id, input));
}

/**
 * Cancels inside an open transaction, through the practice's workflow: `choice` is the workflow
 * transition chosen through the workflow API, else the workflow picks one leading to a cancelled state.
 */
export async function cancelIn(tx: TenantTx, ctx: TenantContext, id: string, input: AppointmentCancel, choice?: WorkflowChoice): Promise<Appointment> {
  const row = await requireAppointment(tx, id);
  if (row.status !== 'booked') throw invalidTransition(row, 'cancel');
  const rules = await loadRules(tx, row.type_id);
  const late = isLateCancellation(row, rules);
  let overridden = false;
  if (late && rules.lateCancel === 'refuse') {
    requireOverride(ctx, 'cancel_window', `Appointments can be cancelled up to ${rules.cancelWindowMinutes} minutes before they start`, input.override, rules);
    overridden = true;
  }
  await followCore(tx, ctx, { kind: 'appointment', entityId: row.id, from: row.status, to: 'cancelled', mode: 'user', transition: choice?.transition, note: choice?.note ?? input.reason ?? null, verb: 'cancel' });
  await writeCancellation(tx, ctx, row, { late, policy: rules.lateCancel, reason: input.reason, overrideReason: overridden ? input.override!.reason : undefined });
  if (overridden) await auditOverride(tx, ctx, row.id, 'cancel_window', 'cancel');
  return toAppointment((await readAppointment(tx, row.id))!);
}

/** Whether cancelling now falls inside the cancellation window of `row`. */
export function isLateCancellation(row: AppointmentRow, rules: SchedulingRules, now = Date.now()): boolean {
  return now >= new Date(row.starts_at).getTime() - rules.cancelWindowMinutes * MINUTE;
}

/**
 * Cancels a locked, booked appointment whose policy was already decided: the row, its audit event,
 * its reminder and the waitlist offer of the freed time. Shared by single and series cancellation.
 */
export async function writeCancellation(
  tx: TenantTx,
  ctx: TenantContext,
  row: AppointmentRow,
  c: { late: boolean; policy: SchedulingRules['lateCancel']; reason?: string | undefined; overrideReason?: string | undefined; seriesId?: string },
): Promise<void> {
  // A series cancellation never refuses an occurrence, so its workflow follows (single ones went through cancelIn).
  if (c.seriesId) {
    await followCore(tx, ctx, { kind: 'appointment', entityId: row.id, from: row.status, to: 'cancelled', mode: 'system', cause: { type: 'series_cancellation', id: c.seriesId }, note: c.reason ?? null, verb: 'cancel' });
  }
  // late_cancel records the fact (it was late) even when staff overrode the refusal; billing decides on fees.
  await tx.query(
    `update appointments set status = 'cancelled', late_cancel = $3, cancel_reason = $4, override_reason = coalesce($5, override_reason),
            version = version + 1, updated_at = now()
      where tenant_id = $1 and id = $2`,
    [tx.tenantId, row.id, c.late, c.reason ?? null, c.overrideReason ?? null],
  );
  await recordAudit(tx, ctx, {
    action: 'appointment.cancel',
    resourceType: 'appointment',
    resourceId: row.id,
    details: { late: c.late, policy: c.late ? c.policy : null, ...(c.seriesId ? { seriesId: c.seriesId } : {}) },
  });
  await cancelReminder(tx, row.id);
  await offerFreedTime(tx, row);
  await emitEvent(tx, 'appointment.cancelled', { ...appointmentData(toAppointment(row)), status: 'cancelled', lateCancel: c.late });
  // A single cancellation is emailed to the patient; cancelling a whole series does not send one per occurrence.
  if (!c.seriesId) await queueAppointmentNotice(tx, ctx.tenant, 'appointment_cancellation', row.id);
}

/** The visit's status steps: which statuses each may start from. Completing needs a check-in first. */
const STEPS = {
  check_in: { from: ['booked'], to: 'checked_in', verb: 'check in' },
  complete: { from: ['checked_in'], to: 'completed', verb: 'complete' },
  no_show: { from: ['booked'], to: 'no_show', verb: 'mark as no-show' },
} as const satisfies Record<string, { from: readonly AppointmentStatus[]; to: AppointmentStatus; verb: string }>;

export type AppointmentStep = keyof typeof STEPS;

/** Applies a status step, or answers `invalid_transition` naming the current status. */
export async function advanceAppointment(ctx: TenantContext, id: string, step: AppointmentStep): Promise<Appointment> {
  return ctx.tx((tx) => advanceIn(tx, ctx, id, step));
}

/** Applies a status step inside an open transaction, through the practice's workflow (`choice` as for cancelIn). */
export async function advanceIn(tx: TenantTx, ctx: TenantContext, id: string, step: AppointmentStep, choice?: WorkflowChoice): Promise<Appointment> {
  const spec = STEPS[step];
  const row = await requireAppointment(tx, id);
  if (!(spec.from as readonly string[]).includes(row.status)) throw invalidTransition(row, spec.verb);
  await followCore(tx, ctx, { kind: 'appointment', entityId: row.id, from: row.status, to: spec.to, mode: 'user', transition: choice?.transition, note: choice?.note ?? null, verb: spec.verb });
  await tx.query(`update appointments set status = $3, version = version + 1, updated_at = now() where tenant_id = $1 and id = $2`, [tx.tenantId, row.id, spec.to]);
  await recordAudit(tx, ctx, { action: `appointment.${step}`, resourceType: 'appointment', resourceId: row.id, details: { from: row.status } });
  // The practice's auto-invoicing commits (or not) with the completion itself.
  if (step === 'complete') await invoiceCompletedVisit(tx, ctx, row.id);
  return toAppointment((await readAppointment(tx, row.id))!);
}

/** Reads one appointment (audited). */
export async function getAppointment(ctx: TenantContext, id: string): Promise<Appointment> {
  if (!isUuid(id)) throw notFound('appointment');
  return ctx.tx(async (tx) => {
    const row = await readAppointment(tx, id);
    if (!row) throw notFound('appointment');
    await recordAudit(tx, ctx, { action: 'appointment.read', resourceType: 'appointment', resourceId: id });
    return toAppointment(row);
  });
}

/**
 * Lists appointments starting in [from, to) (at most 62 days), ordered by start then id, with a
 * keyset cursor. The ids returned are written to the audit trail.
 */
export async function listAppointments(ctx: TenantContext, q: AppointmentListQuery): Promise<{ items: Appointment[]; nextCursor: string | null }> {
  const from = parseInstant(q.from, 'from');
  const to = parseInstant(q.to, 'to');
  if (to.getTime() <= from.getTime()) throw validationError([{ field: 'to', message: 'must be after from' }]);
  if (to.getTime() - from.getTime() > MAX_LIST_DAYS * DAY) throw validationError([{ field: 'to', message: `must be at most ${MAX_LIST_DAYS} days after from` }]);
  const limit = q.limit ?? 200;
  return ctx.tx(async (tx) => {
    const params: unknown[] = [tx.tenantId];
    const p = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = ['a.tenant_id = $1', `a.starts_at >= ${p(from.toISOString())}::timestamptz`, `a.starts_at < ${p(to.toISOString())}::timestamptz`];
    if (q.providerId) where.push(`a.provider_id = ${p(q.providerId)}`);
    if (q.locationId) where.push(`a.location_id = ${p(q.locationId)}`);
    if (q.patientId) where.push(`a.patient_id = ${p(q.patientId)}`);
    if (q.status) where.push(`a.status = ${p(q.status)}`);
    if (q.cursor) {
      const [at, id] = decodeCursor(q.cursor, 2) as [string, string];
      if (!isUuid(id) || Number.isNaN(new Date(at).getTime())) throw new AppError('invalid_cursor');
      where.push(`(a.starts_at, a.id) > (${p(at)}::timestamptz, ${p(id)}::uuid)`);
    }
    const res = await tx.query<AppointmentRow>(
      `select ${APPOINTMENT_COLUMNS} from ${APPOINTMENT_FROM} where ${where.join(' and ')} order by a.starts_at, a.id limit ${p(limit + 1)}`,
      params,
    );
    const rows = res.rows.slice(0, limit);
    await recordAudit(tx, ctx, {
      action: 'appointment.list',
      resourceType: 'appointment',
      details: { filters: Object.keys(q).filter((k) => k !== 'limit' && k !== 'cursor'), appointmentIds: rows.map((r) => r.id) },
    });
    const last = rows[rows.length - 1];
    return {
      items: rows.map(toAppointment),
      nextCursor: res.rows.length > limit && last ? encodeCursor([new Date(last.starts_at).toISOString(), last.id]) : null,
    };
  });
}
