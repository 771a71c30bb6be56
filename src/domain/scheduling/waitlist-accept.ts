/** The patient side of a waitlist offer: view it and book it from the emailed link. */
import { DateTime } from 'luxon';
import type { Database } from '../../db/database.ts';
import { AppError } from '../../errors/catalogue.ts';
import { withTenant, type TenantRef } from '../../tenancy/tenant-db.ts';
import { tenantContext } from '../../tenancy/tenant-context.ts';
import { bookIn } from './appointment-service.ts';
import { scheduleReminder } from './reminders.ts';
import { findOffer, markOfferBooked } from './waitlist-service.ts';

export interface OfferPage {
  readonly practice: string;
  readonly appointmentType: string;
  readonly start: string;
  readonly timeZone: string;
  readonly expiresAt: string;
  readonly status: 'waiting' | 'offered' | 'booked' | 'expired' | 'cancelled';
}

/** What the patient sees behind the link (no PHI beyond what the email already said). */
export async function viewOffer(db: Database, tenant: TenantRef, token: string): Promise<OfferPage> {
  return withTenant(db, tenant, async (tx) => {
    const offer = await findOffer(tx, token);
    const info = await tx.query<{ type_name: string; time_zone: string; practice: string }>(
      `select t.name as type_name, l.time_zone, (select name from platform.tenants where id = $1) as practice
         from appointment_types t, locations l where t.tenant_id = $1 and t.id = $2 and l.tenant_id = $1 and l.id = $3`,
      [tx.tenantId, offer.typeId, offer.locationId],
    );
    const row = info.rows[0]!;
    return {
      practice: row.practice,
      appointmentType: row.type_name,
      start: DateTime.fromISO(offer.start, { zone: row.time_zone }).toISO()!,
      timeZone: row.time_zone,
      expiresAt: offer.expiresAt,
      status: offer.expired && offer.status === 'offered' ? 'expired' : offer.status,
    };
  });
}

/**
 * Books the offered slot for the patient, with the practice's rules applied as for any booking
 * (the patient is the actor; no override). One transaction: the entry is booked iff the appointment is.
 */
export async function acceptOffer(
  db: Database,
  tenant: TenantRef,
  token: string,
  request: { requestId: string; ip: string },
): Promise<{ appointmentId: string; start: string }> {
  return withTenant(db, tenant, async (tx) => {
    const offer = await findOffer(tx, token);
    if (offer.status !== 'offered') throw new AppError('offer_unavailable', 'This offer has already been used or withdrawn');
    if (offer.expired) throw new AppError('offer_expired', 'This offer has expired; the slot may have gone to someone else');
    const ctx = tenantContext(db, { tenant, actor: { kind: 'patient', id: offer.patientId }, requestId: request.requestId, ip: request.ip });
    const appointment = await bookIn(tx, ctx, {
      patientId: offer.patientId,
      typeId: offer.typeId,
      providerId: offer.providerId,
      locationId: offer.locationId,
      start: offer.start,
    });
    await markOfferBooked(tx, offer.entryId);
    await scheduleReminder(tx, { id: appointment.id, startsAt: new Date(offer.start) });
    return { appointmentId: appointment.id, start: appointment.start };
  });
}
