/** Workflow instances and their history, in SQL. */
import { uuidv7 } from '../../db/uuid.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { defaultDefinition } from './defaults.ts';
import type { WorkflowDefinition } from './definition-schema.ts';
import type { WorkflowKind } from './kinds.ts';

export type InstanceData = Record<string, string | number | boolean | null>;

export interface StoredInstance {
  readonly id: string;
  readonly state: string;
  readonly version: number;
  readonly data: InstanceData;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Pinned {
  readonly version: number;
  readonly definition: WorkflowDefinition;
}

/** An entity's instance (null before its first transition) with its own and the latest definition. */
export interface Runtime {
  readonly instance: StoredInstance | null;
  /** The version the instance is on (the latest when there is no instance yet). */
  readonly own: Pinned;
  readonly latest: Pinned;
}

interface RuntimeRow {
  id: string | null;
  state: string | null;
  version: number | null;
  data: InstanceData | null;
  created_at: Date | null;
  updated_at: Date | null;
  latest_version: number | null;
  latest_definition: WorkflowDefinition | null;
  own_definition: WorkflowDefinition | null;
}

/** Loads instance and definitions in one statement. */
export async function loadRuntime(tx: TenantTx, kind: WorkflowKind, entityId: string): Promise<Runtime> {
  const res = await tx.query<RuntimeRow>(
    `select i.id, i.state, i.version, i.data, i.created_at, i.updated_at,
            l.version as latest_version, l.definition as latest_definition, o.definition as own_definition
       from (select 1) one
       left join workflow_instances i on i.tenant_id = $1 and i.kind = $2 and i.entity_id = $3
       left join lateral (select version, definition from workflow_definitions where tenant_id = $1 and kind = $2 order by version desc limit 1) l on true
       left join workflow_definitions o on o.tenant_id = $1 and o.kind = $2 and o.version = i.version and i.version is distinct from l.version`,
    [tx.tenantId, kind, entityId],
  );
  const r = res.rows[0]!;
  const latest: Pinned = r.latest_version === null ? { version: 0, definition: defaultDefinition(kind) } : { version: r.latest_version, definition: r.latest_definition! };
  if (r.id === null) return { instance: null, own: latest, latest };
  const instance: StoredInstance = {
    id: r.id,
    state: r.state!,
    version: r.version!,
    data: r.data ?? {},
    createdAt: new Date(r.created_at!).toISOString(),
    updatedAt: new Date(r.updated_at!).toISOString(),
  };
  const own: Pinned =
    r.version === latest.version ? latest : r.version === 0 || r.own_definition === null ? { version: 0, definition: defaultDefinition(kind) } : { version: r.version!, definition: r.own_definition };
  return { instance, own, latest };
}

/**
 * Starts the instance of a new entity in the initial state of the version in force, in one
 * statement (it sits on the booking path). `defaultInitial` is the built-in definition's.
 */
export async function startInstance(tx: TenantTx, kind: WorkflowKind, entityId: string, defaultInitial: string): Promise<void> {
  await tx.query(
    `insert into workflow_instances (tenant_id, id, kind, entity_id, version, state)
     select $1, $2, $3, $4, coalesce(l.version, 0), coalesce(l.definition->>'initial', $5)
       from (select 1) one
       left join lateral (select version, definition from workflow_definitions where tenant_id = $1 and kind = $3 order by version desc limit 1) l on true`,
    [tx.tenantId, uuidv7(), kind, entityId, defaultInitial],
  );
}

/** Writes the instance's new state (inserting it at its first transition); returns its id. */
export async function saveInstance(
  tx: TenantTx,
  kind: WorkflowKind,
  entityId: string,
  existing: StoredInstance | null,
  next: { state: string; version: number; data: InstanceData },
): Promise<string> {
  if (existing) {
    await tx.query(`update workflow_instances set state = $3, version = $4, data = $5, updated_at = now() where tenant_id = $1 and id = $2`, [
      tx.tenantId, existing.id, next.state, next.version, JSON.stringify(next.data),
    ]);
    return existing.id;
  }
  const id = uuidv7();
  await tx.query(
    `insert into workflow_instances (tenant_id, id, kind, entity_id, version, state, data) values ($1, $2, $3, $4, $5, $6, $7)`,
    [tx.tenantId, id, kind, entityId, next.version, next.state, JSON.stringify(next.data)],
  );
  return id;
}

export interface HistoryEntry {
  readonly id: string;
  readonly transition: string | null;
  readonly from: string;
  readonly to: string;
  readonly version: number;
  readonly actor: { readonly kind: string; readonly id: string | null };
  readonly note: string | null;
  readonly cause: Record<string, unknown> | null;
  readonly actions: Record<string, unknown>[];
  readonly at: string;
}

export async function insertHistory(
  tx: TenantTx,
  entry: { id: string; instanceId: string; transition: string | null; from: string; to: string; version: number; actor: { kind: string; id: string | null }; note: string | null; cause: Record<string, unknown> | null; actions: readonly Record<string, unknown>[] },
): Promise<void> {
  // An append-only log nobody reads back here, like the audit: queued with the next statement.
  await tx.queueWrite(
    `insert into workflow_history (tenant_id, id, instance_id, transition, from_state, to_state, version, actor_type, actor_id, note, cause, actions)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      tx.tenantId, entry.id, entry.instanceId, entry.transition, entry.from, entry.to, entry.version, entry.actor.kind, entry.actor.id, entry.note,
      entry.cause === null ? null : JSON.stringify(entry.cause), JSON.stringify(entry.actions),
    ],
  );
}

/** The transitions of an entity's instance, oldest first. */
export async function listHistory(tx: TenantTx, kind: WorkflowKind, entityId: string): Promise<HistoryEntry[]> {
  const res = await tx.query<{
    id: string; transition: string | null; from_state: string; to_state: string; version: number; actor_type: string; actor_id: string | null;
    note: string | null; cause: Record<string, unknown> | null; actions: Record<string, unknown>[]; created_at: Date;
  }>(
    `select h.id, h.transition, h.from_state, h.to_state, h.version, h.actor_type, h.actor_id, h.note, h.cause, h.actions, h.created_at
       from workflow_history h join workflow_instances i on i.tenant_id = h.tenant_id and i.id = h.instance_id
      where h.tenant_id = $1 and i.kind = $2 and i.entity_id = $3
      order by h.created_at, h.id`,
    [tx.tenantId, kind, entityId],
  );
  return res.rows.map((r) => ({
    id: r.id,
    transition: r.transition,
    from: r.from_state,
    to: r.to_state,
    version: r.version,
    actor: { kind: r.actor_type, id: r.actor_id },
    note: r.note,
    cause: r.cause,
    actions: r.actions,
    at: new Date(r.created_at).toISOString(),
  }));
}
