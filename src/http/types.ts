/** Request decorations shared by the HTTP layer. */
import type { TenantContext } from '../tenancy/tenant-context.ts';
import type { ResolvedTenant } from '../tenancy/tenant-registry.ts';
import type { Permission } from '../domain/access/permissions.ts';
import type { Feature } from '../platform/plans.ts';
import type { WorkScope } from '../observability/work-scope.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The practice named by subdomain or X-Tenant (tenant routes only). */
    tenantRecord: ResolvedTenant | null;
    /** The authenticated staff context (routes behind `staffAuth`). */
    ctx: TenantContext;
    /** The authenticated operator id (routes under /platform behind `operatorAuth`). */
    operatorId: string;
    /** This request's unit of work: tenant attribution and database time (src/observability). */
    workScope: WorkScope;
  }
  interface FastifyContextConfig {
    /** The permission a staff route requires; checked before the handler runs. */
    permission?: Permission;
    /**
     * The plan feature a staff route belongs to (catalogue: src/platform/plans.ts). The staff-auth
     * preHandler refuses it with 403 `feature_not_in_plan` when the practice's plan (plus its
     * operator overrides) does not include it, before the permission check: a practice that does
     * not have the feature should see "not in your plan", not "ask your administrator". The check
     * reads the cached tenant record (no database round trip). Tag every route of a module:
     * `config: { permission: 'scheduling:write', feature: 'waitlist' }`. Routes outside staff
     * auth (patient links) call `requireFeature` from src/http/plugins/feature-gate.ts themselves.
     */
    feature?: Feature;
  }
}

export {};
