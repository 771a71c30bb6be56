/**
 * The workflow engine: where an instance stands, which transition a request takes (permission and
 * guard evaluated), and taking it — new state, history, actions — in the caller's transaction. It
 * never changes an entity: the core services call it around their own status changes.
 */
import { AppError } from '../../errors/catalogue.ts';
import { uuidv7 } from '../../db/uuid.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { runActions } from './actions.ts';
import type { WorkflowDefinition, WorkflowState, WorkflowTransition } from './definition-schema.ts';
import { entityView } from './entity-views.ts';
import { guardHolds } from './guards.ts';
import { insertHistory, loadRuntime, saveInstance, type InstanceData, type Pinned, type Runtime } from './instance-repo.ts';
import type { WorkflowKind } from './kinds.ts';

/** Where an entity's instance stands now. */
export interface Position {
  readonly runtime: Runtime;
  /**
   * The definition its next transition is looked up in: the latest version when that still has the
   * instance's state (the instance migrates there by taking the transition), else its own.
   */
  readonly effective: Pinned;
  readonly state: WorkflowState;
}

/** The state standing for `status`: the initial one when it does, else the first with that status. */
function stateFor(def: WorkflowDefinition, status: string | null): WorkflowState {
  const initial = def.states.find((s) => s.key === def.initial)!;
  if (status === null || initial.systemStatus === status) return initial;
  return def.states.find((s) => s.systemStatus === status) ?? initial;
}

/**
 * Locates the instance of an entity whose status is `status`. An entity without an instance yet
 * (created before workflows, or an invoice or intake before its first transition) stands in the
 * state of the version in force that matches its status; so does one whose state no longer matches
 * its status (the status is the truth the core acts on).
 */
export async function locate(tx: TenantTx, kind: WorkflowKind, entityId: string, status: string | null): Promise<Position> {
  const runtime = await loadRuntime(tx, kind, entityId);
  const { instance, own, latest } = runtime;
  if (!instance) return { runtime, effective: latest, state: stateFor(latest.definition, status) };
  const inLatest = latest.definition.states.find((s) => s.key === instance.state);
  const effective = inLatest ? latest : own;
  const state = inLatest ?? own.definition.states.find((s) => s.key === instance.state);
  if (state && (status === null || state.systemStatus === status)) return { runtime, effective, state };
  return { runtime, effective: latest, state: stateFor(latest.definition, status) };
}

export const stateOf = (def: WorkflowDefinition, key: string): WorkflowState => def.states.find((s) => s.key === key)!;

/** Why a transition cannot be taken by this actor now (null when it can). */
export type Blocked = 'permission' | 'guard' | null;

/** Evaluates permission and guard of `t`; the view is loaded once, and only if a guard needs it. */
export function evaluator(tx: TenantTx, ctx: TenantContext, kind: WorkflowKind, entityId: string, data: InstanceData) {
  let view: Record<string, unknown> | undefined;
  return async (t: WorkflowTransition, checkPermission: boolean): Promise<Blocked> => {
    if (checkPermission && t.permission !== undefined && !ctx.permissions.has(t.permission)) return 'permission';
    if (t.guard === undefined) return null;
    view ??= { ...(await entityView(tx, kind, entityId)), data };
    return guardHolds(t.guard, view) ? null : 'guard';
  };
}

export interface AdvanceRequest {
  readonly kind: WorkflowKind;
  readonly entityId: string;
  /** The entity's status before and after the core's change (equal when only the workflow moves; null for intake). */
  readonly from: string | null;
  readonly to: string | null;
  /**
   * `user`: a person asked (a transition must exist; permission and guard must pass). `system`: the
   * core already decided (a payment, a series cancellation); the workflow follows, taking the first
   * matching transition whose guard holds, or moving to a state of the new status without one.
   */
  readonly mode: 'user' | 'system';
  /** The transition chosen through the workflow API; otherwise the engine picks one. */
  readonly transition?: string | undefined;
  readonly note?: string | null | undefined;
  /** What caused a system move, e.g. `{type: 'payment', id}`. */
  readonly cause?: Record<string, string> | undefined;
  /** For messages: "check in", "cancel", … */
  readonly verb: string;
}

