/** Resolves what a staff member may do right now, from the tenant's role data. */
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { isPermission, type Permission } from './permissions.ts';

export interface Access {
  /** False when the staff record is missing or disabled. */
  readonly active: boolean;
  readonly roles: readonly string[];
  readonly permissions: ReadonlySet<Permission>;
  /**
   * The member's access version (`staff_members.access_version`, tenant migration 0023): every
   * change to their status, their roles or those roles' permissions moves it up, by trigger in the
   * changing transaction. Null when there is no staff record. Two loads at the same version grant
   * exactly the same access.
   */
  readonly version: number | null;
}

/** The member's role keys, sorted; `s` is their `staff_members` row. */
const ROLE_KEYS = `array(select r.key from member_roles mr join roles r on r.tenant_id = mr.tenant_id and r.id = mr.role_id
                     where mr.tenant_id = s.tenant_id and mr.user_id = s.user_id order by r.key)`;
/** The union of the member's role permissions, sorted. */
const PERMISSIONS = `array(select distinct p from member_roles mr join roles r on r.tenant_id = mr.tenant_id and r.id = mr.role_id,
                     unnest(r.permissions) as p where mr.tenant_id = s.tenant_id and mr.user_id = s.user_id order by p)`;

/** One query: the member's active status, role keys, the union of their permissions and the access version. */
export async function loadPermissions(ctx: TenantContext, userId: string): Promise<Access> {
  const res = await ctx.statement<{ status: string; roles: string[] | null; permissions: string[] | null; version: number }>(
    `select s.status, ${ROLE_KEYS} as roles, ${PERMISSIONS} as permissions, s.access_version as version
       from staff_members s where s.tenant_id = $1 and s.user_id = $2`,
    [ctx.tenant.id, userId],
  );
  const row = res.rows[0];
  if (!row) return { active: false, roles: [], permissions: new Set(), version: null };
  if (row.status !== 'active') return { active: false, roles: [], permissions: new Set(), version: Number(row.version) };
  return {
    active: true,
    roles: row.roles ?? [],
    permissions: new Set((row.permissions ?? []).filter(isPermission)),
    version: Number(row.version),
  };
}
