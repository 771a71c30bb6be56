/** Resolves what a staff member may do right now, from the tenant's role data. */
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { isPermission, type Permission } from './permissions.ts';

export interface Access {
  /** False when the staff record is missing or disabled. */
  readonly active: boolean;
  readonly roles: readonly string[];
  readonly permissions: ReadonlySet<Permission>;
  /**
   * A digest of status and permissions as the database computes them (see
   * `ACCESS_FINGERPRINT`); null when there is no staff record. Two loads with the same
   * fingerprint grant exactly the same access.
   */
  readonly fingerprint: string | null;
}

/** The member's role keys, sorted; `s` is their `staff_members` row. */
const ROLE_KEYS = `array(select r.key from member_roles mr join roles r on r.tenant_id = mr.tenant_id and r.id = mr.role_id
                     where mr.tenant_id = s.tenant_id and mr.user_id = s.user_id order by r.key)`;
/** The union of the member's role permissions, sorted. */
const PERMISSIONS = `array(select distinct p from member_roles mr join roles r on r.tenant_id = mr.tenant_id and r.id = mr.role_id,
                     unnest(r.permissions) as p where mr.tenant_id = s.tenant_id and mr.user_id = s.user_id order by p)`;

/**
 * SQL for the digest of what authorises a request — status and permissions — over the
 * `staff_members` row `s`. Its one definition is the database function `access_fingerprint`
 * (tenant migration 0022), which the access guard (`assert_access`, access-check.ts) also calls: the
 * cached and the current access can never be compared by two different definitions.
 */
export const ACCESS_FINGERPRINT = 'access_fingerprint(s.tenant_id, s.user_id)';

/** One query: the member's active status, role keys, the union of their permissions and its digest. */
export async function loadPermissions(ctx: TenantContext, userId: string): Promise<Access> {
  const res = await ctx.statement<{ status: string; roles: string[] | null; permissions: string[] | null; fingerprint: string }>(
    `select s.status, ${ROLE_KEYS} as roles, ${PERMISSIONS} as permissions, ${ACCESS_FINGERPRINT} as fingerprint
       from staff_members s where s.tenant_id = $1 and s.user_id = $2`,
    [ctx.tenant.id, userId],
  );
  const row = res.rows[0];
  if (!row) return { active: false, roles: [], permissions: new Set(), fingerprint: null };
  if (row.status !== 'active') return { active: false, roles: [], permissions: new Set(), fingerprint: row.fingerprint };
  return {
    active: true,
    roles: row.roles ?? [],
    permissions: new Set((row.permissions ?? []).filter(isPermission)),
    fingerprint: row.fingerprint,
  };
}
