/**
 * The delivery job: one attempt per job. It reads the delivery, signs the body with the endpoint's
 * secret(s), POSTs it outside any transaction, then records the attempt and schedules the next one
 * (or finishes the delivery) in one transaction. The attempt number in the job makes a job that runs
 * twice (a process died mid-attempt) record at most one outcome; receivers dedupe on `webhook-id`.
 */
import type { Database } from '../../db/database.ts';
import type { Job, JobHandler } from '../../jobs/job-runner.ts';
import type { SecretBox } from '../../infra/secret-box.ts';
import { postOnce, type PostOutcome } from '../../infra/outbound-post.ts';
import { uuidv7 } from '../../db/uuid.ts';
import { withTenant, type TenantRef, type TenantTx } from '../../tenancy/tenant-db.ts';
import { tenantContext } from '../../tenancy/tenant-context.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { enqueueDelivery, TEST_EVENT } from './webhook-events.ts';
import { secretContext } from './webhook-endpoint-service.ts';
import { DISABLE_AFTER_EXHAUSTED, MAX_ATTEMPTS, nextAttemptAt } from './webhook-retry.ts';
import { signatureHeader } from './webhook-signing.ts';

export interface DeliveryDeps {
  readonly db: Database;
  readonly secrets: SecretBox;
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
}

interface TargetRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  payload: unknown;
  occurred_at: Date;
  url: string;
  active: boolean;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
}

/** The delivery, if attempt `attempt` is still the one to make. */
async function loadTarget(tx: TenantTx, deliveryId: string, attempt: number): Promise<TargetRow | undefined> {
  const res = await tx.query<TargetRow>(
    `select d.id, d.endpoint_id, d.event_id, d.event_type, d.payload, d.occurred_at, e.url, e.active,
            e.secret_sealed, e.previous_secret_sealed, e.previous_secret_expires_at
       from webhook_deliveries d join webhook_endpoints e on e.tenant_id = d.tenant_id and e.id = d.endpoint_id
      where d.tenant_id = $1 and d.id = $2 and d.status in ('pending', 'failed') and d.attempts = $3`,
    [tx.tenantId, deliveryId, attempt - 1],
  );
  return res.rows[0];
}

/** The exact bytes sent and signed. */
export function deliveryBody(target: Pick<TargetRow, 'event_type' | 'event_id' | 'occurred_at' | 'payload'>, tenant: TenantRef): string {
  return JSON.stringify({
    type: target.event_type,
    id: target.event_id,
    timestamp: new Date(target.occurred_at).toISOString(),
    tenant: { slug: tenant.slug },
    data: target.payload,
  });
}

/** Current secret first; the previous one while its rotation window lasts. */
function signingSecrets(deps: DeliveryDeps, tenant: TenantRef, t: TargetRow): string[] {
  const context = secretContext(tenant.id, t.endpoint_id);
  const secrets = [deps.secrets.open(t.secret_sealed, context)];
  if (t.previous_secret_sealed && t.previous_secret_expires_at && new Date(t.previous_secret_expires_at).getTime() > Date.now()) {
    secrets.push(deps.secrets.open(t.previous_secret_sealed, context));
  }
  return secrets;
}

async function attempt(deps: DeliveryDeps, tenant: TenantRef, t: TargetRow): Promise<PostOutcome> {
  let secrets: string[];
  try {
    secrets = signingSecrets(deps, tenant, t);
  } catch (err) {
    // A key mix-up is an operator problem: log it on the delivery and keep the retry schedule.
    return { statusCode: null, durationMs: 0, error: `cannot open the signing secret: ${(err as Error).message}`, excerpt: null, retryAfterSeconds: null };
  }
  const body = deliveryBody(t, tenant);
  const timestamp = Math.floor(Date.now() / 1000);
  return postOnce(
    t.url,
    Buffer.from(body, 'utf8'),
    {
      'content-type': 'application/json',
      'user-agent': 'HealthTrack-Webhooks/1',
      'webhook-id': t.event_id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(secrets, t.event_id, timestamp, body),
    },
    { timeoutMs: deps.timeoutMs, allowPrivate: deps.allowPrivate },
  );
}

async function disableEndpoint(deps: DeliveryDeps, tx: TenantTx, tenant: TenantRef, endpointId: string, reason: string): Promise<void> {
  const res = await tx.query(
    `update webhook_endpoints set active = false, disabled_reason = $3, disabled_at = now(), updated_at = now()
      where tenant_id = $1 and id = $2 and active`,
    [tx.tenantId, endpointId, reason],
  );
  if (res.rowCount === 0) return;
  const system = tenantContext(deps.db, { tenant, actor: { kind: 'system', id: null } });
  await recordAudit(tx, system, { action: 'webhook.disable', resourceType: 'webhook_endpoint', resourceId: endpointId, details: { reason } });
}