export interface Advanced {
  readonly instanceId: string;
  readonly historyId: string;
  readonly transition: WorkflowTransition | null;
  readonly from: WorkflowState;
  readonly to: WorkflowState;
  readonly version: number;
}

function pick(req: AdvanceRequest, def: WorkflowDefinition, state: WorkflowState): WorkflowTransition[] {
  if (req.transition === undefined) {
    return def.transitions.filter((t) => t.from.includes(state.key) && (req.to === null || stateOf(def, t.to).systemStatus === req.to));
  }
  const t = def.transitions.find((x) => x.key === req.transition);
  if (!t || t.system === true || !t.from.includes(state.key) || (req.to !== null && stateOf(def, t.to).systemStatus !== req.to)) {
    throw new AppError('invalid_transition', `No transition "${req.transition}" can be taken from "${state.label}"`);
  }
  return [t];
}

/** Chooses and takes the transition `req` asks for, or throws why it cannot be taken. */
export async function advance(tx: TenantTx, ctx: TenantContext, req: AdvanceRequest): Promise<Advanced> {
  const position = await locate(tx, req.kind, req.entityId, req.from);
  const { effective, state } = position;
  const data = position.runtime.instance?.data ?? {};
  const candidates = pick(req, effective.definition, state);
  const check = evaluator(tx, ctx, req.kind, req.entityId, data);
  let chosen: WorkflowTransition | undefined;
  let firstGuard: WorkflowTransition | undefined;
  let firstPermission: WorkflowTransition | undefined;
  for (const t of candidates) {
    const blocked = await check(t, req.mode === 'user');
    if (blocked === null) {
      chosen = t;
      break;
    }
    if (blocked === 'guard') firstGuard ??= t;
    else firstPermission ??= t;
  }
  if (!chosen && req.mode === 'user') {
    if (firstGuard) throw new AppError('transition_guard_failed', `"${firstGuard.label}" is not possible now: its condition does not hold`);
    if (firstPermission) throw new AppError('permission_denied', `"${firstPermission.label}" needs the "${firstPermission.permission}" permission`);
    throw new AppError('invalid_transition', `The practice's workflow has no way to ${req.verb} from "${state.label}"`);
  }
  const target = chosen ? stateOf(effective.definition, chosen.to) : stateFor(effective.definition, req.to);
  return take(tx, ctx, position, chosen ?? null, target, req);
}

/** Moves the instance along `transition` (null: a system move with no matching transition) and records it. */
async function take(tx: TenantTx, ctx: TenantContext, position: Position, transition: WorkflowTransition | null, target: WorkflowState, req: AdvanceRequest): Promise<Advanced> {
  const { runtime, effective, state } = position;
  const data: InstanceData = { ...(runtime.instance?.data ?? {}) };
  const actions = transition?.actions ?? [];
  // set_field first: the instance is written once, with its new data.
  for (const a of actions) if (a.type === 'set_field') data[a.field] = a.value;
  const instanceId = await saveInstance(tx, req.kind, req.entityId, runtime.instance, { state: target.key, version: effective.version, data });
  const historyId = uuidv7();
  const outcomes = await runActions(tx, ctx, actions, {
    kind: req.kind,
    entityId: req.entityId,
    instanceId,
    historyId,
    transition: transition?.key ?? null,
    from: state.key,
    to: target.key,
    version: effective.version,
  });
  await insertHistory(tx, {
    id: historyId,
    instanceId,
    transition: transition?.key ?? null,
    from: state.key,
    to: target.key,
    version: effective.version,
    actor: { kind: ctx.actor.kind, id: ctx.actor.id },
    note: req.note ?? null,
    cause: req.cause ?? null,
    actions: outcomes,
  });
  return { instanceId, historyId, transition, from: state, to: target, version: effective.version };
}
