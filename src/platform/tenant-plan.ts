/**
 * Operator use cases on a practice's plan and feature overrides. The caller invalidates the tenant
 * registry entry afterwards so this process applies the change on the next request (other
 * processes within the registry's cache TTL).
 */
import type { Database } from '../db/database.ts';
import { asPlatform } from '../tenancy/tenant-db.ts';
import { validationError } from '../errors/catalogue.ts';
import { getTenant } from './tenant-lifecycle.ts';
import { ALL_FEATURES, FEATURES, effectiveFeatures, isFeature, isPlanKey, planOf, PLAN_KEYS, type Feature, type PlanLimits } from './plans.ts';

export interface FeatureState {
  readonly feature: Feature;
  readonly description: string;
  readonly enabled: boolean;
  /** Whether the plan alone includes it. */
  readonly inPlan: boolean;
  /** What decides `enabled`: the plan, or an operator override. */
  readonly source: 'plan' | 'override';
}

export interface TenantFeatures {
  readonly tenant: { readonly id: string; readonly slug: string };
  readonly plan: { readonly key: string; readonly name: string; readonly limits: PlanLimits };
  readonly features: FeatureState[];
}

/** The plan a practice is on and each feature's effective state with its source. */
export async function tenantFeatures(db: Database, idOrSlug: string): Promise<TenantFeatures> {
  const tenant = await getTenant(db, idOrSlug);
  const res = await asPlatform(db, (tx) =>
    tx.query<{ feature: string; enabled: boolean }>('select feature, enabled from tenant_features where tenant_id = $1', [tenant.id]),
  );
  const overrides = Object.fromEntries(res.rows.map((r) => [r.feature, r.enabled]));
  const plan = planOf(tenant.plan);
  const on = effectiveFeatures(plan.key, overrides);
  return {
    tenant: { id: tenant.id, slug: tenant.slug },
    plan: { key: plan.key, name: plan.name, limits: plan.limits },
    features: ALL_FEATURES.map((feature) => ({
      feature,
      description: FEATURES[feature],
      enabled: on.has(feature),
      inPlan: plan.features.includes(feature),
      source: feature in overrides ? 'override' : 'plan',
    })),
  };
}

/** Moves a practice to another plan; its overrides stay. Returns the previous plan key too. */
export async function setTenantPlan(db: Database, idOrSlug: string, plan: string): Promise<{ previous: string; view: TenantFeatures }> {
  if (!isPlanKey(plan)) throw validationError([{ field: 'plan', message: `must be one of ${PLAN_KEYS.join(', ')}` }]);
  const tenant = await getTenant(db, idOrSlug);
  await asPlatform(db, (tx) => tx.query('update tenants set plan = $2, updated_at = now() where id = $1', [tenant.id, plan]));
  return { previous: tenant.plan, view: await tenantFeatures(db, tenant.id) };
}

/**
 * Switches a feature on or off for one practice whatever its plan says; `null` removes the
 * override so the plan decides again.
 */
export async function setTenantFeature(
  db: Database,
  idOrSlug: string,
  feature: string,
  enabled: boolean | null,
  operatorId: string | null = null,
): Promise<TenantFeatures> {
  if (!isFeature(feature)) throw validationError([{ field: 'feature', message: `must be one of ${ALL_FEATURES.join(', ')}` }]);
  const tenant = await getTenant(db, idOrSlug);
  await asPlatform(db, (tx) =>
    enabled === null
      ? tx.query('delete from tenant_features where tenant_id = $1 and feature = $2', [tenant.id, feature])
      : tx.query(
          `insert into tenant_features (tenant_id, feature, enabled, updated_by) values ($1, $2, $3, $4)
           on conflict (tenant_id, feature) do update set enabled = excluded.enabled, updated_by = excluded.updated_by, updated_at = now()`,
          [tenant.id, feature, enabled, operatorId],
        ),
  );
  return tenantFeatures(db, tenant.id);
}
