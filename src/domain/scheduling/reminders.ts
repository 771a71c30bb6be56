/**
 * Appointment reminders: a durable job per appointment (re-armed on reschedule, cancelled with the
 * appointment) that emails the patient from the practice, with the visit as an iCalendar file.
 * The text comes from the practice's `appointment_reminder` template (src/domain/templates).
 */
import type { Database } from '../../db/database.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { withTenant } from '../../tenancy/tenant-db.ts';
import { cancelJob, enqueueJob } from '../../jobs/job-queue.ts';
import type { Job } from '../../jobs/job-runner.ts';
import type { Mailer } from '../../infra/mailer.ts';
import { deliverEmail } from '../messaging/outbox.ts';
import { queueTemplatedEmail } from '../messaging/templated-email.ts';
import { practiceVariables } from '../templates/practice-variables.ts';
import { buildCalendar } from './icalendar.ts';
import { loadAppointmentMessage } from './appointment-message.ts';

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
      const data = await loadAppointmentMessage(tx, appointmentId);
      if (!data || data.status !== 'booked' || data.startsAt.toISOString() !== startsAt || !data.email) return null;
      const { patient, appointment } = data;
      const place = [appointment.location, appointment.address].filter(Boolean).join(', ');
      const practice = await practiceVariables(tx, tenant);
      const ics = buildCalendar(practice.name, [
        { uid: `${appointmentId}@healthtrack`, start: data.startsAt, end: data.endsAt, summary: `${appointment.type} with ${appointment.provider}`, location: place, timeZone: appointment.timeZone },
      ]);
      // Delivered right below by this job, not by a separate delivery job.
      return queueTemplatedEmail(tx, tenant, {
        kind: 'appointment_reminder',
        to: data.email,
        messageKey: `reminder:${appointmentId}:${startsAt}`,
        variables: { patient, appointment },
        attachments: [{ filename: 'appointment.ics', contentType: 'text/calendar; charset=utf-8; method=PUBLISH', content: ics }],
        delivery: 'caller',
      });
    });
    if (messageId) await deliverEmail(deps.db, tenant, deps.mailer, deps.mailFrom, messageId);
  };
}
