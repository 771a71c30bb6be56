/**
 * The `workflow.transition` webhook event of a `call_webhook` action: queued through the webhook
 * subsystem for every active endpoint of the practice subscribed to it, in the transition's
 * transaction. The payload is thin like every event's: ids, state keys and the version.
 */
import { uuidv7 } from '../../db/uuid.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { queueDeliveries } from '../webhooks/webhook-events.ts';
import type { WorkflowKind } from './kinds.ts';

export const TRANSITION_EVENT = 'workflow.transition';

export interface TransitionEventData {
  readonly kind: WorkflowKind;
  readonly entityId: string;
  readonly instanceId: string;
  readonly historyId: string;
  readonly transition: string | null;
  readonly from: string;
  readonly to: string;
  readonly version: number;
}

/** Queues the event for each subscribed endpoint; returns how many deliveries were queued. */
export async function emitTransitionEvent(tx: TenantTx, data: TransitionEventData): Promise<number> {
  const endpoints = await tx.query<{ id: string }>(
    'select id from webhook_endpoints where tenant_id = $1 and active and $2 = any(events) order by id',
    [tx.tenantId, TRANSITION_EVENT],
  );
  if (endpoints.rows.length === 0) return 0;
  const payload = {
    kind: data.kind,
    entityId: data.entityId,
    instanceId: data.instanceId,
    historyId: data.historyId,
    transition: data.transition,
    from: data.from,
    to: data.to,
    version: data.version,
  };
  const ids = await queueDeliveries(tx, endpoints.rows.map((r) => r.id), uuidv7(), TRANSITION_EVENT, payload);
  return ids.length;
}
