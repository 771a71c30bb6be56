/**
 * Applies a response's mapped answers (`mapsTo`) to the patient record, inside the submitting
 * transaction, and reports what changed. Allergies are added to the list, never removed (an intake
 * form must not silently erase a known allergy); an address is replaced as a whole.
 */
import { AppError, notFound } from '../../errors/catalogue.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { phoneDigits } from '../patients/patient-validation.ts';
import type { FormDefinition } from './form-schemas.ts';
import { allergyEntries, dedupe, MAX_ALLERGIES } from './patient-targets.ts';

export interface PatientChange {
  /** `phone`, `email`, `preferredName`, `sex`, `address` or `allergies`. */
  readonly target: string;
  readonly previous: unknown;
  readonly value: unknown;
}

export interface SkippedTarget {
  readonly target: string;
  readonly reason: string;
}

export interface AppliedChanges {
  readonly applied: readonly PatientChange[];
  readonly skipped: readonly SkippedTarget[];
}

export interface PatientSnapshot {
  readonly first_name: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly preferred_name: string | null;
  readonly sex: string | null;
  readonly address: Record<string, string> | null;
  readonly allergies: string[];
  readonly status: string;
}

/** Locks the patient row for the submission; 404 when missing, 409 `patient_archived` when archived. */
export async function lockPatient(tx: TenantTx, patientId: string): Promise<PatientSnapshot> {
  const res = await tx.query<PatientSnapshot>(
    `select first_name, email, phone, preferred_name, sex, address, allergies, status from patients where tenant_id = $1 and id = $2 for update`,
    [tx.tenantId, patientId],
  );
  const row = res.rows[0];
  if (!row) throw notFound('patient');
  if (row.status === 'archived') throw new AppError('patient_archived', 'Restore the patient before recording a form response');
  return row;
}

const ADDRESS_PARTS = ['line1', 'line2', 'city', 'region', 'postalCode', 'country'] as const;
const COLUMN: Record<string, string> = { preferredName: 'preferred_name', phone: 'phone', email: 'email', sex: 'sex', address: 'address', allergies: 'allergies' };

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** What the answers would change on `current` (pure: no database). */
export function planPatientChanges(def: FormDefinition, answers: Readonly<Record<string, unknown>>, current: PatientSnapshot): AppliedChanges {
  const applied: PatientChange[] = [];
  const skipped: SkippedTarget[] = [];
  const address: Record<string, string> = {};
  const reported: string[] = [];
  const change = (target: string, previous: unknown, value: unknown) => {
    if (!same(previous, value)) applied.push({ target, previous, value });
  };
  for (const field of def.sections.flatMap((s) => s.fields)) {
    if (!field.mapsTo) continue;
    const answer = answers[field.id];
    if (answer === undefined) continue;
    switch (field.mapsTo) {
      case 'preferredName':
        change('preferredName', current.preferred_name, answer);
        break;
      case 'phone':
        change('phone', current.phone, answer);
        break;
      case 'email':
        change('email', current.email, String(answer).toLowerCase());
        break;
      case 'sex':
        change('sex', current.sex, answer);
        break;
      case 'allergies':
        reported.push(...allergyEntries(field.type, answer, new Map((field.options ?? []).map((o) => [o.value, o.label]))));
        break;
      default: {
        const part = field.mapsTo.slice('address.'.length);
        address[part] = part === 'country' ? String(answer).toUpperCase() : String(answer);
      }
    }
  }
  if (reported.length > 0) {
    const all = dedupe([...current.allergies, ...reported]);
    if (all.length > MAX_ALLERGIES) skipped.push({ target: 'allergies', reason: `the record holds at most ${MAX_ALLERGIES} allergies; ${all.length - MAX_ALLERGIES} not added` });
    change('allergies', current.allergies, all.slice(0, MAX_ALLERGIES));
  }
  if (Object.keys(address).length > 0) {
    if (address.line1 && address.city && address.country) {
      const next = Object.fromEntries(ADDRESS_PARTS.filter((p) => address[p] !== undefined).map((p) => [p, address[p]]));
      const previous = current.address ? Object.fromEntries(ADDRESS_PARTS.filter((p) => current.address![p] !== undefined).map((p) => [p, current.address![p]])) : null;
      change('address', previous, next);
    } else {
      skipped.push({ target: 'address', reason: 'line 1, city and country must all be answered to replace the address' });
    }
  }
  return { applied, skipped };
}

/**
 * Writes the planned changes to the patient (version + 1, as any edit) with a `patient.update`
 * audit event naming the fields and the response; nothing is written when nothing changed.
 */
export async function applyPatientChanges(tx: TenantTx, ctx: TenantContext, patientId: string, changes: AppliedChanges, responseId: string): Promise<void> {
  if (changes.applied.length === 0) return;
  const params: unknown[] = [tx.tenantId, patientId];
  const sets = changes.applied.map((c) => {
    params.push(c.target === 'address' ? JSON.stringify(c.value) : c.value);
    return `${COLUMN[c.target]} = $${params.length}`;
  });
  const phone = changes.applied.find((c) => c.target === 'phone');
  if (phone) {
    params.push(phoneDigits(String(phone.value)));
    sets.push(`phone_digits = $${params.length}`);
  }
  await tx.query(`update patients set ${sets.join(', ')}, version = version + 1, updated_at = now() where tenant_id = $1 and id = $2`, params);
  await recordAudit(tx, ctx, {
    action: 'patient.update',
    resourceType: 'patient',
    resourceId: patientId,
    details: { fields: changes.applied.map((c) => c.target), source: 'form_response', responseId },
  });
}
