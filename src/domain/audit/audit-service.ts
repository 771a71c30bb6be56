/** Lets practice admins read their own audit trail, newest first. */
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';

export interface AuditQuery {
  readonly resourceType?: string;
  readonly resourceId?: string;
  readonly actorId?: string;
  readonly action?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

export interface AuditEvent {
  readonly id: string;
  readonly occurredAt: string;
  readonly actor: { readonly type: string; readonly id: string | null };
  readonly action: string;
  readonly resourceType: string;
  readonly resourceId: string | null;
  readonly requestId: string | null;
  readonly ip: string | null;
  readonly details: Record<string, unknown>;
}

interface Row {
  id: string;
  occurred_at: Date;
  actor_type: string;
  actor_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  request_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

/** Lists audit events with optional filters; cursor-paginated by id (UUIDv7, so by time). */
export async function listAuditEvents(ctx: TenantContext, q: AuditQuery): Promise<{ items: AuditEvent[]; nextCursor: string | null }> {
  const limit = q.limit ?? 50;
  const rows = await ctx.tx(async (tx) => {
    const where = ['tenant_id = $1'];
    const params: unknown[] = [tx.tenantId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.resourceType) add('resource_type = ?', q.resourceType);
    if (q.resourceId) add('resource_id = ?', q.resourceId);
    if (q.actorId) add('actor_id = ?', q.actorId);
    if (q.action) add('action = ?', q.action);
    if (q.cursor) add('id < ?::uuid', decodeCursor(q.cursor, 1)[0]);
    params.push(limit + 1);
    const res = await tx.query<Row>(
      `select id, occurred_at, actor_type, actor_id, action, resource_type, resource_id, request_id, ip, details
         from audit_events where ${where.join(' and ')} order by id desc limit $${params.length}`,
      params,
    );
    return res.rows;
  });
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      occurredAt: new Date(r.occurred_at).toISOString(),
      actor: { type: r.actor_type, id: r.actor_id },
      action: r.action,
      resourceType: r.resource_type,
      resourceId: r.resource_id,
      requestId: r.request_id,
      ip: r.ip,
      details: r.details,
    })),
    nextCursor: rows.length > limit ? encodeCursor([page.at(-1)!.id]) : null,
  };
}
