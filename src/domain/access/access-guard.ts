/**
 * The lock-out guard: a practice always keeps an active member who can manage staff. Every change
 * to who holds which permission (role edits and deletion, role assignment, disabling and adding
 * members) first takes the practice's access lock, then checks the outcome before committing.
 */
import { AppError } from '../../errors/catalogue.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { Permission } from './permissions.ts';

/** The permission that must survive every change: without it nobody could repair the practice. */
export const GUARDED_PERMISSION: Permission = 'staff:manage';

/**
 * Serialises access changes within one practice until the transaction ends. Without it two admins
 * demoting each other at once would each see the other still in place and both commit. Call it
 * before reading anything the guard depends on: under READ COMMITTED every later statement then
 * sees what the previous holder committed.
 */
export async function lockAccess(tx: TenantTx): Promise<void> {
  // 7271020: the advisory-lock namespace of access changes; the second key is the practice.
  await tx.query('select pg_advisory_xact_lock(7271020, hashtext($1::text))', [tx.tenantId]);
}

/** Throws 409 `last_admin` when no active member holds `staff:manage` any more (call after the change, under the lock). */
export async function keepAStaffManager(tx: TenantTx): Promise<void> {
  const res = await tx.query<{ ok: boolean }>(
    `select exists (
       select 1 from staff_members s
         join member_roles mr on mr.tenant_id = s.tenant_id and mr.user_id = s.user_id
         join roles r on r.tenant_id = mr.tenant_id and r.id = mr.role_id
        where s.tenant_id = $1 and s.status = 'active' and $2 = any (r.permissions)) as ok`,
    [tx.tenantId, GUARDED_PERMISSION],
  );
  if (!res.rows[0]!.ok) {
    throw new AppError('last_admin', `The practice must keep at least one active staff member with the "${GUARDED_PERMISSION}" permission`);
  }
}

/**
 * No escalation: a signed-in member may only grant permissions they hold themselves, whether by
 * putting them in a role (create/edit) or by giving someone a role that carries them. Without it a
 * custom "office manager" role with `staff:manage` could create an all-permission role, or take the
 * built-in `admin` role, and hand it to itself. System and operator actors (provisioning, seeding)
 * are not limited.
 */
export function requireGrantable(ctx: TenantContext, permissions: Iterable<string>): void {
  if (ctx.actor.kind !== 'user') return;
  const missing = [...new Set(permissions)].filter((p) => !ctx.permissions.has(p));
  if (missing.length) {
    throw new AppError('permission_denied', `You can only grant permissions you hold yourself; you do not hold ${missing.sort().join(', ')}`);
  }
}
