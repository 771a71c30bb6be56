/**
 * What appointment messages (confirmation, reminder, cancellation) say about an appointment: read
 * once under the tenant's context and turned into plain template variables, formatted in the
 * location's time zone.
 */
import { DateTime } from 'luxon';
import type { TenantRef, TenantTx } from '../../tenancy/tenant-db.ts';
import type { AppointmentVariables, PatientVariables } from '../templates/message-kinds.ts';
import { formatAddress } from '../templates/practice-variables.ts';
import { queueTemplatedEmail } from '../messaging/templated-email.ts';

export interface AppointmentMessageData {
  readonly status: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  /** The patient's address for messages, or null (nothing is sent). */
  readonly email: string | null;
  readonly patient: PatientVariables;
  readonly appointment: AppointmentVariables;
}

interface Row {
  status: string;
  starts_at: Date;
  ends_at: Date;
  email: string | null;
  first_name: string;
  last_name: string;
  type_name: string;
  provider_name: string;
  location_name: string;
  time_zone: string;
  address: Record<string, unknown> | null;
}

/** Formats a slot the way every appointment message shows it. */
export function appointmentVariables(slot: {
  start: Date;
  timeZone: string;
  type: string;
  provider: string;
  location: string;
  address: Record<string, unknown> | null;
}): AppointmentVariables {
  const zoned = DateTime.fromJSDate(slot.start, { zone: slot.timeZone });
  const local = zoned.isValid ? zoned : DateTime.fromJSDate(slot.start, { zone: 'utc' });
  return {
    type: slot.type,
    provider: slot.provider,
    location: slot.location,
    address: formatAddress(slot.address),
    date: local.toFormat('cccc d LLLL yyyy'),
    shortDate: local.toFormat('d LLL'),
    time: local.toFormat('HH:mm'),
    timeZone: slot.timeZone,
    start: local.toISO({ suppressMilliseconds: true })!,
  };
}

/** Reads an appointment with its patient, type, provider and location, or undefined. */
export async function loadAppointmentMessage(tx: TenantTx, appointmentId: string): Promise<AppointmentMessageData | undefined> {
  const res = await tx.query<Row>(
    `select a.status, a.starts_at, a.ends_at, p.email, p.first_name, p.last_name, t.name as type_name, pr.display_name as provider_name,
            l.name as location_name, l.time_zone, l.address
       from appointments a
       join patients p on p.tenant_id = a.tenant_id and p.id = a.patient_id
       join appointment_types t on t.tenant_id = a.tenant_id and t.id = a.type_id
       join providers pr on pr.tenant_id = a.tenant_id and pr.id = a.provider_id
       join locations l on l.tenant_id = a.tenant_id and l.id = a.location_id
      where a.tenant_id = $1 and a.id = $2`,
    [tx.tenantId, appointmentId],
  );
  const r = res.rows[0];
  if (!r) return undefined;
  const startsAt = new Date(r.starts_at);
  return {
    status: r.status,
    startsAt,
    endsAt: new Date(r.ends_at),
    email: r.email,
    patient: { firstName: r.first_name, lastName: r.last_name },
    appointment: appointmentVariables({ start: startsAt, timeZone: r.time_zone, type: r.type_name, provider: r.provider_name, location: r.location_name, address: r.address }),
  };
}

/**
 * Queues the confirmation or cancellation email of an appointment in the caller's transaction,
 * when the patient has an email address and the visit is still ahead. One message per appointment,
 * kind and start time. `links.manageUrl` is the patient's manage link of an online booking.
 */
export async function queueAppointmentNotice(
  tx: TenantTx,
  tenant: Pick<TenantRef, 'id' | 'slug'>,
  kind: 'appointment_confirmation' | 'appointment_cancellation',
  appointmentId: string,
  now: Date = new Date(),
  links: { manageUrl: string | null } = { manageUrl: null },
): Promise<string | null> {
  const data = await loadAppointmentMessage(tx, appointmentId);
  // Past visits (entered after the fact) are not announced to the patient.
  if (!data?.email || data.startsAt.getTime() <= now.getTime()) return null;
  const prefix = kind === 'appointment_confirmation' ? 'confirmation' : 'cancellation';
  return queueTemplatedEmail(tx, tenant, {
    kind,
    to: data.email,
    messageKey: `${prefix}:${appointmentId}:${data.startsAt.toISOString()}`,
    variables: { patient: data.patient, appointment: kind === 'appointment_confirmation' ? { ...data.appointment, manageUrl: links.manageUrl } : data.appointment },
  });
}
