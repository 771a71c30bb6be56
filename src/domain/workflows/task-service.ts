/**
 * Workflow tasks from the staff side: each member sees the tasks of their own roles (those who
 * manage the practice's settings see every role's) and completes them. A task of a role one does
 * not hold answers 404, like a missing one.
 */
import { notFound } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { TASK_COLUMNS, TASK_FROM, toTask, type Task, type TaskRow } from './task-repo.ts';
import type { TaskQuery } from './workflow-schemas.ts';

/** `$1` tenant, `$2` may see all roles, `$3` the user: the tasks this user may see. */
const VISIBLE = `t.tenant_id = $1 and ($2::boolean or t.role_key in (
  select r.key from member_roles mr join roles r on r.tenant_id = mr.tenant_id and r.id = mr.role_id where mr.tenant_id = $1 and mr.user_id = $3::uuid))`;

function visibility(ctx: TenantContext): [string, boolean, string | null] {
  const userId = ctx.actor.kind === 'user' && ctx.actor.id !== null && isUuid(ctx.actor.id) ? ctx.actor.id : null;
  return [ctx.tenant.id, ctx.permissions.has('settings:manage'), userId];
}

/** Open (or done) tasks of the user's roles, oldest first; `role` narrows to one of them. */
export async function listTasks(ctx: TenantContext, q: TaskQuery): Promise<{ items: Task[] }> {
  const res = await ctx.statement<TaskRow>(
    `select ${TASK_COLUMNS} from ${TASK_FROM}
      where ${VISIBLE} and t.status = $4 and ($5::text is null or t.role_key = $5)
      order by t.created_at, t.id limit $6`,
    [...visibility(ctx), q.status ?? 'open', q.role ?? null, q.limit ?? 100],
  );
  return { items: res.rows.map(toTask) };
}

/** Marks a task done; completing a done task again changes nothing. */
export async function completeTask(ctx: TenantContext, id: string): Promise<Task> {
  if (!isUuid(id)) throw notFound('task');
  return ctx.tx(async (tx) => {
    const found = await tx.query<TaskRow>(`select ${TASK_COLUMNS} from ${TASK_FROM} where ${VISIBLE} and t.id = $4 for update of t`, [...visibility(ctx), id]);
    const row = found.rows[0];
    if (!row) throw notFound('task');
    if (row.status === 'done') return toTask(row);
    await tx.query(`update workflow_tasks set status = 'done', completed_at = now(), completed_by = $3 where tenant_id = $1 and id = $2`, [tx.tenantId, id, visibility(ctx)[2]]);
    await recordAudit(tx, ctx, { action: 'task.complete', resourceType: 'workflow_task', resourceId: id });
    const after = await tx.query<TaskRow>(`select ${TASK_COLUMNS} from ${TASK_FROM} where t.tenant_id = $1 and t.id = $2`, [tx.tenantId, id]);
    return toTask(after.rows[0]!);
  });
}
