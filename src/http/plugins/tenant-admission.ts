/**
 * Noisy-neighbour protection at the door: every request attributed to a practice (/api once its
 * token is verified, and the public routes naming it by `:slug`) is counted against the practice's
 * rate and concurrency limits before any database work of its own. The practice comes from the tenant registry's in-process
 * cache and the decision from memory (or one Redis round trip), so an admitted request pays almost
 * nothing; a refused one answers 429 with Retry-After.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/catalogue.ts';
import type { Services } from '../../services.ts';
import type { ResolvedTenant } from '../../tenancy/tenant-registry.ts';
import { requestLimitsOf } from '../../platform/tenant-limits.ts';

const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/**
 * The practice a public request names by `:slug`, or null (then the route's own handler answers).
 * `/api` requests are admitted by the staff pipeline instead, once the token is proven to be the
 * practice's: an anonymous caller naming a practice must not spend its staff's allowance.
 */
async function publicTenant(request: FastifyRequest, services: Services): Promise<ResolvedTenant | null> {
  const url = request.routeOptions.url;
  if (!url || url.startsWith('/api/') || url.startsWith('/platform/')) return null;
  const slug = (request.params as { slug?: unknown } | undefined)?.slug;
  if (typeof slug !== 'string') return null;
  const key = slug.toLowerCase();
  const tenant = SLUG_RE.test(key) ? await services.tenants.bySlug(key) : null;
  return tenant?.status === 'active' ? tenant : null;
}

const releases = new WeakMap<FastifyRequest, () => void>();

/**
 * Counts one request against `bucket` (the practice's id for its staff, `<id>:public` for its public
 * pages: patients and strangers cannot use up the staff's allowance) or throws 429.
 */
export async function admitTenantRequest(request: FastifyRequest, reply: FastifyReply, services: Services, tenant: ResolvedTenant, bucket: string): Promise<void> {
  const admission = await services.limiter.admit(bucket, requestLimitsOf(tenant, services.config.protection.tenantLimitsScale));
  if (admission.kind === 'admitted') {
    releases.set(request, admission.release);
    // 'close' comes after the response or when the client goes away: a slot is never left held.
    reply.raw.once('close', admission.release);
    return;
  }
  const [code, detail] =
    admission.kind === 'rate_limited'
      ? (['tenant_rate_limited', 'This practice is sending requests faster than its plan allows'] as const)
      : (['tenant_concurrency_limited', 'This practice has as many requests in progress as its plan allows'] as const);
  throw new AppError(code, detail, { retryAfterSeconds: admission.retryAfterSeconds });
}

/** Adds the public-route admission and the slot release to the root scope (every route inherits them). */
export function installTenantAdmission(app: FastifyInstance, services: Services): void {
  app.addHook('onRequest', async (request, reply) => {
    const tenant = await publicTenant(request, services);
    if (tenant) await admitTenantRequest(request, reply, services, tenant, `${tenant.id}:public`);
  });
  app.addHook('onResponse', async (request) => {
    releases.get(request)?.();
  });
}
