/**
 * Patient links: a staff member sends a form to a patient as a single-use, expiring URL; the
 * patient opens and submits it without a login. The token (32 random bytes) is the credential and
 * is stored only as its sha256. A link is pinned to the version current when it was sent, so the
 * form the patient sees is the one their answers are checked against.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import { AppError, notFound } from '../../errors/catalogue.ts';
import { uuidv7 } from '../../db/uuid.ts';
import { tenantContext, type TenantContext } from '../../tenancy/tenant-context.ts';
import { withTenant, type TenantRef, type TenantTx } from '../../tenancy/tenant-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { queueTemplatedEmail } from '../messaging/templated-email.ts';
import { DateTime } from 'luxon';
import { findForm, findVersion } from './form-service.ts';
import type { LinkCreate, LinkCreated, PublicForm } from './response-schemas.ts';
import { submitResponseIn } from './response-service.ts';

export const DEFAULT_LINK_HOURS = 72;

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

export interface LinkDeps {
  /** Public base URL of patient-facing pages, e.g. https://app.example.com */
  readonly publicUrl: string;
  readonly now?: Date;
}

/**
 * Creates a link for `input.patientId` to the form's current version and, when asked and the
 * patient has an email address, queues the email. The URL is returned once; only its hash is kept.
 */
export async function createFormLink(ctx: TenantContext, formId: string, input: LinkCreate, deps: LinkDeps): Promise<LinkCreated> {
  const now = deps.now ?? new Date();
  return ctx.tx(async (tx) => {
    const form = await findForm(tx, formId);
    const patient = await tx.query<{ first_name: string; last_name: string; email: string | null; status: string }>(
      'select first_name, last_name, email, status from patients where tenant_id = $1 and id = $2',
      [tx.tenantId, input.patientId],
    );
    const p = patient.rows[0];
    if (!p) throw notFound('patient');
    if (form.status === 'archived') throw new AppError('form_archived', 'Archived forms cannot be sent');
    if (p.status === 'archived') throw new AppError('patient_archived', 'Restore the patient before sending a form');
    const token = randomBytes(32).toString('base64url');
    const id = uuidv7();
    const expiresAt = new Date(now.getTime() + (input.expiresInHours ?? DEFAULT_LINK_HOURS) * 3_600_000);
    await tx.query(
      `insert into form_links (tenant_id, id, form_id, version, patient_id, token_hash, expires_at, created_by, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [tx.tenantId, id, form.id, form.current_version, input.patientId, hashToken(token), expiresAt.toISOString(), ctx.actor.id, now.toISOString()],
    );
    // The patient's page in the web app (which reads /public/forms/{slug}/{token} for the form).
    const url = `${deps.publicUrl.replace(/\/$/, '')}/p/${ctx.tenant.slug}/forms/${token}`;
    let email: LinkCreated['email'] = 'not_requested';
    if (input.sendEmail) {
      email = p.email ? 'queued' : 'no_address';
      if (p.email) {
        // The practice's `intake_link` template; the expiry is shown in the practice's own zone.
        const zone = await tx.query<{ time_zone: string | null }>('select time_zone from settings where tenant_id = $1', [tx.tenantId]);
        await queueTemplatedEmail(tx, ctx.tenant, {
          kind: 'intake_link',
          to: p.email,
          messageKey: `form-link:${id}`,
          now,
          variables: {
            patient: { firstName: p.first_name, lastName: p.last_name },
            form: { title: form.title },
            link: { url, expiresAt: DateTime.fromJSDate(expiresAt, { zone: zone.rows[0]?.time_zone ?? 'America/New_York' }).toFormat("d LLL yyyy 'at' HH:mm") },
          },
        });
      }
    }
    await recordAudit(tx, ctx, {
      action: 'form_link.create',
      resourceType: 'form_link',
      resourceId: id,
      details: { formId: form.id, version: form.current_version, patientId: input.patientId, expiresAt: expiresAt.toISOString(), email },
    });
    return { id, url, expiresAt: expiresAt.toISOString(), version: form.current_version, email };
  });
}

interface LinkRow {
  id: string;
  form_id: string;
  version: number;
  patient_id: string;
  expires_at: Date;
  used_at: Date | null;
}

/**
 * The usable link behind `token`, locked: 404 unknown, 409 `form_link_used`, 410
 * `form_link_expired`, 409 `form_archived` when the practice archived the form since.
 */
async function usableLink(tx: TenantTx, token: string, now: Date) {
  const res = await tx.query<LinkRow>(
    `select id, form_id, version, patient_id, expires_at, used_at from form_links where tenant_id = $1 and token_hash = $2 for update`,
    [tx.tenantId, hashToken(token)],
  );
  const link = res.rows[0];
  if (!link) throw notFound('form link');
  if (link.used_at) throw new AppError('form_link_used', 'This form has already been submitted; ask the practice for a new link to change your answers');
  if (new Date(link.expires_at).getTime() <= now.getTime()) throw new AppError('form_link_expired', 'This link has expired; ask the practice for a new one');
  const form = await findForm(tx, link.form_id);
  if (form.status === 'archived') throw new AppError('form_archived', 'The practice no longer uses this form');
  const version = await findVersion(tx, form, link.version);
  return { link, form, version };
}

export interface PublicRequest {
  readonly requestId: string;
  readonly ip: string;
  readonly now?: Date;
}

const patientCtx = (db: Database, tenant: TenantRef, patientId: string, request: PublicRequest) =>
  tenantContext(db, { tenant, actor: { kind: 'patient', id: patientId }, requestId: request.requestId, ip: request.ip });

/** What the patient's page renders: the pinned definition, the practice's name and the patient's first name only. */
export async function viewFormLink(db: Database, tenant: TenantRef & { name: string }, token: string, request: PublicRequest): Promise<PublicForm> {
  return withTenant(db, tenant, async (tx) => {
    const { link, version } = await usableLink(tx, token, request.now ?? new Date());
    const patient = await tx.query<{ first_name: string }>('select first_name from patients where tenant_id = $1 and id = $2', [tx.tenantId, link.patient_id]);
    await recordAudit(tx, patientCtx(db, tenant, link.patient_id, request), { action: 'form_link.open', resourceType: 'form_link', resourceId: link.id });
    return {
      practice: tenant.name,
      patientFirstName: patient.rows[0]?.first_name ?? '',
      form: version.definition,
      version: version.version,
      expiresAt: new Date(link.expires_at).toISOString(),
    };
  });
}

/**
 * Submits the patient's answers through the link: checked against the pinned version, applied to
 * the patient record, and the link used up, all in one transaction (a refused submission leaves
 * the link usable, so the patient can correct their answers).
 */
export async function submitFormLink(db: Database, tenant: TenantRef, token: string, answers: unknown, request: PublicRequest): Promise<{ id: string; submittedAt: string }> {
  const now = request.now ?? new Date();
  return withTenant(db, tenant, async (tx) => {
    const { link, form, version } = await usableLink(tx, token, now);
    const ctx = patientCtx(db, tenant, link.patient_id, request);
    const response = await submitResponseIn(tx, ctx, {
      form,
      version: version.version,
      definition: version.definition,
      patientId: link.patient_id,
      answers,
      via: 'link',
      linkId: link.id,
      now,
    });
    await tx.query('update form_links set used_at = $3 where tenant_id = $1 and id = $2', [tx.tenantId, link.id, now.toISOString()]);
    return { id: response.id, submittedAt: response.submittedAt };
  });
}