/** Records attempt `n`'s outcome and what follows from it; nothing when another run recorded it first. */
async function recordOutcome(deps: DeliveryDeps, tx: TenantTx, tenant: TenantRef, t: TargetRow, n: number, startedAt: Date, o: PostOutcome, now: Date): Promise<void> {
  const ok = o.statusCode !== null && o.statusCode >= 200 && o.statusCode < 300;
  const isTest = t.event_type === TEST_EVENT;
  // 410 Gone: the receiver asks us to stop. A test event gets one attempt and never touches the endpoint.
  const gone = o.statusCode === 410 && !isTest;
  const next = ok || gone || isTest ? null : nextAttemptAt(n, now, o.retryAfterSeconds);
  const status = ok ? 'succeeded' : next ? 'failed' : 'exhausted';
  const updated = await tx.query(
    `update webhook_deliveries
        set status = $4, attempts = $3, next_attempt_at = $5, last_status_code = $6, last_error = $7, last_duration_ms = $8,
            delivered_at = case when $4 = 'succeeded' then now() else delivered_at end
      where tenant_id = $1 and id = $2 and attempts = $3 - 1 and status in ('pending', 'failed')`,
    [tx.tenantId, t.id, n, status, next?.toISOString() ?? null, o.statusCode, o.error, o.durationMs],
  );
  if (updated.rowCount === 0) return;
  await tx.query(
    `insert into webhook_attempts (tenant_id, id, delivery_id, attempt, started_at, duration_ms, status_code, error, response_excerpt)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [tx.tenantId, uuidv7(), t.id, n, startedAt.toISOString(), o.durationMs, o.statusCode, o.error?.slice(0, 1000) ?? null, o.excerpt],
  );
  if (next) await enqueueDelivery(tx, t.id, n + 1, next);
  if (isTest) return;
  if (ok) {
    await tx.query('update webhook_endpoints set consecutive_failures = 0 where tenant_id = $1 and id = $2 and consecutive_failures <> 0', [tx.tenantId, t.endpoint_id]);
  } else if (gone) {
    await disableEndpoint(deps, tx, tenant, t.endpoint_id, 'The endpoint answered 410 Gone');
  } else if (status === 'exhausted') {
    const res = await tx.query<{ consecutive_failures: number }>(
      'update webhook_endpoints set consecutive_failures = consecutive_failures + 1 where tenant_id = $1 and id = $2 returning consecutive_failures',
      [tx.tenantId, t.endpoint_id],
    );
    const failures = res.rows[0]?.consecutive_failures ?? 0;
    if (failures >= DISABLE_AFTER_EXHAUSTED) {
      await disableEndpoint(deps, tx, tenant, t.endpoint_id, `${failures} deliveries in a row failed all ${MAX_ATTEMPTS} attempts`);
    }
  }
}

/** A delivery whose endpoint was switched off or disabled meanwhile ends without an attempt. */
async function abandon(tx: TenantTx, deliveryId: string, n: number): Promise<void> {
  await tx.query(
    `update webhook_deliveries set status = 'exhausted', next_attempt_at = null,
            last_error = 'The endpoint is inactive; re-activate it, then retry the delivery'
      where tenant_id = $1 and id = $2 and attempts = $3 and status in ('pending', 'failed')`,
    [tx.tenantId, deliveryId, n - 1],
  );
}

/** The `webhook.deliver` job handler. */
export function webhookDeliveryHandler(deps: DeliveryDeps): JobHandler {
  return async (job: Job) => {
    const tenant = job.tenant;
    if (!tenant) throw new Error('webhook delivery without tenant');
    const deliveryId = String(job.payload.deliveryId);
    const n = Number(job.payload.attempt);
    if (!Number.isInteger(n) || n < 1) throw new Error('webhook delivery job without attempt number');
    const target = await withTenant(deps.db, tenant, (tx) => loadTarget(tx, deliveryId, n));
    if (!target) return; // delivered, removed, or this attempt was already made
    if (!target.active && target.event_type !== TEST_EVENT) {
      await withTenant(deps.db, tenant, (tx) => abandon(tx, deliveryId, n));
      return;
    }
    const startedAt = new Date();
    const outcome = await attempt(deps, tenant, target);
    await withTenant(deps.db, tenant, (tx) => recordOutcome(deps, tx, tenant, target, n, startedAt, outcome, job.now));
  };
}
