/**
 * Staff of a practice: list, add (a new or existing HealthTrack identity), change roles, disable and
 * re-enable. Spans both planes (identity and membership in `platform`, staff record and roles in
 * the tenant's data) in one transaction, so a half-added person cannot exist.
 */
import { AppError, notFound, validationError } from '../errors/catalogue.ts';
import { isUuid } from '../db/sql-literal.ts';
import { uuidv7 } from '../db/uuid.ts';
import type { Database } from '../db/database.ts';
import type { TenantRef, TenantTx } from '../tenancy/tenant-db.ts';
import { tenantContext, type TenantContext } from '../tenancy/tenant-context.ts';
import { hashPassword } from '../identity/password.ts';
import { recordAudit } from '../domain/audit/audit-log.ts';
import { keepAStaffManager, lockAccess, requireGrantable } from '../domain/access/access-guard.ts';
import { planOf } from './plans.ts';

export interface StaffMember {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly status: 'active' | 'disabled';
  roles: string[];
  readonly createdAt: string;
}

interface Row {
  user_id: string;
  email: string;
  display_name: string;
  status: 'active' | 'disabled';
  roles: string[];
  created_at: Date;
}

const SELECT = `select s.user_id, s.email, s.display_name, s.status, s.created_at,
  array(select r.key from member_roles mr join roles r on r.tenant_id = mr.tenant_id and r.id = mr.role_id
         where mr.tenant_id = s.tenant_id and mr.user_id = s.user_id order by r.key) as roles
  from staff_members s`;

function toStaff(r: Row): StaffMember {
  return { userId: r.user_id, email: r.email, name: r.display_name, status: r.status, roles: r.roles, createdAt: new Date(r.created_at).toISOString() };
}

async function readMember(tx: TenantTx, userId: string): Promise<StaffMember> {
  const res = await tx.query<Row>(`${SELECT} where s.tenant_id = $1 and s.user_id = $2`, [tx.tenantId, userId]);
  if (!res.rows[0]) throw notFound('staff member');
  return toStaff(res.rows[0]);
}

/** Replaces a member's roles; unknown role keys are a field error on `roles`. */
async function assignRoles(tx: TenantTx, userId: string, roles: readonly string[]): Promise<void> {
  const known = await tx.query<{ id: string; key: string }>('select id, key from roles where tenant_id = $1 and key = any($2)', [tx.tenantId, roles]);
  const unknown = roles.filter((k) => !known.rows.some((r) => r.key === k));
  if (unknown.length) throw validationError([{ field: 'roles', message: `unknown role(s): ${unknown.join(', ')}` }]);
  await tx.query('delete from member_roles where tenant_id = $1 and user_id = $2', [tx.tenantId, userId]);
  await tx.query('insert into member_roles (tenant_id, user_id, role_id) select $1, $2, unnest($3::uuid[])', [
    tx.tenantId,
    userId,
    known.rows.map((r) => r.id),
  ]);
}

/** Refuses giving roles whose permissions the signed-in member lacks (see requireGrantable). */
async function checkGrantable(ctx: TenantContext, tx: TenantTx, roleKeys: readonly string[]): Promise<void> {
  if (ctx.actor.kind !== 'user' || roleKeys.length === 0) return;
  const res = await tx.query<{ permissions: string[] }>('select permissions from roles where tenant_id = $1 and key = any($2)', [tx.tenantId, [...roleKeys]]);
  requireGrantable(ctx, res.rows.flatMap((r) => r.permissions));
}

/**
 * Refuses taking away (removing roles, disabling, or re-enabling someone) access that includes
 * permissions the signed-in member lacks: one may only take away what one could also grant, so a
 * limited manager cannot demote or lock out an administrator.
 */
async function checkRevocable(ctx: TenantContext, tx: TenantTx, roleKeys: readonly string[]): Promise<void> {
  if (ctx.actor.kind !== 'user' || roleKeys.length === 0) return;
  const res = await tx.query<{ permissions: string[] }>('select permissions from roles where tenant_id = $1 and key = any($2)', [tx.tenantId, [...roleKeys]]);
  const missing = [...new Set(res.rows.flatMap((r) => r.permissions))].filter((p) => !ctx.permissions.has(p));
  if (missing.length) {
    throw new AppError('permission_denied', `You can only change access that you could grant yourself; this member's access includes ${missing.sort().join(', ')}`);
  }
}

/**
 * Refuses one more active member beyond the plan's staff seats (409 `plan_limit_reached`). A
 * practice moved to a smaller plan keeps the members it has; it just cannot add or re-enable more.
 */
async function claimSeat(tx: TenantTx): Promise<void> {
  const res = await tx.query<{ plan: string; active: number }>(
    `select t.plan, (select count(*)::int from staff_members s where s.tenant_id = $1 and s.status = 'active') as active
       from platform.tenants t where t.id = $1`,
    [tx.tenantId],
  );
  const row = res.rows[0]!;
  const plan = planOf(row.plan);
  if (row.active >= plan.limits.staffSeats) {
    throw new AppError('plan_limit_reached', `The ${plan.name} plan includes ${plan.limits.staffSeats} active staff members, and all seats are taken`);
  }
}

