/** Plan features at the HTTP edge: refuse a route whose feature the practice does not have. */
import { AppError } from '../../errors/catalogue.ts';
import type { ResolvedTenant } from '../../tenancy/tenant-registry.ts';
import { planOf, type Feature } from '../../platform/plans.ts';

/**
 * Throws 403 `feature_not_in_plan` unless `tenant` has `feature` (from the cached tenant record,
 * no database round trip). `audience: 'patient'` keeps the practice's plan out of the detail.
 * @example requireFeature(tenant, 'waitlist', 'patient')
 */
export function requireFeature(tenant: ResolvedTenant, feature: Feature, audience: 'staff' | 'patient' = 'staff'): void {
  if (tenant.features.has(feature)) return;
  throw new AppError(
    'feature_not_in_plan',
    audience === 'staff'
      ? `The "${feature}" feature is not included in the practice's "${planOf(tenant.plan).key}" plan`
      : `The "${feature}" feature is not available at this practice`,
  );
}
