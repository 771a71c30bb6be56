/** Resolves what a staff member may do right now, from the tenant's role data. */
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { isPermission, type Permission } from './permissions.ts';

export interface Access {
  /** False when the staff record is missing or disabled. */
  readonly active: boolean;
  readonly roles: readonly string[];
  readonly permissions: ReadonlySet<Permission>;
}

/** One query: the member's active status, role keys and the union of their permissions. */
export async function loadPermissions(ctx: TenantContext, userId: string): Promise<Access> {
  const res = await ctx.statement<{ status: string; roles: string[] | null; permissions: string[] | null }>(
      `select s.status,
              array(select r.key from member_roles mr join roles r on r.tenant_id = mr.tenant_id and r.id = mr.role_id
                     where mr.tenant_id = s.tenant_id and mr.user_id = s.user_id order by r.key) as roles,
              array(select distinct p from member_roles mr join roles r on r.tenant_id = mr.tenant_id and r.id = mr.role_id,
                     unnest(r.permissions) as p where mr.tenant_id = s.tenant_id and mr.user_id = s.user_id) as permissions
         from staff_members s where s.tenant_id = $1 and s.user_id = $2`,
    [ctx.tenant.id, userId],
  );
  const row = res.rows[0];
  if (!row || row.status !== 'active') return { active: false, roles: [], permissions: new Set() };
  return {
    active: true,
    roles: row.roles ?? [],
    permissions: new Set((row.permissions ?? []).filter(isPermission)),
  };
}
