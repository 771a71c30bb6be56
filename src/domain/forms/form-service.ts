/**
 * Form definitions: create, publish a new version, archive, read. A version is immutable once
 * published and kept forever, so every response stays readable with the definition it answered.
 */
import { AppError, notFound, validationError, type FieldError } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import { uuidv7 } from '../../db/uuid.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { canonicalJson } from '../idempotency.ts';
import { checkFormDefinition, definitionErrors } from './definition-check.ts';
import { FORM_KEY_PATTERN, type Form, type FormDefinition, type FormListQuery, type FormSummary, type FormVersion, type VersionInfo } from './form-schemas.ts';

const FORM_COLUMNS = 'id, key, title, status, current_version, created_at, updated_at, archived_at';

export interface FormRow {
  id: string;
  key: string;
  title: string;
  status: FormSummary['status'];
  current_version: number;
  created_at: Date;
  updated_at: Date;
  archived_at: Date | null;
}

interface VersionRow {
  version: number;
  definition: FormDefinition;
  created_by: string | null;
  created_at: Date;
}

const iso = (d: Date) => new Date(d).toISOString();

export function toSummary(r: FormRow): FormSummary {
  return {
    id: r.id,
    key: r.key,
    title: r.title,
    status: r.status,
    currentVersion: r.current_version,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    archivedAt: r.archived_at ? iso(r.archived_at) : null,
  };
}

const toInfo = (v: VersionRow): VersionInfo => ({ version: v.version, createdAt: iso(v.created_at), createdBy: v.created_by });

/** The form row, locked when `lock`; another practice's id is simply not found. */
export async function findForm(tx: TenantTx, id: string, lock = false): Promise<FormRow> {
  if (!isUuid(id)) throw notFound('form');
  const res = await tx.query<FormRow>(`select ${FORM_COLUMNS} from forms where tenant_id = $1 and id = $2${lock ? ' for update' : ''}`, [tx.tenantId, id]);
  if (!res.rows[0]) throw notFound('form');
  return res.rows[0];
}

/** One version's definition (the current one when `version` is undefined). */
export async function findVersion(tx: TenantTx, form: FormRow, version?: number): Promise<VersionRow> {
  const res = await tx.query<VersionRow>(
    `select version, definition, created_by, created_at from form_versions where tenant_id = $1 and form_id = $2 and version = $3`,
    [tx.tenantId, form.id, version ?? form.current_version],
  );
  if (!res.rows[0]) throw notFound('form version');
  return res.rows[0];
}

async function fullForm(tx: TenantTx, form: FormRow): Promise<Form> {
  const versions = await tx.query<VersionRow>(
    `select version, definition, created_by, created_at from form_versions where tenant_id = $1 and form_id = $2 order by version`,
    [tx.tenantId, form.id],
  );
  const current = versions.rows.find((v) => v.version === form.current_version)!;
  return { ...toSummary(form), definition: current.definition, versions: versions.rows.map(toInfo) };
}

/** A key not yet used in the practice: `base`, else `base-2`, `base-3`, … */
export async function freeKey(tx: TenantTx, base: string): Promise<string> {
  const stem = base.slice(0, 56);
  const res = await tx.query<{ key: string }>(`select key from forms where tenant_id = $1 and (key = $2 or key like $3)`, [tx.tenantId, stem, `${stem}-%`]);
  const taken = new Set(res.rows.map((r) => r.key));
  if (!taken.has(stem)) return stem;
  for (let n = 2; ; n++) if (!taken.has(`${stem}-${n}`)) return `${stem}-${n}`;
}

/** Inserts a form with its version 1 inside `tx`; the key must be free (409 `already_exists`). */
export async function createFormIn(tx: TenantTx, ctx: TenantContext, key: string, def: FormDefinition, details: Record<string, unknown> = {}): Promise<Form> {
  const exists = await tx.query('select 1 from forms where tenant_id = $1 and key = $2', [tx.tenantId, key]);
  if (exists.rowCount > 0) throw new AppError('already_exists', `A form with key "${key}" already exists`, { errors: [{ field: 'key', message: 'is already used by another form' }] });
  const id = uuidv7();
  const res = await tx.query<FormRow>(
    `insert into forms (tenant_id, id, key, title, current_version, created_by) values ($1, $2, $3, $4, 1, $5) returning ${FORM_COLUMNS}`,
    [tx.tenantId, id, key, def.title, ctx.actor.id],
  );
  await tx.query(`insert into form_versions (tenant_id, id, form_id, version, definition, created_by) values ($1, $2, $3, 1, $4, $5)`, [
    tx.tenantId,
    uuidv7(),
    id,
    JSON.stringify(def),
    ctx.actor.id,
  ]);
  await recordAudit(tx, ctx, { action: 'form.create', resourceType: 'form', resourceId: id, details: { key, version: 1, ...details } });
  return fullForm(tx, res.rows[0]!);
}

const KEY_RE = new RegExp(FORM_KEY_PATTERN);

