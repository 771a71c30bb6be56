/**
 * Online booking use cases for patients without a login: book a free slot of an online type (the
 * staff booking use case, with the same rules and no override), see the booking through its manage
 * link, and cancel it within the practice's cancellation rules (the staff cancel use case: a late
 * cancellation is recorded as late where the practice flags them, refused where it refuses them).
 */
import type { Database } from '../../db/database.ts';
import { AppError, validationError } from '../../errors/catalogue.ts';
import { countInWindow } from '../../identity/login-throttle.ts';
import { tenantContext, type TenantContext } from '../../tenancy/tenant-context.ts';
import { asPlatform, withTenant, type TenantRef, type TenantTx } from '../../tenancy/tenant-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { emitEvent } from '../webhooks/webhook-events.ts';
import { bookIn, cancelIn } from '../scheduling/appointment-service.ts';
import { isoInZone, loadRules } from '../scheduling/appointment-repo.ts';
import { ruleViolation, slotTaken } from '../scheduling/appointment-placement.ts';
import { formatAddress } from '../templates/practice-variables.ts';
import { localDateOf, parseIsoInstant } from '../scheduling/time.ts';
import { publicSlots, requireOnlineType } from './booking-catalogue.ts';
import type { ManagedAppointment, OnlineBook, OnlineBooked } from './booking-schemas.ts';
import { policyText } from './cancellation-policy.ts';
import { appointmentOfToken, manageUrl, newManageToken, storeManageLink } from './manage-links.ts';
import { checkOnlinePatient, findOrCreatePatient } from './patient-match.ts';

const MINUTE = 60_000;

export interface PublicRequest {
  readonly requestId: string;
  readonly ip: string;
  readonly now?: Date;
}

type Practice = TenantRef & { name: string };

const patientCtx = (db: Database, tenant: TenantRef, patientId: string | null, request: PublicRequest): TenantContext =>
  tenantContext(db, { tenant, actor: { kind: 'patient', id: patientId }, requestId: request.requestId, ip: request.ip });

/**
 * The provider and location of a start the patient picked without naming both: the first free slot
 * at that instant among the type's (the slot list the page showed). None: the time is gone (409).
 */
async function pickSlot(db: Database, tenant: TenantRef, input: OnlineBook, now: Date): Promise<{ providerId: string; locationId: string }> {
  const start = parseIsoInstant(input.start);
  if (!start) throw validationError([{ field: 'start', message: 'is not a valid instant' }]);
  const type = await withTenant(db, tenant, (tx) => requireOnlineType(tx, input.typeId));
  const zones = await withTenant(db, tenant, (tx) =>
    tx.query<{ id: string; time_zone: string }>('select id, time_zone from locations where tenant_id = $1 and id = any($2::uuid[])', [tx.tenantId, type.location_ids]),
  );
  for (const loc of zones.rows) {
    if (input.locationId && loc.id !== input.locationId.toLowerCase()) continue;
    const { items } = await publicSlots(
      db,
      tenant,
      { typeId: type.id, date: localDateOf(start, loc.time_zone), locationId: loc.id, ...(input.providerId ? { providerId: input.providerId } : {}) },
      now,
    );
    const match = items.find((s) => new Date(s.start).getTime() === start.getTime());
    if (match) return { providerId: match.providerId, locationId: match.locationId };
  }
  throw slotTaken('conflict', 'That time is no longer available; please pick another');
}

/**
 * Books an online appointment: matches or registers the patient (see patient-match.ts), books
 * through the staff use case, stores the manage link and emails it with the confirmation, in one
 * transaction. The answer does not depend on whether the patient was already known.
 * @example await bookOnline(db, tenant, { typeId, start, providerId, locationId, patient }, { publicUrl, requestId, ip })
 */
/** Online bookings one client address may make at one practice per hour, and one email per day. */
export const ONLINE_BOOKINGS_PER_ADDRESS_HOUR = 20;
export const ONLINE_BOOKINGS_PER_EMAIL_DAY = 5;

/**
 * Refuses a client that books too much (a script filling the calendar or creating patients): per
 * address per practice per hour and per email per practice per day, counted in the control plane
 * so the limit holds across processes. Counted before anything is checked, so refused and failed
 * attempts count too.
 */
async function throttleOnlineBooking(db: Database, tenant: Practice, email: string, ip: string): Promise<void> {
  const wait = await asPlatform(db, async (tx) => {
    const address = await countInWindow(tx, `booking:ip:${tenant.id}:${ip}`, 3600);
    if (address.count > ONLINE_BOOKINGS_PER_ADDRESS_HOUR) return address.wait;
    const person = await countInWindow(tx, `booking:email:${tenant.id}:${email.trim().toLowerCase()}`, 86_400);
    return person.count > ONLINE_BOOKINGS_PER_EMAIL_DAY ? person.wait : 0;
  });
  if (wait > 0) throw new AppError('rate_limited', `Too many online bookings; please try again in ${Math.ceil(wait / 60)} minutes or call the practice`, { retryAfterSeconds: wait });
}

