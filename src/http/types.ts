/** Request decorations shared by the HTTP layer. */
import type { TenantContext } from '../tenancy/tenant-context.ts';
import type { TenantRecord } from '../tenancy/tenant-registry.ts';
import type { Permission } from '../domain/access/permissions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The practice named by subdomain or X-Tenant (tenant routes only). */
    tenantRecord: TenantRecord | null;
    /** The authenticated staff context (routes behind `staffAuth`). */
    ctx: TenantContext;
    /** The authenticated operator id (routes under /platform behind `operatorAuth`). */
    operatorId: string;
  }
  interface FastifyContextConfig {
    /** The permission a staff route requires; checked before the handler runs. */
    permission?: Permission;
  }
}

export {};
