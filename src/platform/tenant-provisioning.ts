/** Creates a practice: control-plane row, first admin, built-in roles and default settings. */
import type { Database, Tx } from '../db/database.ts';
import { uuidv7 } from '../db/uuid.ts';
import { createTenantSchema, lockSchema, POOLED_SCHEMA } from '../db/migrator.ts';
import { asOwner, asPlatform, withTenant, type TenantRef, type Tier } from '../tenancy/tenant-db.ts';
import { dedicatedSchemaName } from '../tenancy/manifest.ts';
import { tenantFromRow, TENANT_COLUMNS, type TenantRecord } from '../tenancy/tenant-registry.ts';
import { BUILT_IN_ROLES } from '../domain/access/permissions.ts';
import { AppError, validationError } from '../errors/catalogue.ts';
import { DEFAULT_PLAN, isPlanKey, PLAN_KEYS } from './plans.ts';
import { isNameTaken } from './tenant-subdomain.ts';
import { hashPassword } from '../identity/password.ts';
import { ident } from '../db/sql-literal.ts';

export interface NewTenantInput {
  readonly slug: string;
  readonly name: string;
  readonly tier: Tier;
  readonly plan?: string;
  readonly timeZone?: string;
  readonly currency?: string;
  readonly admin: { readonly email: string; readonly password: string; readonly name: string };
}

export interface CreatedTenant {
  readonly tenant: TenantRecord;
  readonly admin: { readonly id: string; readonly email: string; readonly existingUser: boolean };
  readonly elapsedMs: number;
}

/** Seeds roles, settings and the admin's staff record inside the new tenant's context. */
async function seedTenantData(tx: Tx, tenantId: string, admin: { id: string; email: string; name: string }, input: NewTenantInput): Promise<void> {
  await tx.query('insert into settings (tenant_id, time_zone, currency) values ($1, $2, $3)', [
    tenantId,
    input.timeZone ?? 'America/New_York',
    input.currency ?? 'USD',
  ]);
  const roleIds = BUILT_IN_ROLES.map(() => uuidv7());
  await tx.query(
    `insert into roles (tenant_id, id, key, name, description, permissions, built_in)
     select $1, r.id, r.key, r.name, r.description, array(select jsonb_array_elements_text(r.permissions)), true
       from jsonb_to_recordset($2::jsonb) as r(id uuid, key text, name text, description text, permissions jsonb)`,
    [tenantId, JSON.stringify(BUILT_IN_ROLES.map((r, i) => ({ ...r, id: roleIds[i] })))],
  );
  await tx.query('insert into staff_members (tenant_id, user_id, email, display_name) values ($1, $2, $3, $4)', [
    tenantId,
    admin.id,
    admin.email,
    admin.name,
  ]);
  await tx.query(`insert into member_roles (tenant_id, user_id, role_id) select $1, $2, id from roles where tenant_id = $1 and key = 'admin'`, [
    tenantId,
    admin.id,
  ]);
}

/**
 * Creates a tenant end to end. A pooled tenant is one transaction; a dedicated-schema tenant first
 * gets its schema migrated (DDL as owner), which is dropped again if the rest fails.
 */
export async function createTenant(db: Database, input: NewTenantInput): Promise<CreatedTenant> {
  const started = performance.now();
  if (input.plan !== undefined && !isPlanKey(input.plan)) throw validationError([{ field: 'plan', message: `must be one of ${PLAN_KEYS.join(', ')}` }]);
  const id = uuidv7();
  const schema = input.tier === 'schema' ? dedicatedSchemaName(id) : POOLED_SCHEMA;
  const email = input.admin.email.trim().toLowerCase();
  const passwordHash = await hashPassword(input.admin.password);

  // Slugs and custom subdomains share one namespace (migration 0005; its trigger settles races).
  const taken = await asPlatform(db, (tx) => tx.query('select 1 from tenants where slug = $1 or subdomain = $1', [input.slug]));
  if (taken.rowCount > 0) throw new AppError('slug_taken', `The slug "${input.slug}" is already in use`);

  if (input.tier === 'schema') await createTenantSchema(db, ident(schema));
  try {
    const ref: TenantRef = { id, slug: input.slug, tier: input.tier, schema };
    const result = await withTenant(db, ref, async (tx) => {
      // Control-plane rows and tenant seed data commit together: no half-created practice.
      const inserted = await tx.query<Parameters<typeof tenantFromRow>[0]>(
        `insert into platform.tenants (id, slug, name, tier, schema_name, plan)
         values ($1, $2, $3, $4, $5, $6) on conflict (slug) do nothing returning ${TENANT_COLUMNS}`,
        [id, input.slug, input.name, input.tier, schema, input.plan ?? DEFAULT_PLAN],
      );
      if (!inserted.rows[0]) throw new AppError('slug_taken', `The slug "${input.slug}" is already in use`);
      const user = await tx.query<{ id: string; existing: boolean }>(
        `with ins as (
           insert into platform.users (id, email, name, password_hash) values ($1, $2, $3, $4)
           on conflict ((lower(email))) do nothing returning id)
         select id, false as existing from ins
         union all select id, true from platform.users where lower(email) = $2 and not exists (select 1 from ins)`,
        [uuidv7(), email, input.admin.name, passwordHash],
      );
      const admin = user.rows[0]!;
      await tx.query('insert into platform.memberships (user_id, tenant_id) values ($1, $2)', [admin.id, id]);
      await seedTenantData(tx, id, { id: admin.id, email, name: input.admin.name }, input);
      return { tenant: tenantFromRow(inserted.rows[0]), admin: { id: admin.id, email, existingUser: admin.existing } };
    });
    return { ...result, elapsedMs: performance.now() - started };
  } catch (err) {
    if (input.tier === 'schema') await dropTenantSchema(db, schema).catch(() => undefined);
    if (isNameTaken(err)) throw new AppError('slug_taken', `The slug "${input.slug}" is already in use`);
    throw err;
  }
}

/** Drops a dedicated schema and its ledger rows. */
export async function dropTenantSchema(db: Database, schema: string): Promise<void> {
  await asOwner(db, async (tx) => {
    // The migrators' lock: a migrator that listed this schema waits, then sees it gone and skips it.
    await lockSchema(tx, schema);
    await tx.exec(`drop schema if exists ${ident(schema)} cascade`);
    await tx.query('delete from platform.schema_migrations where schema_name = $1', [schema]);
  });
}
