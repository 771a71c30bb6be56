/**
 * The workflow API's use cases: where an instance stands (with what this user may do next), its
 * history, and taking a transition. A transition that changes the entity's status is carried out by
 * the real domain operation (check-in, cancellation with its rules, issue, void), which moves the
 * workflow itself; one that keeps the status only moves the workflow.
 */
import { AppError, notFound, validationError } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { issueIn, voidIn } from '../billing/invoice-service.ts';
import { advanceIn, cancelIn, type AppointmentStep } from '../scheduling/appointment-service.ts';
import { advance, evaluator, locate, stateOf, type Position } from './engine.ts';
import { findEntity, type EntityRef } from './entity-views.ts';
import { listHistory, type HistoryEntry } from './instance-repo.ts';
import { KIND_SPECS, type WorkflowKind } from './kinds.ts';
import type { WorkflowChoice } from './lifecycle.ts';
import type { InstanceView, TransitionInput } from './workflow-schemas.ts';

function requirePermission(ctx: TenantContext, permission: string): void {
  if (!ctx.permissions.has(permission)) throw new AppError('permission_denied', `This action needs the "${permission}" permission`);
}

async function requireEntity(tx: TenantTx, kind: WorkflowKind, id: string, lock: boolean): Promise<EntityRef> {
  const entity = isUuid(id) ? await findEntity(tx, kind, id, lock) : undefined;
  if (!entity) throw notFound(KIND_SPECS[kind].noun);
  return entity;
}

async function describe(tx: TenantTx, ctx: TenantContext, kind: WorkflowKind, entity: EntityRef, position: Position): Promise<InstanceView> {
  const { runtime, effective, state } = position;
  const def = effective.definition;
  const mayWrite = ctx.permissions.has(KIND_SPECS[kind].write);
  const check = evaluator(tx, ctx, kind, entity.id, runtime.instance?.data ?? {});
  const transitions: InstanceView['transitions'] = [];
  for (const t of def.transitions) {
    if (t.system === true || !t.from.includes(state.key)) continue;
    const blockedBy = mayWrite ? await check(t, true) : 'permission';
    transitions.push({ key: t.key, label: t.label, to: t.to, toLabel: stateOf(def, t.to).label, available: blockedBy === null, blockedBy });
  }
  return {
    kind,
    entityId: entity.id,
    instanceId: runtime.instance?.id ?? null,
    state: { key: state.key, label: state.label, systemStatus: state.systemStatus ?? null, final: state.final === true },
    entityStatus: entity.status,
    version: runtime.instance?.version ?? runtime.latest.version,
    versionInForce: runtime.latest.version,
    data: runtime.instance?.data ?? {},
    startedAt: runtime.instance?.createdAt ?? null,
    updatedAt: runtime.instance?.updatedAt ?? null,
    transitions,
  };
}

/** The instance of an entity: state, data and the transitions open to this user (audited read). */
export async function getInstance(ctx: TenantContext, kind: WorkflowKind, entityId: string): Promise<InstanceView> {
  requirePermission(ctx, KIND_SPECS[kind].read);
  return ctx.tx(async (tx) => {
    const entity = await requireEntity(tx, kind, entityId, false);
    const view = await describe(tx, ctx, kind, entity, await locate(tx, kind, entity.id, entity.status));
    await recordAudit(tx, ctx, { action: 'workflow.read', resourceType: kind, resourceId: entity.id });
    return view;
  });
}

/** Every transition the instance took, oldest first (audited read). */
export async function getHistory(ctx: TenantContext, kind: WorkflowKind, entityId: string): Promise<{ items: HistoryEntry[] }> {
  requirePermission(ctx, KIND_SPECS[kind].read);
  return ctx.tx(async (tx) => {
    const entity = await requireEntity(tx, kind, entityId, false);
    const items = await listHistory(tx, kind, entity.id);
    await recordAudit(tx, ctx, { action: 'workflow.history', resourceType: kind, resourceId: entity.id });
    return { items };
  });
}

const APPOINTMENT_STEPS: Readonly<Record<string, AppointmentStep>> = { checked_in: 'check_in', completed: 'complete', no_show: 'no_show' };

/** Carries out the status change `from → to` by the domain operation that makes it; it moves the workflow along `choice`. */
async function performCore(tx: TenantTx, ctx: TenantContext, kind: WorkflowKind, entityId: string, to: string, choice: WorkflowChoice): Promise<void> {
  if (kind === 'appointment') {
    if (to === 'cancelled') return void (await cancelIn(tx, ctx, entityId, { ...(choice.note ? { reason: choice.note } : {}) }, choice));
    const step = APPOINTMENT_STEPS[to];
    if (step) return void (await advanceIn(tx, ctx, entityId, step, choice));
  }
  if (kind === 'invoice') {
    if (to === 'issued') return void (await issueIn(tx, ctx, entityId, choice));
    if (to === 'void') {
      if (!choice.note?.trim()) throw validationError([{ field: 'note', message: 'is required: it is the reason the invoice is void' }]);
      return void (await voidIn(tx, ctx, entityId, { reason: choice.note }, choice));
    }
  }
  // Payment-driven statuses: validation keeps them on system transitions, which the API never takes.
  throw new AppError('invalid_transition', `Only the core moves ${KIND_SPECS[kind].noun}s to "${to}"`);
}

/**
 * Takes `input.transition` for the entity. Needs the kind's write permission, and the transition's
 * own permission and guard; the domain operation's rules (e.g. the cancellation window) still apply.
 */
export async function takeTransition(ctx: TenantContext, kind: WorkflowKind, entityId: string, input: TransitionInput): Promise<InstanceView> {
  requirePermission(ctx, KIND_SPECS[kind].write);
  return ctx.tx(async (tx) => {
    // The entity's row lock first, as the core operations take it: no lock-order inversion.
    const entity = await requireEntity(tx, kind, entityId, true);
    const position = await locate(tx, kind, entity.id, entity.status);
    const def = position.effective.definition;
    const t = def.transitions.find((x) => x.key === input.transition && x.system !== true && x.from.includes(position.state.key));
    if (!t) throw new AppError('invalid_transition', `No transition "${input.transition}" can be taken from "${position.state.label}"`);
    const targetStatus = stateOf(def, t.to).systemStatus ?? null;
    const choice: WorkflowChoice = { transition: t.key, note: input.note ?? null };
    if (targetStatus !== entity.status) {
      await performCore(tx, ctx, kind, entity.id, targetStatus!, choice);
    } else {
      await advance(tx, ctx, { kind, entityId: entity.id, from: entity.status, to: entity.status, mode: 'user', transition: t.key, note: input.note ?? null, verb: t.label });
    }
    await recordAudit(tx, ctx, { action: 'workflow.transition', resourceType: kind, resourceId: entity.id, details: { transition: t.key, from: position.state.key, to: t.to } });
    const after = await requireEntity(tx, kind, entity.id, false);
    return describe(tx, ctx, kind, after, await locate(tx, kind, after.id, after.status));
  });
}