export async function bookOnline(db: Database, tenant: Practice, input: OnlineBook, deps: PublicRequest & { publicUrl: string }): Promise<OnlineBooked> {
  const now = deps.now ?? new Date();
  checkOnlinePatient(input.patient);
  await throttleOnlineBooking(db, tenant, input.patient.email, deps.ip);
  if (!parseIsoInstant(input.start)) throw validationError([{ field: 'start', message: 'is not a valid instant' }]);
  const place =
    input.providerId && input.locationId ? { providerId: input.providerId.toLowerCase(), locationId: input.locationId.toLowerCase() } : await pickSlot(db, tenant, input, now);
  return withTenant(db, tenant, async (tx) => {
    const type = await requireOnlineType(tx, input.typeId);
    if (!type.provider_ids.includes(place.providerId)) throw ruleViolation('provider_not_offering', 'This provider does not offer this appointment online');
    if (!type.location_ids.includes(place.locationId)) throw ruleViolation('provider_not_offering', 'This appointment cannot be booked online at this location');
    const patient = await findOrCreatePatient(tx, input.patient);
    const ctx = patientCtx(db, tenant, patient.id, deps);
    if (patient.created) {
      await recordAudit(tx, ctx, { action: 'patient.create', resourceType: 'patient', resourceId: patient.id, details: { via: 'online_booking' } });
      await emitEvent(tx, 'patient.created', { id: patient.id, createdAt: now.toISOString() });
    }
    const token = newManageToken();
    const url = manageUrl(deps.publicUrl, tenant.slug, token);
    const booked = await bookIn(tx, ctx, { patientId: patient.id, typeId: type.id, providerId: place.providerId, locationId: place.locationId, start: input.start }, { manageUrl: url, anonymousPatient: true });
    await storeManageLink(tx, token, booked);
    const queued = await tx.query('select 1 from email_outbox where tenant_id = $1 and message_key like $2 limit 1', [tx.tenantId, `confirmation:${booked.id}:%`]);
    return { appointment: await managedView(tx, tenant, booked.id, now), manageUrl: url, email: queued.rowCount ? 'queued' : 'not_sent' };
  });
}

interface ViewRow {
  patient_id: string;
  type_id: string;
  status: ManagedAppointment['status'];
  late_cancel: boolean;
  starts_at: Date;
  ends_at: Date;
  time_zone: string;
  type_name: string;
  provider_name: string;
  location_name: string;
  address: Record<string, unknown> | null;
}

async function readView(tx: TenantTx, id: string): Promise<ViewRow> {
  const res = await tx.query<ViewRow>(
    `select a.patient_id, a.type_id, a.status, a.late_cancel, a.starts_at, a.ends_at, l.time_zone, t.name as type_name, pr.display_name as provider_name,
            l.name as location_name, l.address
       from appointments a
       join appointment_types t on t.tenant_id = a.tenant_id and t.id = a.type_id
       join providers pr on pr.tenant_id = a.tenant_id and pr.id = a.provider_id
       join locations l on l.tenant_id = a.tenant_id and l.id = a.location_id
      where a.tenant_id = $1 and a.id = $2`,
    [tx.tenantId, id],
  );
  return res.rows[0]!;
}

/** The patient's view of an appointment, with whether (and how) it can still be cancelled online. */
async function managedView(tx: TenantTx, tenant: Practice, id: string, now: Date): Promise<ManagedAppointment> {
  const r = await readView(tx, id);
  const rules = await loadRules(tx, r.type_id);
  const startsAt = new Date(r.starts_at).getTime();
  const late = now.getTime() >= startsAt - rules.cancelWindowMinutes * MINUTE;
  return {
    practice: tenant.name,
    appointmentType: r.type_name,
    start: isoInZone(r.starts_at, r.time_zone),
    end: isoInZone(r.ends_at, r.time_zone),
    timeZone: r.time_zone,
    location: { name: r.location_name, address: formatAddress(r.address) },
    provider: r.provider_name,
    status: r.status,
    lateCancel: r.late_cancel,
    canCancel: r.status === 'booked' && startsAt > now.getTime() && !(late && rules.lateCancel === 'refuse'),
    cancelIsLate: late,
    policy: { cancelWindowMinutes: rules.cancelWindowMinutes, lateCancel: rules.lateCancel, text: policyText(rules) },
  };
}

/** The appointment behind a manage link (audited as read by the patient). 404 unknown, 410 over. */
export async function viewManagedAppointment(db: Database, tenant: Practice, token: string, request: PublicRequest): Promise<ManagedAppointment> {
  const now = request.now ?? new Date();
  return withTenant(db, tenant, async (tx) => {
    const id = await appointmentOfToken(tx, token, now);
    const view = await managedView(tx, tenant, id, now);
    const { patient_id } = await readView(tx, id);
    await recordAudit(tx, patientCtx(db, tenant, patient_id, request), { action: 'appointment.read', resourceType: 'appointment', resourceId: id, details: { via: 'manage_link' } });
    return view;
  });
}

/**
 * Cancels through the manage link with the staff cancel use case and no override: late and
 * refused → 409 `scheduling_rule_violation` (rule `cancel_window`); late and flagged → cancelled
 * with `lateCancel`. A visit that has started cannot be cancelled online; a cancelled one answers 409.
 */
export async function cancelManagedAppointment(
  db: Database,
  tenant: Practice,
  token: string,
  input: { reason?: string | undefined },
  request: PublicRequest,
): Promise<ManagedAppointment> {
  const now = request.now ?? new Date();
  return withTenant(db, tenant, async (tx) => {
    const id = await appointmentOfToken(tx, token, now);
    const before = await readView(tx, id);
    if (before.status === 'booked' && new Date(before.starts_at).getTime() <= now.getTime()) {
      throw ruleViolation('cancel_window', 'The appointment has already started; please contact the practice');
    }
    const ctx = patientCtx(db, tenant, before.patient_id, request);
    const reason = input.reason?.trim() ? `Cancelled online by the patient: ${input.reason.trim()}` : 'Cancelled online by the patient';
    await cancelIn(tx, ctx, id, { reason });
    return managedView(tx, tenant, id, now);
  });
}
