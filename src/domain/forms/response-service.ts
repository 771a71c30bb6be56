/**
 * Form responses: submitted by staff or through a patient link, always against one stored version,
 * applying mapped answers to the patient in the same transaction. Responses are PHI: every read
 * is audited, and they are never changed once stored.
 */
import { AppError, notFound } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import { uuidv7 } from '../../db/uuid.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { requestHash, withIdempotency } from '../idempotency.ts';
import { checkAnswers } from './answer-check.ts';
import { todayIn } from './date-bounds.ts';
import type { FormDefinition } from './form-schemas.ts';
import { findForm, findVersion, type FormRow } from './form-service.ts';
import { applyPatientChanges, lockPatient, planPatientChanges, type AppliedChanges } from './patient-apply.ts';
import type { FormResponse, FormResponseWithDefinition, ResponseCreate, ResponseListQuery, ResponseSummary } from './response-schemas.ts';

const SUBMIT_SCOPE = 'form_responses.submit';

const COLUMNS = `r.id, r.form_id, f.key as form_key, v.definition->>'title' as form_title, r.version, r.patient_id, r.submitted_via,
  r.submitted_by, r.link_id, r.submitted_at, r.applied_to_patient`;
const FROM = `form_responses r
  join forms f on f.tenant_id = r.tenant_id and f.id = r.form_id
  join form_versions v on v.tenant_id = r.tenant_id and v.form_id = r.form_id and v.version = r.version`;

interface SummaryRow {
  id: string;
  form_id: string;
  form_key: string;
  form_title: string;
  version: number;
  patient_id: string;
  submitted_via: 'staff' | 'link';
  submitted_by: string | null;
  link_id: string | null;
  submitted_at: Date;
  applied_to_patient: boolean;
}

interface FullRow extends SummaryRow {
  answers: Record<string, unknown>;
  changes: AppliedChanges;
  definition: FormDefinition;
}

function toSummary(r: SummaryRow): ResponseSummary {
  return {
    id: r.id,
    formId: r.form_id,
    formKey: r.form_key,
    formTitle: r.form_title,
    version: r.version,
    patientId: r.patient_id,
    submittedVia: r.submitted_via,
    submittedBy: r.submitted_by,
    linkId: r.link_id,
    submittedAt: new Date(r.submitted_at).toISOString(),
    appliedToPatient: r.applied_to_patient,
  };
}

const toResponse = (r: FullRow): FormResponse => ({ ...toSummary(r), answers: r.answers, changes: { applied: [...r.changes.applied], skipped: [...r.changes.skipped] } });

/** The practice's local date, for relative date bounds (`today-18y`). */
async function practiceToday(tx: TenantTx, now: Date): Promise<string> {
  const res = await tx.query<{ time_zone: string }>('select time_zone from settings where tenant_id = $1', [tx.tenantId]);
  return todayIn(res.rows[0]?.time_zone ?? 'UTC', now);
}

export interface SubmitIn {
  readonly form: FormRow;
  readonly version: number;
  readonly definition: FormDefinition;
  readonly patientId: string;
  readonly answers: unknown;
  readonly via: 'staff' | 'link';
  readonly linkId?: string;
  readonly now?: Date;
}

/**
 * Stores a response inside `tx`: locks the patient (404, or 409 `patient_archived`), checks the
 * answers against the version (400 naming `answers.<id>`), applies mapped answers to the patient
 * and records what changed, with audit events for the response and the patient update.
 */
