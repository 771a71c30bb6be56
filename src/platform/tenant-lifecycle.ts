/** Operator use cases on existing tenants: list, show, suspend, reactivate, delete (verified). */
import type { Database } from '../db/database.ts';
import { literal, uuidLiteral, ident } from '../db/sql-literal.ts';
import { asOwner, asPlatform } from '../tenancy/tenant-db.ts';
import { TENANT_TABLES } from '../tenancy/manifest.ts';
import { tenantFromRow, TENANT_COLUMNS, type TenantRecord } from '../tenancy/tenant-registry.ts';
import { isUuid } from '../db/sql-literal.ts';
import { AppError } from '../errors/catalogue.ts';
import { dropTenantSchema } from './tenant-provisioning.ts';

type Row = Parameters<typeof tenantFromRow>[0];

export interface TenantSummary extends TenantRecord {
  readonly users: number;
}

/** Lists tenants by creation order, with their member counts. */
export async function listTenants(db: Database): Promise<TenantSummary[]> {
  const res = await asPlatform(db, (tx) =>
    tx.query<Row & { users: number }>(
      `select ${TENANT_COLUMNS.split(', ').map((c) => 't.' + c).join(', ')},
              (select count(*)::int from memberships m where m.tenant_id = t.id) as users
         from tenants t order by t.created_at, t.id`,
    ),
  );
  return res.rows.map((r) => ({ ...tenantFromRow(r), users: r.users }));
}

/** Finds a tenant by id or slug; 404 when absent. */
export async function getTenant(db: Database, idOrSlug: string): Promise<TenantRecord> {
  const column = isUuid(idOrSlug) ? 'id' : 'slug';
  const res = await asPlatform(db, (tx) =>
    tx.query<Row>(`select ${TENANT_COLUMNS} from tenants where ${column} = $1`, [idOrSlug.toLowerCase()]),
  );
  if (!res.rows[0]) throw new AppError('tenant_not_found', `No practice "${idOrSlug}"`);
  return tenantFromRow(res.rows[0]);
}

/** Suspends a tenant: its staff get `tenant_suspended` and its refresh tokens stop working. */
export async function suspendTenant(db: Database, idOrSlug: string, reason: string): Promise<TenantRecord> {
  const tenant = await getTenant(db, idOrSlug);
  const res = await asPlatform(db, async (tx) => {
    await tx.query('update refresh_tokens set revoked_at = now() where tenant_id = $1 and revoked_at is null', [tenant.id]);
    return tx.query<Row>(
      `update tenants set status = 'suspended', suspended_reason = $2, suspended_at = now(), updated_at = now()
        where id = $1 returning ${TENANT_COLUMNS}`,
      [tenant.id, reason],
    );
  });
  return tenantFromRow(res.rows[0]!);
}

/** Lifts a suspension. */
export async function reactivateTenant(db: Database, idOrSlug: string): Promise<TenantRecord> {
  const tenant = await getTenant(db, idOrSlug);
  const res = await asPlatform(db, (tx) =>
    tx.query<Row>(
      `update tenants set status = 'active', suspended_reason = null, suspended_at = null, updated_at = now()
        where id = $1 returning ${TENANT_COLUMNS}`,
      [tenant.id],
    ),
  );
  return tenantFromRow(res.rows[0]!);
}

export interface DeletionReport {
  readonly tenant: TenantRecord;
  readonly rowsDeleted: Record<string, number>;
  /** Rows of this tenant still found after deletion, per table: all zero when verified. */
  readonly remaining: Record<string, number>;
  readonly verified: boolean;
}

/**
 * Deletes a tenant and all its data, then proves it: every manifest table is counted again for
 * the tenant's id (and a dedicated schema must no longer exist).
 */
export async function deleteTenant(db: Database, idOrSlug: string): Promise<DeletionReport> {
  const tenant = await getTenant(db, idOrSlug);
  const rowsDeleted: Record<string, number> = {};
  const context = `select set_config('app.tenant_id', ${uuidLiteral(tenant.id)}, true), set_config('search_path', ${literal(ident(tenant.schema))}, true)`;
  if (tenant.tier === 'schema') {
    await dropTenantSchema(db, tenant.schema);
  } else {
    await asOwner(db, async (tx) => {
      await tx.exec(context);
      for (const table of TENANT_TABLES) {
        const res = await tx.query(`delete from ${ident(table)} where tenant_id = $1`, [tenant.id]);
        rowsDeleted[table] = res.rowCount;
      }
    });
  }
  await asPlatform(db, (tx) => tx.query('delete from tenants where id = $1', [tenant.id]));

  const remaining: Record<string, number> = {};
  await asOwner(db, async (tx) => {
    const schema = await tx.query('select 1 from pg_namespace where nspname = $1', [tenant.schema]);
    if (tenant.tier === 'schema') remaining['schema'] = schema.rowCount;
    if (schema.rowCount > 0) {
      await tx.exec(context);
      for (const table of TENANT_TABLES) {
        const res = await tx.query<{ n: number }>(`select count(*)::int as n from ${ident(table)} where tenant_id = $1`, [tenant.id]);
        remaining[table] = res.rows[0]!.n;
      }
    }
    const cp = await tx.query<{ n: number }>(
      `select (select count(*) from platform.tenants where id = $1) + (select count(*) from platform.memberships where tenant_id = $1)
            + (select count(*) from platform.refresh_tokens where tenant_id = $1)
            + (select count(*) from platform.tenant_features where tenant_id = $1) as n`,
      [tenant.id],
    );
    remaining['control_plane'] = Number(cp.rows[0]!.n);
  });
  const verified = Object.values(remaining).every((n) => n === 0);
  return { tenant, rowsDeleted, remaining, verified };
}
