/** Adds a person to a practice: global identity (created or reused), membership, staff record, roles. */
import type { Database } from '../db/database.ts';
import { uuidv7 } from '../db/uuid.ts';
import { withTenant, type TenantRef } from '../tenancy/tenant-db.ts';
import { hashPassword } from '../identity/password.ts';
import { validationError } from '../errors/catalogue.ts';

export interface NewStaffInput {
  readonly email: string;
  readonly name: string;
  /** Used only when the person has no HealthTrack identity yet. */
  readonly password: string;
  readonly roles: readonly string[];
}

export async function addStaffMember(db: Database, tenant: TenantRef, input: NewStaffInput): Promise<{ userId: string }> {
  const email = input.email.trim().toLowerCase();
  const hash = await hashPassword(input.password);
  return withTenant(db, tenant, async (tx) => {
    const user = await tx.query<{ id: string }>(
      `with ins as (
         insert into platform.users (id, email, name, password_hash) values ($1, $2, $3, $4)
         on conflict ((lower(email))) do nothing returning id)
       select id from ins union all select id from platform.users where lower(email) = $2 and not exists (select 1 from ins)`,
      [uuidv7(), email, input.name, hash],
    );
    const userId = user.rows[0]!.id;
    await tx.query('insert into platform.memberships (user_id, tenant_id) values ($1, $2) on conflict do nothing', [userId, tx.tenantId]);
    await tx.query(
      'insert into staff_members (tenant_id, user_id, email, display_name) values ($1, $2, $3, $4) on conflict do nothing',
      [tx.tenantId, userId, email, input.name],
    );
    const roles = await tx.query(
      `insert into member_roles (tenant_id, user_id, role_id)
       select $1, $2, id from roles where tenant_id = $1 and key = any($3) on conflict do nothing returning role_id`,
      [tx.tenantId, userId, input.roles],
    );
    if (roles.rowCount !== input.roles.length) {
      throw validationError([{ field: 'roles', message: 'contains an unknown role' }]);
    }
    return { userId };
  });
}
