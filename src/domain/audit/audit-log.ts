/**
 * Audit events: written in the same transaction as the change they describe; a plain read's event
 * is group-committed before the data is returned (`recordRead`).
 */
import { uuidv7 } from '../../db/uuid.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';

export interface AuditEntry {
  readonly action: string;
  readonly resourceType: string;
  readonly resourceId?: string | null;
  /** Never PHI: ids, counts, changed field names. */
  readonly details?: Record<string, unknown>;
}

const INSERT = `insert into audit_events (tenant_id, id, actor_type, actor_id, action, resource_type, resource_id, request_id, ip, details)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;

function row(tenantId: string, ctx: TenantContext, entry: AuditEntry): unknown[] {
  return [
    tenantId,
    uuidv7(),
    ctx.actor.kind,
    ctx.actor.id,
    entry.action,
    entry.resourceType,
    entry.resourceId ?? null,
    ctx.requestId,
    ctx.ip,
    JSON.stringify(entry.details ?? {}),
  ];
}

/**
 * Appends one audit event inside `tx` (so it commits or rolls back with the change). Nothing reads
 * the insert's result, so it is queued: it runs, in order, with the transaction's next statement or
 * its COMMIT, in the same message (one round trip fewer per audited request on PostgreSQL).
 */
export async function recordAudit(tx: TenantTx, ctx: TenantContext, entry: AuditEntry): Promise<void> {
  await tx.queueWrite(INSERT, row(tx.tenantId, ctx, entry));
}

/**
 * Records that data was read, for a read that changed nothing (so has no transaction to join):
 * the event is group-committed with concurrent requests' events and the promise resolves once it
 * is durable. Await it before the data is returned, so nothing is shown that was not recorded.
 */
export function recordRead(ctx: TenantContext, entry: AuditEntry): Promise<void> {
  return ctx.groupWrite(INSERT, row(ctx.tenant.id, ctx, entry));
}
