/**
 * What a practice uses, for the operator console: counts of its records, its storage, its last
 * activity and its schema's migration version.
 *
 * Decision: a practice's data can only be read under its own tenant context (RLS is forced on every
 * role), so nothing can count all practices in one statement. Measuring is therefore per practice
 * (`measureTenantUsage`, run when an operator opens the practice or asks for a batch), and each
 * measurement is kept in `platform.tenant_usage`; the paged list reads those snapshots with the
 * tenants in one query, so listing thousands of practices costs one query per page.
 */
import type { Database } from '../db/database.ts';
import { ident } from '../db/sql-literal.ts';
import { loadMigrations } from '../db/migrations.ts';
import { asPlatform, withTenant } from '../tenancy/tenant-db.ts';
import { TENANT_TABLES } from '../tenancy/manifest.ts';
import { tenantFromRow, TENANT_COLUMNS, type TenantRecord, type TenantStatus } from '../tenancy/tenant-registry.ts';
import { getTenant } from './tenant-lifecycle.ts';
import { planOf } from './plans.ts';

export interface TenantUsage {
  readonly patients: number;
  readonly activeStaff: number;
  /** Appointments starting in the 30 days before the measurement. */
  readonly appointmentsLast30Days: number;
  readonly invoices: number;
  readonly storageBytes: number;
  /** True for a pooled practice: see `STORAGE_ESTIMATE`. */
  readonly storageEstimated: boolean;
  /** The newest entry of its audit trail (changes, not reads), or null when it has none. */
  readonly lastActivityAt: string | null;
  readonly measuredAt: string;
}

/** How a pooled practice's storage is estimated; shown to operators next to the figure. */
export const STORAGE_ESTIMATE =
  "Pooled practice: the summed size of its own rows in every table (pg_column_size); shared indexes and page overhead are not included, so the real footprint is somewhat larger.";
export const STORAGE_MEASURED = 'Dedicated schema: pg_total_relation_size of every table in it, indexes and TOAST included.';

interface UsageRow {
  patients: number;
  active_staff: number;
  appointments_30d: number;
  invoices: number;
  storage_bytes: string | number;
  storage_estimated: boolean;
  last_activity_at: Date | null;
  measured_at: Date;
}

function usageFromRow(r: UsageRow): TenantUsage {
  return {
    patients: r.patients,
    activeStaff: r.active_staff,
    appointmentsLast30Days: r.appointments_30d,
    invoices: r.invoices,
    storageBytes: Number(r.storage_bytes),
    storageEstimated: r.storage_estimated,
    lastActivityAt: r.last_activity_at ? new Date(r.last_activity_at).toISOString() : null,
    measuredAt: new Date(r.measured_at).toISOString(),
  };
}

/** The size of a pooled practice's rows: one statement over every tenant table, under its context. */
const POOLED_BYTES_SQL = TENANT_TABLES.map((t) => `select coalesce(sum(pg_column_size(x.*)), 0)::bigint as b from ${ident(t)} x where x.tenant_id = $1`).join(
  ' union all ',
);

/** Measures one practice now and keeps the result as its latest snapshot. */
export async function measureTenantUsage(db: Database, tenant: TenantRecord): Promise<TenantUsage> {
  const counts = await withTenant(db, tenant, async (tx) => {
    const res = await tx.query<Omit<UsageRow, 'storage_bytes' | 'storage_estimated' | 'measured_at'>>(
      `select (select count(*)::int from patients where tenant_id = $1) as patients,
              (select count(*)::int from staff_members where tenant_id = $1 and status = 'active') as active_staff,
              (select count(*)::int from appointments where tenant_id = $1 and starts_at >= now() - interval '30 days' and starts_at < now()) as appointments_30d,
              (select count(*)::int from invoices where tenant_id = $1 and kind = 'invoice') as invoices,
              (select occurred_at from audit_events where tenant_id = $1 and action not like '%.read' order by id desc limit 1) as last_activity_at`,
      [tx.tenantId],
    );
    const bytes =
      tenant.tier === 'pooled'
        ? await tx.query<{ b: string }>(`select coalesce(sum(b), 0)::bigint as b from (${POOLED_BYTES_SQL}) s`, [tx.tenantId])
        : await tx.query<{ b: string }>(
            `select coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint as b
               from pg_class c join pg_namespace n on n.oid = c.relnamespace
              where n.nspname = $1 and c.relkind in ('r', 'p', 'm')`,
            [tenant.schema],
          );
    return { ...res.rows[0]!, storage_bytes: bytes.rows[0]!.b };
  });
  const saved = await asPlatform(db, (tx) =>
    tx.query<UsageRow>(
      `insert into tenant_usage (tenant_id, patients, active_staff, appointments_30d, invoices, storage_bytes, storage_estimated, last_activity_at, measured_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, now())
       on conflict (tenant_id) do update set patients = excluded.patients, active_staff = excluded.active_staff,
         appointments_30d = excluded.appointments_30d, invoices = excluded.invoices, storage_bytes = excluded.storage_bytes,
         storage_estimated = excluded.storage_estimated, last_activity_at = excluded.last_activity_at, measured_at = excluded.measured_at
       returning patients, active_staff, appointments_30d, invoices, storage_bytes, storage_estimated, last_activity_at, measured_at`,
      [tenant.id, counts.patients, counts.active_staff, counts.appointments_30d, counts.invoices, counts.storage_bytes, tenant.tier === 'pooled', counts.last_activity_at],
    ),
  );
  return usageFromRow(saved.rows[0]!);
}