export async function submitResponseIn(tx: TenantTx, ctx: TenantContext, input: SubmitIn): Promise<FormResponse> {
  const now = input.now ?? new Date();
  const patient = await lockPatient(tx, input.patientId);
  const checked = checkAnswers(input.definition, input.answers, { today: await practiceToday(tx, now), now });
  const changes = planPatientChanges(input.definition, checked.answers, patient);
  const id = uuidv7();
  await tx.query(
    `insert into form_responses (tenant_id, id, form_id, version, patient_id, answers, submitted_via, submitted_by, link_id, submitted_at, applied_to_patient, changes)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      tx.tenantId,
      id,
      input.form.id,
      input.version,
      input.patientId,
      JSON.stringify(checked.answers),
      input.via,
      input.via === 'staff' ? ctx.actor.id : null,
      input.linkId ?? null,
      now.toISOString(),
      changes.applied.length > 0,
      JSON.stringify(changes),
    ],
  );
  await applyPatientChanges(tx, ctx, input.patientId, changes, id);
  await recordAudit(tx, ctx, {
    action: 'form_response.submit',
    resourceType: 'form_response',
    resourceId: id,
    details: {
      formId: input.form.id,
      version: input.version,
      patientId: input.patientId,
      via: input.via,
      appliedFields: changes.applied.map((c) => c.target),
      hiddenFields: checked.hidden,
    },
  });
  return (await readResponse(tx, id))!;
}

async function readResponse(tx: TenantTx, id: string): Promise<FormResponseWithDefinition | null> {
  const res = await tx.query<FullRow>(`select ${COLUMNS}, r.answers, r.changes, v.definition from ${FROM} where r.tenant_id = $1 and r.id = $2`, [tx.tenantId, id]);
  const row = res.rows[0];
  return row ? { ...toResponse(row), definition: row.definition } : null;
}

/**
 * Staff record a response for a patient (`version` defaults to the current one). With an
 * Idempotency-Key a retry returns the first response instead of storing a second.
 */
export async function submitResponse(
  ctx: TenantContext,
  patientId: string,
  input: ResponseCreate,
  options: { idempotencyKey?: string | undefined } = {},
): Promise<{ response: FormResponse; replayed: boolean }> {
  if (!isUuid(patientId)) throw notFound('patient');
  const run = async (tx: TenantTx) => {
    const form = await findForm(tx, input.formId);
    if (form.status === 'archived') throw new AppError('form_archived', 'This form is archived and takes no new responses');
    const version = await findVersion(tx, form, input.version);
    const response = await submitResponseIn(tx, ctx, { form, version: version.version, definition: version.definition, patientId, answers: input.answers, via: 'staff' });
    // The definition is not part of the submit answer; GET /api/form-responses/{id} has it.
    const { definition: _omit, ...plain } = response as FormResponseWithDefinition;
    return plain;
  };
  if (options.idempotencyKey === undefined) return { response: await ctx.tx(run), replayed: false };
  const result = await withIdempotency<FormResponse>(
    ctx,
    { scope: SUBMIT_SCOPE, key: options.idempotencyKey, requestHash: requestHash({ patientId, ...input }) },
    async (tx) => ({ statusCode: 201, body: await run(tx) }),
  );
  return { response: result.body, replayed: result.replayed };
}

/** One response with the definition of the version it was filled in (audited read). */
export async function getResponse(ctx: TenantContext, id: string): Promise<FormResponseWithDefinition> {
  if (!isUuid(id)) throw notFound('form response');
  return ctx.tx(async (tx) => {
    const response = await readResponse(tx, id);
    if (!response) throw notFound('form response');
    await recordAudit(tx, ctx, { action: 'form_response.read', resourceType: 'form_response', resourceId: id, details: { patientId: response.patientId } });
    return response;
  });
}

/** A patient's responses, newest first, cursor-paginated (audited with the ids returned). */
export async function listResponses(ctx: TenantContext, patientId: string, q: ResponseListQuery): Promise<{ items: ResponseSummary[]; nextCursor: string | null }> {
  if (!isUuid(patientId)) throw notFound('patient');
  const limit = q.limit ?? 25;
  return ctx.tx(async (tx) => {
    const exists = await tx.query('select 1 from patients where tenant_id = $1 and id = $2', [tx.tenantId, patientId]);
    if (exists.rowCount === 0) throw notFound('patient');
    const params: unknown[] = [tx.tenantId, patientId];
    const where = ['r.tenant_id = $1', 'r.patient_id = $2'];
    if (q.formId) where.push(`r.form_id = $${params.push(q.formId)}`);
    if (q.cursor) {
      const [after] = decodeCursor(q.cursor, 1) as [string];
      if (!isUuid(after)) throw new AppError('invalid_cursor');
      where.push(`r.id < $${params.push(after)}::uuid`);
    }
    const res = await tx.query<SummaryRow>(`select ${COLUMNS} from ${FROM} where ${where.join(' and ')} order by r.id desc limit $${params.push(limit + 1)}`, params);
    const items = res.rows.slice(0, limit).map(toSummary);
    await recordAudit(tx, ctx, { action: 'form_response.list', resourceType: 'patient', resourceId: patientId, details: { responseIds: items.map((r) => r.id) } });
    const last = res.rows[limit - 1];
    return { items, nextCursor: res.rows.length > limit && last ? encodeCursor([last.id]) : null };
  });
}
