/**
 * Who is booking online: the practice's active patient with the same email address, date of birth
 * and first name (case-insensitive), else a new patient from the details given. The answer is the
 * same either way, so the page never tells a visitor whether someone is a patient. An existing
 * record is never changed from an unauthenticated form; staff update it at the visit.
 */
import { uuidv7 } from '../../db/uuid.ts';
import { AppError, validationError } from '../../errors/catalogue.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { checkPatientFields, phoneDigits } from '../patients/patient-validation.ts';
import type { OnlinePatient } from './booking-schemas.ts';

/** Throws `validation_failed` naming `patient.<field>` for implausible details. */
export function checkOnlinePatient(p: OnlinePatient): void {
  try {
    checkPatientFields(p);
  } catch (err) {
    if (err instanceof AppError && Array.isArray(err.extra?.errors)) {
      throw validationError((err.extra.errors as { field: string; message: string }[]).map((e) => ({ field: `patient.${e.field}`, message: e.message })));
    }
    throw err;
  }
}

/**
 * The matching patient's id, or a new patient's (with the practice's next record number). Holds a
 * transaction lock on the (email, date of birth) pair so two bookings with the same details at once
 * make one patient, not two.
 */
export async function findOrCreatePatient(tx: TenantTx, p: OnlinePatient): Promise<{ id: string; created: boolean }> {
  const email = p.email.trim().toLowerCase();
  await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`online-patient:${tx.tenantId}:${email}:${p.dateOfBirth}`]);
  const found = await tx.query<{ id: string }>(
    `select id from patients
      where tenant_id = $1 and status = 'active' and lower(email) = $2 and date_of_birth = $3::date and lower(trim(first_name)) = $4
      order by created_at, id limit 1`,
    [tx.tenantId, email, p.dateOfBirth, p.firstName.trim().toLowerCase()],
  );
  if (found.rows[0]) return { id: found.rows[0].id, created: false };
  const id = uuidv7();
  await tx.query(
    `with seq as (
       insert into counters (tenant_id, name, value) values ($1, 'mrn', 1)
       on conflict (tenant_id, name) do update set value = counters.value + 1
       returning value)
     insert into patients (tenant_id, id, mrn, first_name, last_name, date_of_birth, phone, phone_digits, email)
     select $1, $2, coalesce((select mrn_prefix from settings where tenant_id = $1), 'MRN-') || lpad(seq.value::text, 6, '0'),
            $3, $4, $5, $6, $7, $8
       from seq`,
    [tx.tenantId, id, p.firstName.trim(), p.lastName.trim(), p.dateOfBirth, p.phone ?? null, p.phone ? phoneDigits(p.phone) : null, email],
  );
  return { id, created: true };
}