export async function listStaff(ctx: TenantContext): Promise<StaffMember[]> {
  return ctx.tx(async (tx) => (await tx.query<Row>(`${SELECT} where s.tenant_id = $1 order by lower(s.display_name), s.user_id`, [tx.tenantId])).rows.map(toStaff));
}

export interface AddStaffInput {
  readonly email: string;
  readonly name: string;
  /** Needed only when the person has no HealthTrack identity yet; ignored otherwise. */
  readonly password?: string | undefined;
  roles: string[];
}

/** Adds a person to this practice (creating their identity if new). 409-free: re-adding an existing member updates nothing. */
export async function addStaff(ctx: TenantContext, input: AddStaffInput): Promise<StaffMember> {
  const email = input.email.trim().toLowerCase();
  return ctx.tx(async (tx) => {
    await lockAccess(tx); // seats are counted under it
    const existing = await tx.query<{ id: string }>('select id from platform.users where lower(email) = $1', [email]);
    let userId = existing.rows[0]?.id;
    if (!userId) {
      if (!input.password) throw validationError([{ field: 'password', message: 'is required for a person new to HealthTrack' }]);
      userId = uuidv7();
      // Hashed only for a new identity (an existing one keeps its password): a rare, admin-only path.
      const hash = await hashPassword(input.password);
      const inserted = await tx.query<{ id: string }>(
        'insert into platform.users (id, email, name, password_hash) values ($1, $2, $3, $4) on conflict ((lower(email))) do nothing returning id',
        [userId, email, input.name, hash],
      );
      // A concurrent request may have created the identity meanwhile: join it.
      userId = inserted.rows[0]?.id ?? (await tx.query<{ id: string }>('select id from platform.users where lower(email) = $1', [email])).rows[0]!.id;
    }
    const member = await tx.query('select 1 from staff_members where tenant_id = $1 and user_id = $2', [tx.tenantId, userId]);
    if (member.rowCount > 0) throw validationError([{ field: 'email', message: 'already belongs to a staff member of this practice' }]);
    await checkGrantable(ctx, tx, input.roles);
    await claimSeat(tx);
    await tx.query('insert into platform.memberships (user_id, tenant_id) values ($1, $2) on conflict do nothing', [userId, tx.tenantId]);
    await tx.query('insert into staff_members (tenant_id, user_id, email, display_name) values ($1, $2, $3, $4)', [tx.tenantId, userId, email, input.name]);
    await assignRoles(tx, userId, input.roles);
    await recordAudit(tx, ctx, { action: 'staff.add', resourceType: 'staff', resourceId: userId, details: { roles: input.roles, existingIdentity: Boolean(existing.rows[0]) } });
    return readMember(tx, userId);
  });
}

/** Replaces a member's roles; takes effect on their next request. */
export async function setStaffRoles(ctx: TenantContext, userId: string, roles: string[]): Promise<StaffMember> {
  if (!isUuid(userId)) throw notFound('staff member');
  return ctx.tx(async (tx) => {
    await lockAccess(tx);
    const current = await readMember(tx, userId);
    await checkGrantable(ctx, tx, roles.filter((k) => !current.roles.includes(k)));
    await checkRevocable(ctx, tx, current.roles.filter((k) => !roles.includes(k)));
    await assignRoles(tx, userId, roles);
    await keepAStaffManager(tx);
    await recordAudit(tx, ctx, { action: 'staff.roles', resourceType: 'staff', resourceId: userId, details: { roles } });
    return readMember(tx, userId);
  });
}

/** Disables or re-enables a member's access to this practice (their sessions here stop at once). */
export async function setStaffActive(ctx: TenantContext, userId: string, active: boolean): Promise<StaffMember> {
  if (!isUuid(userId)) throw notFound('staff member');
  if (!active && userId === ctx.actor.id) throw new AppError('validation_failed', 'You cannot disable your own access', { errors: [{ field: 'userId', message: 'is you' }] });
  return ctx.tx(async (tx) => {
    await lockAccess(tx);
    const current = await readMember(tx, userId);
    await checkRevocable(ctx, tx, current.roles);
    if (active && current.status !== 'active') await claimSeat(tx);
    const status = active ? 'active' : 'disabled';
    await tx.query('update staff_members set status = $3 where tenant_id = $1 and user_id = $2', [tx.tenantId, userId, status]);
    await tx.query('update platform.memberships set status = $3 where tenant_id = $1 and user_id = $2', [tx.tenantId, userId, status]);
    if (!active) {
      await tx.query('update platform.refresh_tokens set revoked_at = now() where tenant_id = $1 and subject_id = $2 and revoked_at is null', [tx.tenantId, userId]);
      await keepAStaffManager(tx);
    }
    await recordAudit(tx, ctx, { action: active ? 'staff.enable' : 'staff.disable', resourceType: 'staff', resourceId: userId });
    return readMember(tx, userId);
  });
}

/** Adds staff as the system (seeding, CLI, tests): the same use case with a system actor. */
export async function addStaffMember(db: Database, tenant: TenantRef, input: AddStaffInput): Promise<{ userId: string }> {
  const member = await addStaff(tenantContext(db, { tenant, actor: { kind: 'system', id: null } }), input);
  return { userId: member.userId };
}
