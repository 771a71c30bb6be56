/** Patient use cases. Every read and write of patient data leaves an audit event in its transaction. */
import { AppError, notFound, validationError } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import { uuidv7 } from '../../db/uuid.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { recordAudit, recordRead } from '../audit/audit-log.ts';
import { decodeCursor, encodeCursor, likePrefix } from '../cursor.ts';
import { emitEvent } from '../webhooks/webhook-events.ts';
import type { Patient, PatientCreate, PatientSearch, PatientUpdate } from './patient-schemas.ts';
import { checkPatientFields, phoneDigits } from './patient-validation.ts';

const COLUMNS = `id, mrn, first_name, last_name, preferred_name, date_of_birth::text as date_of_birth, sex, phone, email,
  address, allergies, status, version, created_at, updated_at, archived_at`;

interface Row {
  id: string;
  mrn: string;
  first_name: string;
  last_name: string;
  preferred_name: string | null;
  date_of_birth: string;
  sex: Patient['sex'];
  phone: string | null;
  email: string | null;
  address: Patient['address'];
  allergies: string[];
  status: Patient['status'];
  version: number;
  created_at: Date;
  updated_at: Date;
  archived_at: Date | null;
}

function toPatient(r: Row): Patient {
  return {
    id: r.id,
    mrn: r.mrn,
    firstName: r.first_name,
    lastName: r.last_name,
    preferredName: r.preferred_name,
    dateOfBirth: r.date_of_birth,
    sex: r.sex,
    phone: r.phone,
    email: r.email,
    address: r.address,
    allergies: r.allergies,
    status: r.status,
    version: r.version,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
    archivedAt: r.archived_at ? new Date(r.archived_at).toISOString() : null,
  };
}

/**
 * Registers a patient with the practice's next medical record number. The counter row is locked
 * by the upsert, so concurrent registrations get distinct, consecutive numbers.
 */
export async function createPatient(ctx: TenantContext, input: PatientCreate): Promise<Patient> {
  checkPatientFields(input);
  return ctx.tx(async (tx) => {
    const res = await tx.query<Row>(
      `with seq as (
         insert into counters (tenant_id, name, value) values ($1, 'mrn', 1)
         on conflict (tenant_id, name) do update set value = counters.value + 1
         returning value)
       insert into patients (tenant_id, id, mrn, first_name, last_name, preferred_name, date_of_birth, sex, phone, phone_digits, email, address, allergies)
       select $1, $2, coalesce((select mrn_prefix from settings where tenant_id = $1), 'MRN-') || lpad(seq.value::text, 6, '0'),
              $3, $4, $5, $6, $7, $8, $9, $10, $11, $12
         from seq
       returning ${COLUMNS}`,
      [
        tx.tenantId,
        uuidv7(),
        input.firstName.trim(),
        input.lastName.trim(),
        input.preferredName?.trim() || null,
        input.dateOfBirth,
        input.sex ?? null,
        input.phone ?? null,
        input.phone ? phoneDigits(input.phone) : null,
        input.email?.toLowerCase() ?? null,
        input.address ? JSON.stringify(input.address) : null,
        (input.allergies ?? []).map((a) => a.trim()),
      ],
    );
    const patient = toPatient(res.rows[0]!);
    await recordAudit(tx, ctx, { action: 'patient.create', resourceType: 'patient', resourceId: patient.id, details: { mrn: patient.mrn } });
    await emitEvent(tx, 'patient.created', { id: patient.id, createdAt: patient.createdAt });
    return patient;
  });
}

/**
 * Reads one patient (audited); another practice's id is simply not found. The read is a single
 * read-only statement (one round trip); its audit event is group-committed with other requests'
 * and is durable before the patient is returned.
 */
export async function getPatient(ctx: TenantContext, id: string): Promise<Patient> {
  if (!isUuid(id)) throw notFound('patient');
  const res = await ctx.statement<Row>(`select ${COLUMNS} from patients where tenant_id = $1 and id = $2`, [ctx.tenant.id, id]);
  const row = res.rows[0];
  if (!row) throw notFound('patient');
  await recordRead(ctx, { action: 'patient.read', resourceType: 'patient', resourceId: row.id });
  return toPatient(row);
}

const UPDATE_COLUMNS: Record<keyof PatientUpdate, string> = {
  firstName: 'first_name',
  lastName: 'last_name',
  preferredName: 'preferred_name',
  dateOfBirth: 'date_of_birth',
  sex: 'sex',
  phone: 'phone',
  email: 'email',
  address: 'address',
  allergies: 'allergies',
};

/**
 * Changes the fields sent. With `expectedVersion` (from If-Match) a concurrent edit is refused
 * with `precondition_failed` instead of being silently overwritten.
 */