let tenantVersions: number[] | undefined;

export interface SchemaVersion {
  readonly schema: string;
  readonly version: number;
  readonly latest: number;
  readonly pending: number;
}

/** The migration version of the schema holding the practice's rows (`pool` for pooled ones). */
export async function schemaVersion(db: Database, schema: string): Promise<SchemaVersion> {
  tenantVersions ??= loadMigrations('tenant').map((m) => m.version);
  const shipped = tenantVersions;
  const res = await asPlatform(db, (tx) => tx.query<{ version: number }>('select version from schema_migrations where schema_name = $1', [schema]));
  const done = new Set(res.rows.map((r) => r.version));
  return { schema, version: Math.max(0, ...done), latest: Math.max(0, ...shipped), pending: shipped.filter((v) => !done.has(v)).length };
}

export interface TenantHealth {
  readonly tenant: TenantRecord;
  readonly usage: TenantUsage;
  readonly storageMethod: string;
  readonly migrations: SchemaVersion;
  readonly staffSeats: number;
  /** Empty when all is well; otherwise one sentence per problem. */
  readonly problems: string[];
}

/** Measures a practice and judges its health (suspension, pending migrations, seats over the plan). */
export async function tenantHealth(db: Database, idOrSlug: string): Promise<TenantHealth> {
  const tenant = await getTenant(db, idOrSlug);
  const [usage, migrations] = await Promise.all([measureTenantUsage(db, tenant), schemaVersion(db, tenant.schema)]);
  const seats = planOf(tenant.plan).limits.staffSeats;
  const problems: string[] = [];
  if (tenant.status === 'suspended') problems.push(`Suspended${tenant.suspendedReason ? `: ${tenant.suspendedReason}` : ''}`);
  if (migrations.pending > 0) problems.push(`${migrations.pending} migration(s) not applied to schema ${migrations.schema}`);
  if (usage.activeStaff > seats) problems.push(`${usage.activeStaff} active staff, above the plan's ${seats} seats`);
  return { tenant, usage, storageMethod: tenant.tier === 'pooled' ? STORAGE_ESTIMATE : STORAGE_MEASURED, migrations, staffSeats: seats, problems };
}

export interface UsageListItem extends TenantRecord {
  /** Active staff right now (the control plane's memberships), whatever the snapshot says. */
  readonly activeStaff: number;
  /** The latest snapshot, or null when the practice was never measured. */
  readonly usage: TenantUsage | null;
}

export interface UsageListQuery {
  readonly q?: string | undefined;
  readonly status?: TenantStatus | undefined;
  /** The slug of the last practice of the previous page. */
  readonly after?: string | undefined;
  readonly limit: number;
}

/**
 * A page of practices by slug, with their live staff count and latest usage snapshot: one query,
 * keyset-paged on the unique slug. `q` matches part of the slug or the name, case-insensitively.
 */
export async function listTenantUsage(db: Database, query: UsageListQuery): Promise<{ items: UsageListItem[]; next: string | null }> {
  const cols = TENANT_COLUMNS.split(', ').map((c) => 't.' + c).join(', ');
  const res = await asPlatform(db, (tx) =>
    tx.query<Parameters<typeof tenantFromRow>[0] & { live_staff: number } & Partial<UsageRow> & { usage_tenant: string | null }>(
      `select ${cols},
              (select count(*)::int from memberships m where m.tenant_id = t.id and m.status = 'active') as live_staff,
              u.tenant_id as usage_tenant, u.patients, u.active_staff, u.appointments_30d, u.invoices, u.storage_bytes,
              u.storage_estimated, u.last_activity_at, u.measured_at
         from tenants t left join tenant_usage u on u.tenant_id = t.id
        where ($1::text is null or t.status = $1)
          and ($2::text is null or strpos(t.slug, lower($2)) > 0 or strpos(lower(t.name), lower($2)) > 0)
          and ($3::text is null or t.slug > $3)
        order by t.slug
        limit $4`,
      [query.status ?? null, query.q?.trim() || null, query.after ?? null, query.limit + 1],
    ),
  );
  const rows = res.rows.slice(0, query.limit);
  const items = rows.map((r) => ({
    ...tenantFromRow(r),
    activeStaff: r.live_staff,
    usage: r.usage_tenant ? usageFromRow(r as UsageRow) : null,
  }));
  return { items, next: res.rows.length > query.limit ? rows.at(-1)!.slug : null };
}

/** Measures the `limit` practices measured longest ago (never-measured first); answers how many. */
export async function measureStalest(db: Database, limit: number): Promise<number> {
  const res = await asPlatform(db, (tx) =>
    tx.query<Parameters<typeof tenantFromRow>[0]>(
      `select ${TENANT_COLUMNS.split(', ').map((c) => 't.' + c).join(', ')}
         from tenants t left join tenant_usage u on u.tenant_id = t.id
        order by u.measured_at nulls first, t.slug limit $1`,
      [limit],
    ),
  );
  let measured = 0;
  for (const row of res.rows) {
    try {
      await measureTenantUsage(db, tenantFromRow(row));
      measured++;
    } catch (err) {
      // Deleted while the batch ran: nothing left to measure. Anything else is a real failure.
      const still = await asPlatform(db, (tx) => tx.query('select 1 from tenants where id = $1', [row.id]));
      if (still.rowCount > 0) throw err;
    }
  }
  return measured;
}
