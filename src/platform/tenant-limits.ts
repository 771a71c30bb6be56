/**
 * A practice's request limits: its plan's (scaled by HEALTHTRACK_TENANT_LIMITS_SCALE) with operator
 * overrides (platform.tenant_limits) replacing single values; plus the operator use cases on them.
 * The caller invalidates the tenant registry entry after a change (as for feature overrides).
 */
import type { Database } from '../db/database.ts';
import { asPlatform } from '../tenancy/tenant-db.ts';
import type { LimitOverrides } from '../tenancy/tenant-registry.ts';
import type { RequestLimits } from '../infra/tenant-limits/limiter.ts';
import { getTenant } from './tenant-lifecycle.ts';
import { planOf } from './plans.ts';

/** The three request limits as operators see and set them. */
export interface RequestLimitValues {
  readonly requestsPerMinute: number;
  readonly burst: number;
  readonly maxConcurrentRequests: number;
}

/** A practice's request limits as the operator set them: the plan's, each override replacing one value. */
export function requestLimitValuesOf(tenant: { readonly plan: string; readonly limitOverrides?: LimitOverrides }): RequestLimitValues {
  const { requestsPerMinute, burst, maxConcurrentRequests } = planOf(tenant.plan).limits;
  return { requestsPerMinute, burst, maxConcurrentRequests, ...tenant.limitOverrides };
}

/** The limits the limiter applies to a practice: plan × scale, each override exact. */
export function requestLimitsOf(tenant: { readonly plan: string; readonly limitOverrides?: LimitOverrides }, scale = 1): RequestLimits {
  const plan = planOf(tenant.plan).limits;
  const o = tenant.limitOverrides ?? {};
  return {
    ratePerSecond: (o.requestsPerMinute ?? plan.requestsPerMinute * scale) / 60,
    burst: o.burst ?? plan.burst * scale,
    maxConcurrent: o.maxConcurrentRequests ?? plan.maxConcurrentRequests * scale,
  };
}

export interface TenantLimitsView {
  readonly tenant: { readonly id: string; readonly slug: string };
  readonly plan: { readonly key: string; readonly limits: RequestLimitValues };
  /** Operator overrides; a value left out follows the plan. */
  readonly overrides: Partial<RequestLimitValues>;
  /** What the limiter applies (without the test-only scale). */
  readonly effective: RequestLimitValues;
}

interface OverrideRow {
  requests_per_minute: number | null;
  burst: number | null;
  max_concurrent_requests: number | null;
}

/** A practice's plan limits, its overrides and the result. */
export async function tenantLimits(db: Database, idOrSlug: string): Promise<TenantLimitsView> {
  const tenant = await getTenant(db, idOrSlug);
  const res = await asPlatform(db, (tx) =>
    tx.query<OverrideRow>('select requests_per_minute, burst, max_concurrent_requests from tenant_limits where tenant_id = $1', [tenant.id]),
  );
  const row = res.rows[0];
  const overrides: Partial<RequestLimitValues> = {
    ...(row?.requests_per_minute != null ? { requestsPerMinute: row.requests_per_minute } : {}),
    ...(row?.burst != null ? { burst: row.burst } : {}),
    ...(row?.max_concurrent_requests != null ? { maxConcurrentRequests: row.max_concurrent_requests } : {}),
  };
  const plan = planOf(tenant.plan);
  const limits = { requestsPerMinute: plan.limits.requestsPerMinute, burst: plan.limits.burst, maxConcurrentRequests: plan.limits.maxConcurrentRequests };
  return { tenant: { id: tenant.id, slug: tenant.slug }, plan: { key: plan.key, limits }, overrides, effective: { ...limits, ...overrides } };
}

/** Replaces a practice's overrides: a value given (not null) overrides the plan; the rest follow it. */
export async function setTenantLimits(
  db: Database,
  idOrSlug: string,
  values: { readonly [K in keyof RequestLimitValues]?: number | null },
  operatorId: string | null = null,
): Promise<TenantLimitsView> {
  const tenant = await getTenant(db, idOrSlug);
  const rpm = values.requestsPerMinute ?? null;
  const burst = values.burst ?? null;
  const concurrent = values.maxConcurrentRequests ?? null;
  await asPlatform(db, (tx) =>
    rpm === null && burst === null && concurrent === null
      ? tx.query('delete from tenant_limits where tenant_id = $1', [tenant.id])
      : tx.query(
          `insert into tenant_limits (tenant_id, requests_per_minute, burst, max_concurrent_requests, updated_by) values ($1, $2, $3, $4, $5)
           on conflict (tenant_id) do update set requests_per_minute = excluded.requests_per_minute, burst = excluded.burst,
             max_concurrent_requests = excluded.max_concurrent_requests, updated_by = excluded.updated_by, updated_at = now()`,
          [tenant.id, rpm, burst, concurrent, operatorId],
        ),
  );
  return tenantLimits(db, tenant.id);
}
