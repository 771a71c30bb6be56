/** Background work that belongs to a plan feature stops when the practice no longer has it. */
import type { JobHandler } from '../jobs/job-runner.ts';
import type { TenantRegistry } from '../tenancy/tenant-registry.ts';
import type { Feature } from './plans.ts';

/**
 * Wraps a tenant job handler so it does nothing (and the job completes) while the job's practice
 * lacks `feature`, e.g. no waitlist offers are made for freed slots once the waitlist is off.
 * The feature set comes from the registry's cache, like a request's.
 */
export function onlyWithFeature(tenants: TenantRegistry, feature: Feature, handler: JobHandler): JobHandler {
  return async (job) => {
    if (job.tenant) {
      const tenant = await tenants.bySlug(job.tenant.slug);
      if (tenant && !tenant.features.has(feature)) return;
    }
    await handler(job);
  };
}
