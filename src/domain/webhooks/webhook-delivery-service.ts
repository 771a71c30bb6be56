/** The delivery log of an endpoint (newest first, keyset-paginated, with every attempt) and manual retries. */
import { AppError, notFound } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { enqueueDelivery } from './webhook-events.ts';
import type { DeliveryPage, DeliveryQuery, WebhookAttempt, WebhookDelivery } from './webhook-schemas.ts';

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  payload: unknown;
  occurred_at: Date;
  status: WebhookDelivery['status'];
  attempts: number;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  created_at: Date;
  delivered_at: Date | null;
}

interface AttemptRow {
  delivery_id: string;
  attempt: number;
  started_at: Date;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  response_excerpt: string | null;
}

const COLUMNS = `id, endpoint_id, event_id, event_type, payload, occurred_at, status, attempts, next_attempt_at, last_status_code,
  last_error, last_duration_ms, created_at, delivered_at`;

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function toDelivery(r: DeliveryRow, attempts: readonly AttemptRow[]): WebhookDelivery {
  return {
    id: r.id,
    endpointId: r.endpoint_id,
    eventId: r.event_id,
    eventType: r.event_type,
    occurredAt: iso(r.occurred_at)!,
    data: r.payload,
    status: r.status,
    attemptCount: r.attempts,
    nextAttemptAt: iso(r.next_attempt_at),
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    lastDurationMs: r.last_duration_ms,
    createdAt: iso(r.created_at)!,
    deliveredAt: iso(r.delivered_at),
    attempts: attempts.map(
      (a): WebhookAttempt => ({
        attempt: a.attempt,
        startedAt: iso(a.started_at)!,
        durationMs: a.duration_ms,
        statusCode: a.status_code,
        error: a.error,
        responseExcerpt: a.response_excerpt,
      }),
    ),
  };
}

async function attemptsOf(tx: TenantTx, deliveryIds: readonly string[]): Promise<Map<string, AttemptRow[]>> {
  const byDelivery = new Map<string, AttemptRow[]>(deliveryIds.map((id) => [id, []]));
  if (deliveryIds.length === 0) return byDelivery;
  const res = await tx.query<AttemptRow>(
    `select delivery_id, attempt, started_at, duration_ms, status_code, error, response_excerpt
       from webhook_attempts where tenant_id = $1 and delivery_id = any($2::uuid[]) order by delivery_id, attempt`,
    [tx.tenantId, deliveryIds],
  );
  for (const a of res.rows) byDelivery.get(a.delivery_id)?.push(a);
  return byDelivery;
}

/** One delivery with its attempts (it must exist). */
export async function readDelivery(tx: TenantTx, id: string): Promise<WebhookDelivery> {
  const res = await tx.query<DeliveryRow>(`select ${COLUMNS} from webhook_deliveries where tenant_id = $1 and id = $2`, [tx.tenantId, id]);
  return toDelivery(res.rows[0]!, (await attemptsOf(tx, [id])).get(id)!);
}

async function requireEndpoint(tx: TenantTx, endpointId: string): Promise<{ active: boolean }> {
  if (!isUuid(endpointId)) throw notFound('webhook endpoint');
  const res = await tx.query<{ active: boolean }>('select active from webhook_endpoints where tenant_id = $1 and id = $2', [tx.tenantId, endpointId]);
  if (!res.rows[0]) throw notFound('webhook endpoint');
  return res.rows[0];
}

/** An endpoint's deliveries, newest first; `nextCursor` continues after the last one. */
export async function listDeliveries(ctx: TenantContext, endpointId: string, q: DeliveryQuery = {}): Promise<DeliveryPage> {
  const limit = q.limit ?? 20;
  const after = q.cursor !== undefined ? decodeCursor(q.cursor, 1)[0]! : null;
  if (after !== null && !isUuid(after)) throw new AppError('invalid_cursor');
  return ctx.tx(async (tx) => {
    await requireEndpoint(tx, endpointId);
    const res = await tx.query<DeliveryRow>(
      `select ${COLUMNS} from webhook_deliveries
        where tenant_id = $1 and endpoint_id = $2 and ($3::uuid is null or id < $3::uuid) and ($4::text is null or status = $4::text)
        order by id desc limit $5`,
      [tx.tenantId, endpointId, after, q.status ?? null, limit + 1],
    );
    const page = res.rows.slice(0, limit);
    const attempts = await attemptsOf(tx, page.map((r) => r.id));
    return {
      items: page.map((r) => toDelivery(r, attempts.get(r.id)!)),
      nextCursor: res.rows.length > limit ? encodeCursor([page.at(-1)!.id]) : null,
    };
  });
}

/**
 * Makes the next attempt of a failed or exhausted delivery now. A failed one keeps its place in the
 * retry schedule; an exhausted one gets this single attempt.
 */
export async function retryDelivery(ctx: TenantContext, endpointId: string, deliveryId: string): Promise<WebhookDelivery> {
  return ctx.tx(async (tx) => {
    const endpoint = await requireEndpoint(tx, endpointId);
    if (!isUuid(deliveryId)) throw notFound('webhook delivery');
    const res = await tx.query<{ status: string; attempts: number }>(
      'select status, attempts from webhook_deliveries where tenant_id = $1 and endpoint_id = $2 and id = $3 for update',
      [tx.tenantId, endpointId, deliveryId],
    );
    const delivery = res.rows[0];
    if (!delivery) throw notFound('webhook delivery');
    if (delivery.status !== 'failed' && delivery.status !== 'exhausted') {
      throw new AppError('webhook_delivery_not_retryable', `The delivery is ${delivery.status}; only a failed or exhausted delivery can be retried`);
    }
    if (!endpoint.active) throw new AppError('webhook_endpoint_inactive', 'Re-activate the endpoint (PATCH active: true) before retrying its deliveries');
    const now = new Date();
    await tx.query(`update webhook_deliveries set status = 'pending', next_attempt_at = $3 where tenant_id = $1 and id = $2`, [tx.tenantId, deliveryId, now.toISOString()]);
    // The same job key as a scheduled retry: that job is brought forward, not doubled.
    await enqueueDelivery(tx, deliveryId, delivery.attempts + 1, now);
    await recordAudit(tx, ctx, { action: 'webhook.retry', resourceType: 'webhook_delivery', resourceId: deliveryId, details: { endpointId, attempt: delivery.attempts + 1 } });
    return readDelivery(tx, deliveryId);
  });
}
