/** Audit events: written in the same transaction as the change they describe. */
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

/**
 * Appends one audit event inside `tx` (so it commits or rolls back with the change). Nothing reads
 * the insert's result, so it is queued: it runs, in order, with the transaction's next statement or
 * its COMMIT, in the same message (one round trip fewer per audited request on PostgreSQL).
 */
export async function recordAudit(tx: TenantTx, ctx: TenantContext, entry: AuditEntry): Promise<void> {
  await tx.queueWrite(
    `insert into audit_events (tenant_id, id, actor_type, actor_id, action, resource_type, resource_id, request_id, ip, details)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      tx.tenantId,
      uuidv7(),
      ctx.actor.kind,
      ctx.actor.id,
      entry.action,
      entry.resourceType,
      entry.resourceId ?? null,
      ctx.requestId,
      ctx.ip,
      JSON.stringify(entry.details ?? {}),
    ],
  );
}
