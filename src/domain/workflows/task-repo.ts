/** Workflow tasks SQL: created by `create_task` actions, addressed to a role, completed by its members. */
import { uuidv7 } from '../../db/uuid.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import type { WorkflowKind } from './kinds.ts';

export interface Task {
  readonly id: string;
  readonly role: string;
  readonly title: string;
  readonly status: 'open' | 'done';
  readonly kind: WorkflowKind;
  readonly entityId: string;
  readonly dueAt: string | null;
  readonly createdAt: string;
  readonly completedAt: string | null;
  readonly completedBy: string | null;
}

export interface TaskRow {
  id: string;
  role_key: string;
  title: string;
  status: 'open' | 'done';
  kind: WorkflowKind;
  entity_id: string;
  due_at: Date | null;
  created_at: Date;
  completed_at: Date | null;
  completed_by: string | null;
}

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

export const TASK_COLUMNS = `t.id, t.role_key, t.title, t.status, i.kind, i.entity_id, t.due_at, t.created_at, t.completed_at, t.completed_by`;
export const TASK_FROM = `workflow_tasks t join workflow_instances i on i.tenant_id = t.tenant_id and i.id = t.instance_id`;

export function toTask(r: TaskRow): Task {
  return {
    id: r.id,
    role: r.role_key,
    title: r.title,
    status: r.status,
    kind: r.kind,
    entityId: r.entity_id,
    dueAt: iso(r.due_at),
    createdAt: new Date(r.created_at).toISOString(),
    completedAt: iso(r.completed_at),
    completedBy: r.completed_by,
  };
}

export async function insertTask(tx: TenantTx, task: { instanceId: string; historyId: string; role: string; title: string; dueAt: Date | null }): Promise<string> {
  const id = uuidv7();
  await tx.query(
    `insert into workflow_tasks (tenant_id, id, instance_id, history_id, role_key, title, due_at) values ($1, $2, $3, $4, $5, $6, $7)`,
    [tx.tenantId, id, task.instanceId, task.historyId, task.role, task.title, task.dueAt?.toISOString() ?? null],
  );
  return id;
}
