/**
 * The practice's roles: the built-in ones (read-only) and custom roles made from the permission
 * catalogue. Changes take effect on each holder's next request (permissions are loaded per
 * request), and never leave the practice without an active member who can manage staff.
 */
import { AppError, notFound, validationError, type FieldError } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import { uuidv7 } from '../../db/uuid.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { sentFields } from '../patch.ts';
import { ALL_PERMISSIONS, isPermission, type Permission } from './permissions.ts';
import { keepAStaffManager, lockAccess, requireGrantable } from './access-guard.ts';

export interface RoleView {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly builtIn: boolean;
  readonly permissions: string[];
  /** How many staff members hold the role. */
  readonly members: number;
}

export interface NewRole {
  readonly key: string;
  readonly name: string;
  readonly description?: string | undefined;
  readonly permissions: readonly string[];
}

/** The editable fields of a custom role (its key is fixed: staff assignments and tokens name it). */
export interface RolePatch {
  readonly name?: string | undefined;
  readonly description?: string | undefined;
  readonly permissions?: readonly string[] | undefined;
}

interface Row {
  id: string;
  key: string;
  name: string;
  description: string;
  built_in: boolean;
  permissions: string[];
  members: number;
}

const SELECT = `select r.id, r.key, r.name, r.description, r.built_in, r.permissions,
  (select count(*)::int from member_roles mr where mr.tenant_id = r.tenant_id and mr.role_id = r.id) as members
  from roles r`;

function toView(r: Row): RoleView {
  return { id: r.id, key: r.key, name: r.name, description: r.description, builtIn: r.built_in, permissions: r.permissions, members: r.members };
}

async function readRole(tx: TenantTx, id: string): Promise<RoleView> {
  const res = await tx.query<Row>(`${SELECT} where r.tenant_id = $1 and r.id = $2`, [tx.tenantId, id]);
  if (!res.rows[0]) throw notFound('role');
  return toView(res.rows[0]);
}

/** Checks each entry against the catalogue (naming `permissions[i]`) and returns them in catalogue order. */
function catalogued(permissions: readonly string[]): Permission[] {
  const errors: FieldError[] = [];
  permissions.forEach((p, i) => {
    if (!isPermission(p)) errors.push({ field: `permissions[${i}]`, message: `"${p}" is not a permission; GET /api/permissions lists them` });
  });
  if (errors.length) throw validationError(errors);
  const chosen = new Set(permissions);
  return ALL_PERMISSIONS.filter((p) => chosen.has(p));
}

export async function listRoles(ctx: TenantContext): Promise<RoleView[]> {
  const res = await ctx.tx((tx) => tx.query<Row>(`${SELECT} where r.tenant_id = $1 order by r.built_in desc, r.name, r.id`, [tx.tenantId]));
  return res.rows.map(toView);
}

export async function getRole(ctx: TenantContext, id: string): Promise<RoleView> {
  if (!isUuid(id)) throw notFound('role');
  return ctx.tx((tx) => readRole(tx, id));
}

/** Creates a custom role; a key already used by any role of the practice is `already_exists`. */
export async function createRole(ctx: TenantContext, input: NewRole): Promise<RoleView> {
  const permissions = catalogued(input.permissions);
  requireGrantable(ctx, permissions);
  return ctx.tx(async (tx) => {
    await lockAccess(tx);
    const taken = await tx.query('select 1 from roles where tenant_id = $1 and key = $2', [tx.tenantId, input.key]);
    if (taken.rowCount > 0) throw new AppError('already_exists', `The practice already has a role "${input.key}"`, { errors: [{ field: 'key', message: 'is already used by another role' }] });
    const id = uuidv7();
    await tx.query('insert into roles (tenant_id, id, key, name, description, permissions, built_in) values ($1, $2, $3, $4, $5, $6, false)', [
      tx.tenantId,
      id,
      input.key,
      input.name,
      input.description ?? '',
      permissions,
    ]);
    await recordAudit(tx, ctx, { action: 'role.create', resourceType: 'role', resourceId: id, details: { key: input.key, permissions } });
    return readRole(tx, id);
  });
}

/** Edits a custom role; built-in roles are read-only. Removing `staff:manage` is refused if it was the last holder's. */
export async function updateRole(ctx: TenantContext, id: string, patch: RolePatch): Promise<RoleView> {
  if (!isUuid(id)) throw notFound('role');
  const fields = sentFields(patch).map(([k]) => k);
  const permissions = patch.permissions === undefined ? undefined : catalogued(patch.permissions);
  return ctx.tx(async (tx) => {
    await lockAccess(tx);
    const before = await readRole(tx, id);
    if (before.builtIn) throw new AppError('built_in_role', `"${before.key}" is a built-in role and cannot be changed; create a custom role with the permissions you need`);
    requireGrantable(ctx, permissions?.filter((p) => !before.permissions.includes(p)) ?? []);
    await tx.query(
      `update roles set name = coalesce($3, name), description = coalesce($4, description), permissions = coalesce($5, permissions)
        where tenant_id = $1 and id = $2`,
      [tx.tenantId, id, patch.name ?? null, patch.description ?? null, permissions ?? null],
    );
    const added = permissions?.filter((p) => !before.permissions.includes(p)) ?? [];
    const removed = permissions ? before.permissions.filter((p) => !(permissions as string[]).includes(p)) : [];
    if (removed.length) await keepAStaffManager(tx);
    await recordAudit(tx, ctx, { action: 'role.update', resourceType: 'role', resourceId: id, details: { key: before.key, fields, added, removed } });
    return readRole(tx, id);
  });
}

/**
 * Deletes a custom role. Refused (409 `role_in_use`) while anyone holds it: deleting would silently
 * change what those people can do, and could leave someone with no role at all. Reassign first.
 */
export async function deleteRole(ctx: TenantContext, id: string): Promise<void> {
  if (!isUuid(id)) throw notFound('role');
  await ctx.tx(async (tx) => {
    await lockAccess(tx);
    const role = await readRole(tx, id);
    if (role.builtIn) throw new AppError('built_in_role', `"${role.key}" is a built-in role and cannot be deleted`);
    if (role.members > 0) {
      throw new AppError('role_in_use', `The role "${role.key}" is assigned to ${role.members} staff member(s); give them other roles first`);
    }
    await tx.query('delete from roles where tenant_id = $1 and id = $2', [tx.tenantId, id]);
    await recordAudit(tx, ctx, { action: 'role.delete', resourceType: 'role', resourceId: id, details: { key: role.key, permissions: role.permissions } });
  });
}