/**
 * Creates a form from `{key, ...definition}` (checked; 400 naming every problem by JSON path).
 * @example await createForm(ctx, { key: 'intake', title: 'Intake', sections: [...] })
 */
export async function createForm(ctx: TenantContext, input: unknown): Promise<Form> {
  const { key, ...definition } = (input !== null && typeof input === 'object' && !Array.isArray(input) ? input : {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  if (typeof key !== 'string' || !KEY_RE.test(key)) errors.push({ field: 'key', message: 'is required: lower-case letters, digits and -, at most 63 characters' });
  errors.push(...definitionErrors(input !== null && typeof input === 'object' && !Array.isArray(input) ? definition : input));
  if (errors.length > 0) throw validationError(errors, 'The form definition is not valid');
  return ctx.tx((tx) => createFormIn(tx, ctx, key as string, definition as FormDefinition));
}

/**
 * Publishes `definition` as the form's next version; earlier versions stay as they were. The same
 * definition as the current one publishes nothing. `expectedVersion` (If-Match) refuses a stale edit.
 */
export async function publishVersion(ctx: TenantContext, id: string, definition: unknown, expectedVersion?: number): Promise<{ form: Form; published: boolean }> {
  const def = checkFormDefinition(definition);
  return ctx.tx(async (tx) => {
    const form = await findForm(tx, id, true);
    if (form.status === 'archived') throw new AppError('form_archived', 'Archived forms take no new versions');
    if (expectedVersion !== undefined && expectedVersion !== form.current_version) {
      throw new AppError('precondition_failed', `The form is at version ${form.current_version}, not ${expectedVersion}`);
    }
    const current = await findVersion(tx, form);
    if (canonicalJson(current.definition) === canonicalJson(def)) return { form: await fullForm(tx, form), published: false };
    const version = form.current_version + 1;
    await tx.query(`insert into form_versions (tenant_id, id, form_id, version, definition, created_by) values ($1, $2, $3, $4, $5, $6)`, [
      tx.tenantId,
      uuidv7(),
      form.id,
      version,
      JSON.stringify(def),
      ctx.actor.id,
    ]);
    const res = await tx.query<FormRow>(
      `update forms set current_version = $3, title = $4, updated_at = now() where tenant_id = $1 and id = $2 returning ${FORM_COLUMNS}`,
      [tx.tenantId, form.id, version, def.title],
    );
    await recordAudit(tx, ctx, { action: 'form.publish', resourceType: 'form', resourceId: form.id, details: { version } });
    return { form: await fullForm(tx, res.rows[0]!), published: true };
  });
}

/** Archives a form: no new versions, responses or links; existing responses stay readable. Repeating it changes nothing. */
export async function archiveForm(ctx: TenantContext, id: string): Promise<Form> {
  return ctx.tx(async (tx) => {
    const form = await findForm(tx, id, true);
    if (form.status === 'archived') return fullForm(tx, form);
    const res = await tx.query<FormRow>(
      `update forms set status = 'archived', archived_at = now(), updated_at = now() where tenant_id = $1 and id = $2 returning ${FORM_COLUMNS}`,
      [tx.tenantId, form.id],
    );
    await recordAudit(tx, ctx, { action: 'form.archive', resourceType: 'form', resourceId: form.id });
    return fullForm(tx, res.rows[0]!);
  });
}

/** A form with its current definition and the list of its versions. */
export async function getForm(ctx: TenantContext, id: string): Promise<Form> {
  return ctx.tx(async (tx) => fullForm(tx, await findForm(tx, id)));
}

/** One version of a form, exactly as published. */
export async function getFormVersion(ctx: TenantContext, id: string, version: number): Promise<FormVersion> {
  return ctx.tx(async (tx) => {
    const form = await findForm(tx, id);
    const v = await findVersion(tx, form, version);
    return { formId: form.id, key: form.key, ...toInfo(v), definition: v.definition };
  });
}

/** Forms by title (then id), cursor-paginated; active ones unless `status` says otherwise. */
export async function listForms(ctx: TenantContext, q: FormListQuery): Promise<{ items: FormSummary[]; nextCursor: string | null }> {
  const limit = q.limit ?? 50;
  const params: unknown[] = [ctx.tenant.id];
  const where = ['tenant_id = $1'];
  const status = q.status ?? 'active';
  if (status !== 'all') where.push(`status = $${params.push(status)}`);
  if (q.cursor) {
    const [title, id] = decodeCursor(q.cursor, 2) as [string, string];
    if (!isUuid(id)) throw new AppError('invalid_cursor');
    where.push(`(lower(title), id) > ($${params.push(title)}, $${params.push(id)}::uuid)`);
  }
  const res = await ctx.statement<FormRow & { sort_title: string }>(
    `select ${FORM_COLUMNS}, lower(title) as sort_title from forms where ${where.join(' and ')} order by lower(title), id limit $${params.push(limit + 1)}`,
    params,
  );
  const last = res.rows[limit - 1];
  return {
    items: res.rows.slice(0, limit).map(toSummary),
    nextCursor: res.rows.length > limit && last ? encodeCursor([last.sort_title, last.id]) : null,
  };
}
