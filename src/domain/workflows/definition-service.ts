/**
 * Managing a practice's workflow definitions: read the one in force and its history, check one
 * (dry run), save one as a new version, or go back to the built-in default (also a new version).
 * Saved versions never change, so an instance can always be read against the version it is on.
 */
import { validationError, type FieldError } from '../../errors/catalogue.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { MESSAGES_FOR } from './actions.ts';
import { defaultDefinition } from './defaults.ts';
import { definitionInForce, definitionVersions, insertDefinition, versionsInForce, type DefinitionVersion } from './definition-repo.ts';
import type { WorkflowDefinition } from './definition-schema.ts';
import { validateDefinition, type ValidationContext } from './definition-validation.ts';
import { WORKFLOW_KINDS, type WorkflowKind } from './kinds.ts';
import type { WorkflowVersion } from './workflow-schemas.ts';

const view = (kind: WorkflowKind, v: DefinitionVersion): WorkflowVersion => ({
  kind,
  version: v.version,
  isDefault: v.isDefault,
  createdBy: v.createdBy,
  createdAt: v.createdAt,
  definition: v.definition,
});

async function validationContext(tx: TenantTx, kind: WorkflowKind): Promise<ValidationContext> {
  const roles = await tx.query<{ key: string }>('select key from roles where tenant_id = $1', [tx.tenantId]);
  return { roleKeys: new Set(roles.rows.map((r) => r.key)), messageKinds: new Set(MESSAGES_FOR[kind]) };
}

/** Each kind with the version in force and whether it is the built-in default. */
export async function listWorkflows(ctx: TenantContext): Promise<{ items: { kind: WorkflowKind; version: number; isDefault: boolean; updatedAt: string | null }[] }> {
  const inForce = await ctx.tx((tx) => versionsInForce(tx));
  return {
    items: WORKFLOW_KINDS.map((kind) => {
      const v = inForce.get(kind);
      return { kind, version: v?.version ?? 0, isDefault: v?.isDefault ?? true, updatedAt: v?.createdAt ?? null };
    }),
  };
}

export async function getWorkflow(ctx: TenantContext, kind: WorkflowKind): Promise<WorkflowVersion> {
  return view(kind, await ctx.tx((tx) => definitionInForce(tx, kind)));
}

/** Every version, newest first, ending with the built-in version 0. */
export async function listWorkflowVersions(ctx: TenantContext, kind: WorkflowKind): Promise<{ items: WorkflowVersion[] }> {
  return { items: (await ctx.tx((tx) => definitionVersions(tx, kind))).map((v) => view(kind, v)) };
}

/** The problems of `definition` (dry run: nothing is saved). */
export async function checkWorkflow(ctx: TenantContext, kind: WorkflowKind, definition: unknown): Promise<{ valid: boolean; problems: FieldError[] }> {
  const problems = await ctx.tx(async (tx) => validateDefinition(kind, definition, await validationContext(tx, kind)));
  return { valid: problems.length === 0, problems };
}

/** Saves `definition` as the next version, in force from now; 400 naming each problem otherwise. */
export async function saveWorkflow(ctx: TenantContext, kind: WorkflowKind, body: unknown): Promise<WorkflowVersion> {
  return ctx.tx(async (tx) => {
    const problems = validateDefinition(kind, body, await validationContext(tx, kind));
    if (problems.length > 0) throw validationError(problems, 'The workflow definition is not valid');
    const saved = await insertDefinition(tx, kind, body as WorkflowDefinition, { isDefault: false, createdBy: ctx.actor.kind === 'user' ? ctx.actor.id : null });
    await recordAudit(tx, ctx, { action: 'workflow.define', resourceType: 'workflow', resourceId: null, details: { kind, version: saved.version } });
    return view(kind, saved);
  });
}

/**
 * Puts the built-in default back in force as a new version (instances move to it at their next
 * transition, like after any save). When the default is already in force nothing is saved.
 */
export async function resetWorkflow(ctx: TenantContext, kind: WorkflowKind): Promise<WorkflowVersion> {
  return ctx.tx(async (tx) => {
    const current = await definitionInForce(tx, kind);
    if (current.isDefault) return view(kind, current);
    const saved = await insertDefinition(tx, kind, defaultDefinition(kind), { isDefault: true, createdBy: ctx.actor.kind === 'user' ? ctx.actor.id : null });
    await recordAudit(tx, ctx, { action: 'workflow.reset', resourceType: 'workflow', resourceId: null, details: { kind, version: saved.version } });
    return view(kind, saved);
  });
}
