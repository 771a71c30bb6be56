/**
 * Counts every request of a practice for usage metering (src/platform/usage-meter.ts): one request,
 * an error when the answer is 5xx, the request's database time, and the signed-in staff user as
 * active today. A request belongs to the practice it was resolved for (X-Tenant or subdomain) or,
 * failing that, whose data it touched; operator and anonymous platform requests belong to none.
 * Memory only: the meter flushes to the database on its own timer.
 */
import type { FastifyInstance } from 'fastify';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { UsageMeter } from '../../platform/usage-meter.ts';

export function installUsageMetering(app: FastifyInstance, meter: UsageMeter): void {
  app.addHook('onResponse', (request, reply, done) => {
    const scope = request.workScope;
    const tenantId = request.tenantRecord?.id ?? scope?.tenantId ?? null;
    if (tenantId) {
      meter.count(tenantId, { requests: 1, errors: reply.statusCode >= 500 ? 1 : 0, dbMs: scope?.dbMs ?? 0 });
      // `ctx` exists only once staff auth accepted the token, and only for that practice.
      const ctx = request.ctx as TenantContext | undefined;
      if (ctx?.actor.kind === 'user' && ctx.actor.id && ctx.tenant.id === tenantId) meter.activeUser(tenantId, ctx.actor.id);
    }
    done();
  });
}
