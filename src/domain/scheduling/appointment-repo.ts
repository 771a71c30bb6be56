/** Appointment SQL: row mapping, locked reads and the look-ups booking needs besides availability. */
import { DateTime } from 'luxon';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import type { Appointment, AppointmentStatus } from './appointment-schemas.ts';
import { effectiveRules, type RulesPatch, type SchedulingRules } from './rules.ts';

/**
 * Selected from `appointments a join locations l`, so times can be shown in the location's zone; with
 * the id of the visit's live invoice (at most one, by the partial unique index of migration 0014).
 */
export const APPOINTMENT_COLUMNS = `a.id, a.patient_id, a.provider_id, a.location_id, a.type_id, a.resource_id, a.starts_at, a.ends_at,
  a.status, a.late_cancel, a.cancel_reason, a.override_reason, a.notes, a.version, a.created_at, l.time_zone,
  (select i.id from invoices i where i.tenant_id = a.tenant_id and i.appointment_id = a.id and i.kind = 'invoice' and i.status <> 'void') as invoice_id`;

export const APPOINTMENT_FROM = 'appointments a join locations l on l.tenant_id = a.tenant_id and l.id = a.location_id';

export interface AppointmentRow {
  id: string;
  patient_id: string;
  provider_id: string;
  location_id: string;
  type_id: string;
  resource_id: string | null;
  starts_at: Date;
  ends_at: Date;
  status: AppointmentStatus;
  late_cancel: boolean;
  cancel_reason: string | null;
  override_reason: string | null;
  notes: string | null;
  version: number;
  created_at: Date;
  time_zone: string;
  invoice_id: string | null;
}

/** ISO 8601 with the offset of `zone` (UTC when the zone is unknown to the runtime). */
export function isoInZone(at: Date, zone: string): string {
  const dt = DateTime.fromJSDate(new Date(at), { zone });
  return (dt.isValid ? dt : DateTime.fromJSDate(new Date(at), { zone: 'utc' })).toISO({ suppressMilliseconds: true })!;
}

export function toAppointment(r: AppointmentRow): Appointment {
  return {
    id: r.id,
    patientId: r.patient_id,
    providerId: r.provider_id,
    locationId: r.location_id,
    typeId: r.type_id,
    resourceId: r.resource_id,
    start: isoInZone(r.starts_at, r.time_zone),
    end: isoInZone(r.ends_at, r.time_zone),
    status: r.status,
    lateCancel: r.late_cancel,
    cancelReason: r.cancel_reason,
    overrideReason: r.override_reason,
    notes: r.notes,
    version: r.version,
    createdAt: new Date(r.created_at).toISOString(),
    invoiceId: r.invoice_id,
  };
}

/** Reads one appointment, locking its row for the change that follows. */
export async function lockAppointment(tx: TenantTx, id: string): Promise<AppointmentRow | undefined> {
  const res = await tx.query<AppointmentRow>(
    `select ${APPOINTMENT_COLUMNS} from ${APPOINTMENT_FROM} where a.tenant_id = $1 and a.id = $2 for update of a`,
    [tx.tenantId, id],
  );
  return res.rows[0];
}

/** Reads one appointment after a change (the location may have changed with it). */
export async function readAppointment(tx: TenantTx, id: string): Promise<AppointmentRow | undefined> {
  const res = await tx.query<AppointmentRow>(`select ${APPOINTMENT_COLUMNS} from ${APPOINTMENT_FROM} where a.tenant_id = $1 and a.id = $2`, [tx.tenantId, id]);
  return res.rows[0];
}

/** The practice's rules with the appointment type's overrides applied. */
export async function loadRules(tx: TenantTx, typeId: string): Promise<SchedulingRules> {
  const res = await tx.query<{ practice: RulesPatch | null; type: RulesPatch | null }>(
    `select (select rules from scheduling_settings where tenant_id = $1) as practice,
            (select rules from appointment_types where tenant_id = $1 and id = $2) as type`,
    [tx.tenantId, typeId],
  );
  const row = res.rows[0];
  return effectiveRules(row?.practice ?? {}, row?.type ?? {});
}

export interface References {
  readonly patient: 'active' | 'archived' | null;
  readonly type: boolean;
  readonly provider: boolean;
  readonly location: boolean;
}

/** Which of the ids a booking names exist in this practice (another practice's ids do not). */
export async function findReferences(
  tx: TenantTx,
  ids: { patientId?: string; typeId?: string; providerId?: string; locationId?: string },
): Promise<References> {
  const res = await tx.query<{ patient: References['patient']; type: boolean; provider: boolean; location: boolean }>(
    `select (select status from patients where tenant_id = $1 and id = $2::uuid) as patient,
            exists (select 1 from appointment_types where tenant_id = $1 and id = $3::uuid) as type,
            exists (select 1 from providers where tenant_id = $1 and id = $4::uuid) as provider,
            exists (select 1 from locations where tenant_id = $1 and id = $5::uuid) as location`,
    [tx.tenantId, ids.patientId ?? null, ids.typeId ?? null, ids.providerId ?? null, ids.locationId ?? null],
  );
  return res.rows[0]!;
}

export interface TypeTiming {
  readonly durationMinutes: number;
  readonly bufferBeforeMinutes: number;
  readonly bufferAfterMinutes: number;
  /** The resources the type needs one of, at any location (filtered by location when placing). */
  readonly needsResource: boolean;
}

export async function typeTiming(tx: TenantTx, typeId: string): Promise<TypeTiming | undefined> {
  const res = await tx.query<{ duration_minutes: number; buffer_before_minutes: number; buffer_after_minutes: number; needs_resource: boolean }>(
    `select duration_minutes, buffer_before_minutes, buffer_after_minutes,
            exists (select 1 from appointment_type_resources r where r.tenant_id = t.tenant_id and r.type_id = t.id) as needs_resource
       from appointment_types t where tenant_id = $1 and id = $2`,
    [tx.tenantId, typeId],
  );
  const r = res.rows[0];
  return r && { durationMinutes: r.duration_minutes, bufferBeforeMinutes: r.buffer_before_minutes, bufferAfterMinutes: r.buffer_after_minutes, needsResource: r.needs_resource };
}

/**
 * A resource of the type's pool at the location that is free over [from, to), or null. Used only
 * when staff override a rule (availability then gave no placement); the exclusion constraint stays the judge.
 */
export async function freeResource(tx: TenantTx, q: { typeId: string; locationId: string; from: Date; to: Date; excludeAppointmentId?: string }): Promise<string | null> {
  const res = await tx.query<{ id: string }>(
    `select r.id from resources r
       join appointment_type_resources tr on tr.tenant_id = r.tenant_id and tr.resource_id = r.id and tr.type_id = $2
      where r.tenant_id = $1 and r.location_id = $3 and r.active
        and not exists (
          select 1 from appointments a
           where a.tenant_id = r.tenant_id and a.resource_id = r.id and a.status in ('booked', 'checked_in', 'completed')
             and a.blocked && tstzrange($4::timestamptz, $5::timestamptz, '[)') and a.id is distinct from $6::uuid)
      order by r.id limit 1`,
    [tx.tenantId, q.typeId, q.locationId, q.from.toISOString(), q.to.toISOString(), q.excludeAppointmentId ?? null],
  );
  return res.rows[0]?.id ?? null;
}
