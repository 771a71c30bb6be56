/**
 * Appointment reminders: a durable job per appointment (re-armed on reschedule, cancelled with the
 * appointment) that emails the patient from the practice, with the visit as an iCalendar file.
 */
import { DateTime } from 'luxon';
import type { Database } from '../../db/database.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { withTenant } from '../../tenancy/tenant-db.ts';
import { cancelJob, enqueueJob } from '../../jobs/job-queue.ts';
import type { Job } from '../../jobs/job-runner.ts';
import type { Mailer } from '../../infra/mailer.ts';
import { deliverEmail, queueEmail } from '../messaging/outbox.ts';
import { buildCalendar } from './icalendar.ts';

export const REMINDER_JOB = 'appointment.reminder';
export const DEFAULT_REMINDER_LEAD_MINUTES = 24 * 60;

function dedupeKey(tenantId: string, appointmentId: string): string {
  return `reminder:${tenantId}:${appointmentId}`;
}

/** Arms (or re-arms) the reminder of an appointment, in the booking's own transaction. */
export async function scheduleReminder(
  tx: TenantTx,
  appointment: { id: string; startsAt: Date },
  leadMinutes: number = DEFAULT_REMINDER_LEAD_MINUTES,
  now: Date = new Date(),
): Promise<void> {
  const due = new Date(appointment.startsAt.getTime() - leadMinutes * 60_000);
  if (appointment.startsAt <= now) return;
  await enqueueJob(tx, {
    tenantId: tx.tenantId,
    kind: REMINDER_JOB,
    payload: { appointmentId: appointment.id, startsAt: appointment.startsAt.toISOString() },
    runAt: due > now ? due : now,
    dedupeKey: dedupeKey(tx.tenantId, appointment.id),
  });
}

/** Drops the pending reminder of a cancelled appointment. */
export async function cancelReminder(tx: TenantTx, appointmentId: string): Promise<void> {
  await cancelJob(tx, dedupeKey(tx.tenantId, appointmentId));
}

interface ReminderRow {
  status: string;
  starts_at: Date;
  ends_at: Date;
  email: string | null;
  first_name: string;
  type_name: string;
  provider_name: string;
  location_name: string;
  time_zone: string;
  address: { line1?: string; city?: string } | null;
  practice_name: string;
}

export interface ReminderDeps {
  readonly db: Database;
  readonly mailer: Mailer;
  readonly mailFrom: string;
}

/**
 * The job handler. It re-reads the appointment: nothing is sent for a cancelled or moved one (a
 * moved one has its own re-armed job), and the outbox key makes a retried job harmless.
 */
export function reminderHandler(deps: ReminderDeps): (job: Job) => Promise<void> {
  return async (job) => {
    const tenant = job.tenant;
    if (!tenant) throw new Error('reminder without tenant');
    const appointmentId = String(job.payload.appointmentId);
    const startsAt = String(job.payload.startsAt);
    const messageId = await withTenant(deps.db, tenant, async (tx) => {
      const res = await tx.query<ReminderRow>(
        `select a.status, a.starts_at, a.ends_at, p.email, p.first_name, t.name as type_name, pr.display_name as provider_name,
                l.name as location_name, l.time_zone, l.address, (select name from platform.tenants where id = a.tenant_id) as practice_name
           from appointments a
           join patients p on p.tenant_id = a.tenant_id and p.id = a.patient_id
           join appointment_types t on t.tenant_id = a.tenant_id and t.id = a.type_id
           join providers pr on pr.tenant_id = a.tenant_id and pr.id = a.provider_id
           join locations l on l.tenant_id = a.tenant_id and l.id = a.location_id
          where a.tenant_id = $1 and a.id = $2`,
        [tx.tenantId, appointmentId],
      );
      const row = res.rows[0];
      if (!row || row.status !== 'booked' || new Date(row.starts_at).toISOString() !== startsAt || !row.email) return null;
      const local = DateTime.fromJSDate(new Date(row.starts_at), { zone: row.time_zone });
      const when = local.toFormat("cccc d LLLL yyyy 'at' HH:mm");
      const place = [row.location_name, row.address?.line1, row.address?.city].filter(Boolean).join(', ');
      const ics = buildCalendar(row.practice_name, [
        { uid: `${appointmentId}@healthtrack`, start: new Date(row.starts_at), end: new Date(row.ends_at), summary: `${row.type_name} with ${row.provider_name}`, location: place, timeZone: row.time_zone },
      ]);
      return queueEmail(tx, {
        messageKey: `reminder:${appointmentId}:${startsAt}`,
        to: row.email,
        subject: `Reminder: ${row.type_name} on ${local.toFormat('d LLL')} at ${local.toFormat('HH:mm')}`,
        text: `Dear ${row.first_name},\n\nThis is a reminder of your ${row.type_name} with ${row.provider_name} on ${when} (${row.time_zone}) at ${place}.\n\nTo cancel or reschedule, please contact ${row.practice_name}.\n`,
        attachments: [{ filename: 'appointment.ics', contentType: 'text/calendar; charset=utf-8; method=PUBLISH', content: ics }],
      });
    });
    if (messageId) await deliverEmail(deps.db, tenant, deps.mailer, deps.mailFrom, messageId);
  };
}