export async function updatePatient(ctx: TenantContext, id: string, patch: PatientUpdate, expectedVersion?: number): Promise<Patient> {
  if (!isUuid(id)) throw notFound('patient');
  checkPatientFields(patch);
  const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as [keyof PatientUpdate, unknown][];
  if (entries.length === 0) throw validationError([{ field: '(body)', message: 'must change at least one field' }]);
  return ctx.tx(async (tx) => {
    const current = await tx.query<{ status: string; version: number }>(
      'select status, version from patients where tenant_id = $1 and id = $2 for update',
      [tx.tenantId, id],
    );
    const row = current.rows[0];
    if (!row) throw notFound('patient');
    if (row.status === 'archived') throw new AppError('patient_archived', 'Restore the patient before editing');
    if (expectedVersion !== undefined && row.version !== expectedVersion) {
      throw new AppError('precondition_failed', `The patient is at version ${row.version}, not ${expectedVersion}`);
    }
    const params: unknown[] = [tx.tenantId, id];
    const sets = entries.map(([key, value]) => {
      let v = value;
      if (typeof v === 'string' && (key === 'firstName' || key === 'lastName' || key === 'preferredName')) v = v.trim();
      if (key === 'email' && typeof v === 'string') v = v.toLowerCase();
      if (key === 'address' && v !== null) v = JSON.stringify(v);
      params.push(v);
      return `${UPDATE_COLUMNS[key]} = $${params.length}`;
    });
    if (patch.phone !== undefined) {
      params.push(patch.phone === null ? null : phoneDigits(patch.phone));
      sets.push(`phone_digits = $${params.length}`);
    }
    const res = await tx.query<Row>(
      `update patients set ${sets.join(', ')}, version = version + 1, updated_at = now()
        where tenant_id = $1 and id = $2 returning ${COLUMNS}`,
      params,
    );
    await recordAudit(tx, ctx, {
      action: 'patient.update',
      resourceType: 'patient',
      resourceId: id,
      details: { fields: entries.map(([k]) => k) },
    });
    return toPatient(res.rows[0]!);
  });
}

/** Archives (status `archived`) or restores a patient; records are never hard-deleted here. */
export async function setPatientArchived(ctx: TenantContext, id: string, archived: boolean): Promise<Patient> {
  if (!isUuid(id)) throw notFound('patient');
  return ctx.tx(async (tx) => {
    const res = await tx.query<Row>(
      `update patients set status = $3, archived_at = case when $3 = 'archived' then now() else null end,
              version = version + 1, updated_at = now()
        where tenant_id = $1 and id = $2 returning ${COLUMNS}`,
      [tx.tenantId, id, archived ? 'archived' : 'active'],
    );
    if (!res.rows[0]) throw notFound('patient');
    await recordAudit(tx, ctx, { action: archived ? 'patient.archive' : 'patient.restore', resourceType: 'patient', resourceId: id });
    return toPatient(res.rows[0]);
  });
}

/**
 * Searches by name prefixes, MRN, date of birth and phone, ordered by last name, first name, id,
 * with a keyset cursor (stable under inserts). The ids returned are written to the audit trail.
 */
export async function searchPatients(ctx: TenantContext, q: PatientSearch): Promise<{ items: Patient[]; nextCursor: string | null }> {
  const limit = q.limit ?? 25;
  const errors = [];
  const digits = q.phone !== undefined ? phoneDigits(q.phone) : undefined;
  if (digits !== undefined && digits.length < 4) errors.push({ field: 'phone', message: 'must contain at least 4 digits' });
  if (errors.length) throw validationError(errors);
  const params: unknown[] = [ctx.tenant.id];
  const where = ['tenant_id = $1'];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const status = q.status ?? 'active';
  if (status !== 'all') where.push(`status = ${p(status)}`);
  for (const token of (q.q ?? '').toLowerCase().split(/[\s,]+/).filter(Boolean)) {
    const like = p(likePrefix(token));
    where.push(`(lower(last_name) like ${like} or lower(first_name) like ${like} or lower(preferred_name) like ${like} or lower(mrn) = ${p(token)})`);
  }
  if (q.dateOfBirth) where.push(`date_of_birth = ${p(q.dateOfBirth)}`);
  if (digits) where.push(`reverse(phone_digits) like ${p(likePrefix([...digits].reverse().join('')))}`);
  if (q.cursor) {
    const [last, first, id] = decodeCursor(q.cursor, 3) as [string, string, string];
    if (!isUuid(id)) throw new AppError('invalid_cursor');
    where.push(`(lower(last_name), lower(first_name), id) > (${p(last)}, ${p(first)}, ${p(id)}::uuid)`);
  }
  const res = await ctx.statement<Row & { sort_last: string; sort_first: string }>(
    `select ${COLUMNS}, lower(last_name) as sort_last, lower(first_name) as sort_first from patients where ${where.join(' and ')}
      order by lower(last_name), lower(first_name), id limit ${p(limit + 1)}`,
    params,
  );
  const page = res.rows.slice(0, limit).map(toPatient);
  // Read-only, so one statement; the search's audit event is group-committed before it answers.
  await recordRead(ctx, {
    action: 'patient.search',
    resourceType: 'patient',
    details: { filters: Object.keys(q).filter((k) => k !== 'limit' && k !== 'cursor'), patientIds: page.map((x) => x.id) },
  });
  // The cursor carries the database's own lower-casing, so keyset comparison matches exactly.
  const last = res.rows[limit - 1];
  return {
    items: page,
    nextCursor: res.rows.length > limit && last ? encodeCursor([last.sort_last, last.sort_first, last.id]) : null,
  };
}
