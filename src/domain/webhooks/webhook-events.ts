/**
 * The events a practice can subscribe to, what each carries, and `emitEvent`, which queues one
 * delivery per subscribed endpoint in the caller's transaction: a change that rolls back sends
 * nothing, and a committed one is delivered even if the process stops right after.
 *
 * Payloads are thin on purpose: ids, statuses, times and amounts, never names, contact details,
 * dates of birth, medical record numbers or free text. A receiver that needs more asks the API,
 * which authenticates and audits the read.
 */
import { uuidv7 } from '../../db/uuid.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { enqueueJob } from '../../jobs/job-queue.ts';

export { WEBHOOK_EVENTS, type WebhookEventType } from './webhook-event-types.ts';
import { WEBHOOK_EVENTS, type WebhookEventType } from './webhook-event-types.ts';

/** Sent only by `POST /api/webhooks/{id}/test`, to that endpoint, whether it subscribes or not. */
export const TEST_EVENT = 'webhook.test';

export function isWebhookEvent(value: string): value is WebhookEventType {
  return Object.prototype.hasOwnProperty.call(WEBHOOK_EVENTS, value);
}

interface AppointmentData {
  readonly id: string;
  readonly patientId: string;
  readonly providerId: string;
  readonly locationId: string;
  readonly typeId: string;
  readonly start: string;
  readonly end: string;
}

/** The `data` of each event. */
export interface WebhookEventData {
  'patient.created': { readonly id: string; readonly createdAt: string };
  'appointment.booked': AppointmentData & { readonly status: 'booked'; readonly seriesId: string | null };
  'appointment.cancelled': AppointmentData & { readonly status: 'cancelled'; readonly lateCancel: boolean };
  'invoice.issued': { readonly id: string; readonly patientId: string; readonly number: string; readonly issueDate: string; readonly currency: string; readonly total: number };
  'invoice.paid': {
    readonly id: string;
    readonly patientId: string;
    readonly number: string | null;
    readonly currency: string;
    readonly total: number;
    /** The payment that settled it. */
    readonly paymentId: string;
    readonly paidOn: string;
  };
  'workflow.transition': {
    readonly kind: string;
    readonly entityId: string;
    readonly instanceId: string;
    readonly historyId: string;
    readonly transition: string | null;
    readonly from: string;
    readonly to: string;
    readonly version: number;
  };
}

/** The fields appointment events carry, picked from an API appointment (times with the location's offset). */
export function appointmentData(a: AppointmentData): AppointmentData {
  return { id: a.id, patientId: a.patientId, providerId: a.providerId, locationId: a.locationId, typeId: a.typeId, start: a.start, end: a.end };
}

export const WEBHOOK_DELIVER_JOB = 'webhook.deliver';

/** One job per attempt of a delivery; the key makes a re-queued attempt re-arm rather than duplicate. */
export function deliveryJobKey(tenantId: string, deliveryId: string, attempt: number): string {
  return `webhook:${tenantId}:${deliveryId}:${attempt}`;
}

/** Queues attempt `attempt` of a delivery at `runAt`, in `tx`. */
export async function enqueueDelivery(tx: TenantTx, deliveryId: string, attempt: number, runAt: Date): Promise<void> {
  await enqueueJob(tx, {
    tenantId: tx.tenantId,
    kind: WEBHOOK_DELIVER_JOB,
    payload: { deliveryId, attempt },
    runAt,
    dedupeKey: deliveryJobKey(tx.tenantId, deliveryId, attempt),
    // The job only fails on database trouble; HTTP failures are the delivery's own retries.
    maxAttempts: 3,
  });
}

/**
 * Queues `type` for every active endpoint of the practice that subscribes to it. With no such
 * endpoint (the usual case) this is one indexed query.
 * @example await emitEvent(tx, 'patient.created', { id: patient.id, createdAt: patient.createdAt })
 */
export async function emitEvent<T extends WebhookEventType>(tx: TenantTx, type: T, data: WebhookEventData[T]): Promise<void> {
  const endpoints = await tx.query<{ id: string }>(
    'select id from webhook_endpoints where tenant_id = $1 and active and $2 = any(events) order by id',
    [tx.tenantId, type],
  );
  if (endpoints.rows.length === 0) return;
  await queueDeliveries(tx, endpoints.rows.map((r) => r.id), uuidv7(), type, data);
}

/** Inserts one pending delivery of an event per endpoint and queues its first attempt now; returns the delivery ids. */
export async function queueDeliveries(tx: TenantTx, endpointIds: readonly string[], eventId: string, type: string, data: object): Promise<string[]> {
  const ids = endpointIds.map(() => uuidv7());
  const now = new Date();
  await tx.query(
    `insert into webhook_deliveries (tenant_id, id, endpoint_id, event_id, event_type, payload, occurred_at, next_attempt_at)
     select $1, d.id, d.endpoint_id, $4, $5, $6, $7, $7 from unnest($2::uuid[], $3::uuid[]) as d(id, endpoint_id)`,
    [tx.tenantId, ids, endpointIds, eventId, type, JSON.stringify(data), now.toISOString()],
  );
  for (const id of ids) await enqueueDelivery(tx, id, 1, now);
  return ids;
}
