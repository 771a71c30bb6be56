/**
 * Webhook endpoints of a practice: subscribe, change, remove, rotate the secret, send a test event.
 * The signing secret is generated here, returned in full only by create and rotate, and stored
 * sealed (see src/infra/secret-box.ts); every change is audited with the URL's host, never its path
 * or query (which may carry the receiver's own tokens).
 */
import { AppError, notFound, validationError, type FieldError } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import { uuidv7 } from '../../db/uuid.ts';
import type { SecretBox } from '../../infra/secret-box.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { assignments, sentFields } from '../patch.ts';
import { isWebhookEvent, queueDeliveries, TEST_EVENT } from './webhook-events.ts';
import type { WebhookCreate, WebhookEndpoint, WebhookEndpointWithSecret, WebhookRotate, WebhookUpdate } from './webhook-schemas.ts';
import { generateSecret } from './webhook-signing.ts';
import { checkEndpointUrl } from './webhook-url.ts';
import { readDelivery } from './webhook-delivery-service.ts';
import type { WebhookDelivery } from './webhook-schemas.ts';

/** What the webhook use cases need besides the tenant context. */
export interface WebhookDeps {
  readonly secrets: SecretBox;
  /** Accept URLs resolving to loopback/private/link-local addresses (development only). */
  readonly allowPrivate: boolean;
}

export const MAX_ENDPOINTS = 20;
export const DEFAULT_PREVIOUS_VALID_HOURS = 24;

/** The sealing context: a sealed secret opens only on its own practice's own endpoint. */
export function secretContext(tenantId: string, endpointId: string): string {
  return `webhook:${tenantId}:${endpointId}`;
}

interface EndpointRow {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  active: boolean;
  disabled_reason: string | null;
  disabled_at: Date | null;
  consecutive_failures: number;
  secret_rotated_at: Date | null;
  previous_secret_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, url, description, events, active, disabled_reason, disabled_at, consecutive_failures, secret_rotated_at,
  previous_secret_expires_at, created_at, updated_at`;

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function toEndpoint(r: EndpointRow): WebhookEndpoint {
  const previous = r.previous_secret_expires_at && new Date(r.previous_secret_expires_at).getTime() > Date.now() ? r.previous_secret_expires_at : null;
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    events: r.events,
    active: r.active,
    disabledReason: r.disabled_reason,
    disabledAt: iso(r.disabled_at),
    consecutiveFailures: r.consecutive_failures,
    secretRotatedAt: iso(r.secret_rotated_at),
    previousSecretExpiresAt: iso(previous),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

/** Unknown event names are a 400 naming `events[i]`. */
function checkEvents(events: readonly string[]): string[] {
  const errors: FieldError[] = [];
  events.forEach((e, i) => {
    if (!isWebhookEvent(e)) errors.push({ field: `events[${i}]`, message: `"${e}" is not an event type; see the Webhooks section of the API docs` });
  });
  if (errors.length > 0) throw validationError(errors);
  return [...events];
}

const hostOf = (url: string) => new URL(url).host;

/** Reads (and, with `lock`, locks) an endpoint, or answers 404 (also for another practice's id). */
export async function findEndpoint(tx: TenantTx, id: string, lock = false): Promise<EndpointRow> {
  if (!isUuid(id)) throw notFound('webhook endpoint');
  const res = await tx.query<EndpointRow>(`select ${COLUMNS} from webhook_endpoints where tenant_id = $1 and id = $2${lock ? ' for update' : ''}`, [tx.tenantId, id]);
  if (!res.rows[0]) throw notFound('webhook endpoint');
  return res.rows[0];
}

/** Subscribes a new endpoint; the answer carries the secret, which is never shown again. */
export async function createWebhook(ctx: TenantContext, deps: WebhookDeps, input: WebhookCreate): Promise<WebhookEndpointWithSecret> {
  const events = checkEvents(input.events);
  // Resolving the host happens before the transaction: no connection waits on DNS.
  const url = await checkEndpointUrl(input.url, deps.allowPrivate);
  const secret = generateSecret();
  return ctx.tx(async (tx) => {
    // Serialises concurrent creations of one practice, so the limit holds.
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`webhooks:${tx.tenantId}`]);
    const count = await tx.query<{ n: number }>('select count(*)::int as n from webhook_endpoints where tenant_id = $1', [tx.tenantId]);
    if (count.rows[0]!.n >= MAX_ENDPOINTS) throw new AppError('webhook_limit_reached', `A practice can have at most ${MAX_ENDPOINTS} webhook endpoints`);
    const id = uuidv7();
    const res = await tx.query<EndpointRow>(
      `insert into webhook_endpoints (tenant_id, id, url, description, events, active, secret_sealed, created_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${COLUMNS}`,
      [tx.tenantId, id, url, input.description ?? null, events, input.active ?? true, deps.secrets.seal(secret, secretContext(tx.tenantId, id)), ctx.actor.kind === 'user' ? ctx.actor.id : null],
    );
    await recordAudit(tx, ctx, { action: 'webhook.create', resourceType: 'webhook_endpoint', resourceId: id, details: { host: hostOf(url), events } });
    return { ...toEndpoint(res.rows[0]!), secret };
  });
}

export async function listWebhooks(ctx: TenantContext): Promise<{ items: WebhookEndpoint[] }> {
  const res = await ctx.statement<EndpointRow>(`select ${COLUMNS} from webhook_endpoints where tenant_id = $1 order by created_at, id`, [ctx.tenant.id]);
  return { items: res.rows.map(toEndpoint) };
}

export async function getWebhook(ctx: TenantContext, id: string): Promise<WebhookEndpoint> {
  return ctx.tx(async (tx) => toEndpoint(await findEndpoint(tx, id)));
}

const UPDATE_COLUMNS: Record<keyof WebhookUpdate, string> = { url: 'url', events: 'events', description: 'description', active: 'active' };

/** Changes the fields sent; re-activating clears the reason and failure count of an automatic disable. */
export async function updateWebhook(ctx: TenantContext, deps: WebhookDeps, id: string, patch: WebhookUpdate): Promise<WebhookEndpoint> {
  const entries = sentFields(patch);
  if (patch.events !== undefined) checkEvents(patch.events);
  const url = patch.url !== undefined ? await checkEndpointUrl(patch.url, deps.allowPrivate) : undefined;
  return ctx.tx(async (tx) => {
    const current = await findEndpoint(tx, id, true);
    const params: unknown[] = [tx.tenantId, id];
    let sets = assignments(entries, UPDATE_COLUMNS, params, (key, value) => (key === 'url' ? url : value));
    if (patch.active === true) sets += ', disabled_reason = null, disabled_at = null, consecutive_failures = 0';
    if (patch.active === false) sets += ', disabled_reason = null, disabled_at = null';
    const res = await tx.query<EndpointRow>(
      `update webhook_endpoints set ${sets}, updated_at = now() where tenant_id = $1 and id = $2 returning ${COLUMNS}`,
      params,
    );
    await recordAudit(tx, ctx, {
      action: 'webhook.update',
      resourceType: 'webhook_endpoint',
      resourceId: id,
      details: { fields: entries.map(([k]) => k), ...(url ? { host: hostOf(url), previousHost: hostOf(current.url) } : {}) },
    });
    return toEndpoint(res.rows[0]!);
  });
}

/** Removes an endpoint with its delivery log; queued attempts find nothing and stop. */
export async function deleteWebhook(ctx: TenantContext, id: string): Promise<void> {
  await ctx.tx(async (tx) => {
    const current = await findEndpoint(tx, id, true);
    await tx.query('delete from webhook_endpoints where tenant_id = $1 and id = $2', [tx.tenantId, id]);
    await recordAudit(tx, ctx, { action: 'webhook.delete', resourceType: 'webhook_endpoint', resourceId: id, details: { host: hostOf(current.url) } });
  });
}

/**
 * Replaces the signing secret. The replaced one keeps signing too (a second `v1,` signature) for
 * `previousValidHours` (default 24), so receivers can switch without losing a delivery.
 */
export async function rotateWebhookSecret(ctx: TenantContext, deps: WebhookDeps, id: string, input: WebhookRotate = {}): Promise<WebhookEndpointWithSecret> {
  const hours = input.previousValidHours ?? DEFAULT_PREVIOUS_VALID_HOURS;
  const secret = generateSecret();
  return ctx.tx(async (tx) => {
    await findEndpoint(tx, id, true);
    // The sealed value is bound to (practice, endpoint), not to its column: it moves across as is.
    const res = await tx.query<EndpointRow>(
      `update webhook_endpoints
          set previous_secret_sealed = case when $4 > 0 then secret_sealed end,
              previous_secret_expires_at = case when $4 > 0 then now() + make_interval(hours => $4) end,
              secret_sealed = $3, secret_rotated_at = now(), updated_at = now()
        where tenant_id = $1 and id = $2 returning ${COLUMNS}`,
      [tx.tenantId, id, deps.secrets.seal(secret, secretContext(tx.tenantId, id)), hours],
    );
    await recordAudit(tx, ctx, { action: 'webhook.rotate_secret', resourceType: 'webhook_endpoint', resourceId: id, details: { previousValidHours: hours } });
    return { ...toEndpoint(res.rows[0]!), secret };
  });
}

/** Queues a `webhook.test` event to this endpoint only (also when it is inactive), delivered like any other. */
export async function sendTestEvent(ctx: TenantContext, id: string): Promise<WebhookDelivery> {
  return ctx.tx(async (tx) => {
    await findEndpoint(tx, id);
    const [deliveryId] = await queueDeliveries(tx, [id], uuidv7(), TEST_EVENT, { endpointId: id, message: 'Test event from HealthTrack' });
    await recordAudit(tx, ctx, { action: 'webhook.test', resourceType: 'webhook_endpoint', resourceId: id, details: { deliveryId } });
    return readDelivery(tx, deliveryId!);
  });
}
