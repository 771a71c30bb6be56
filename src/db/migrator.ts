/**
 * Applies migrations: the control plane first, then the tenant set to the pooled schema and to
 * every dedicated tenant schema, with bounded concurrency and a version ledger per schema.
 * A failing schema is reported and skipped; rerunning resumes where each schema stopped.
 */
import type { Database, Tx } from './database.ts';
import { RUNTIME_ROLE } from './database.ts';
import { bootstrapDatabase } from './bootstrap.ts';
import type { Migration } from './migrations.ts';
import { loadMigrations } from './migrations.ts';
import { ident } from './sql-literal.ts';
import { lockSchema } from './schema-lock.ts';

export { lockSchema };

export const POOLED_SCHEMA = 'pool';

export interface SchemaOutcome {
  readonly schema: string;
  readonly applied: readonly number[];
  readonly error?: string;
}

export interface MigrationProgress {
  readonly total: number;
  readonly done: number;
  readonly outcome: SchemaOutcome;
}

export interface MigrateOptions {
  readonly concurrency?: number;
  readonly onProgress?: (p: MigrationProgress) => void;
  /** Overrides the shipped tenant migrations (tests use it to inject a failing one). */
  readonly tenantMigrations?: readonly Migration[];
}

export interface MigrationReport {
  readonly platformApplied: readonly number[];
  readonly schemas: readonly SchemaOutcome[];
  readonly failed: readonly SchemaOutcome[];
}

async function appliedVersions(tx: Tx, schema: string): Promise<Set<number>> {
  const res = await tx.query<{ version: number }>(
    'select version from platform.schema_migrations where schema_name = $1',
    [schema],
  );
  return new Set(res.rows.map((r) => r.version));
}


async function schemaExists(tx: Tx, schema: string): Promise<boolean> {
  const res = await tx.query('select 1 from pg_namespace where nspname = $1', [schema]);
  return res.rows.length > 0;
}

/** Applies pending migrations of one set to one schema, one transaction per migration. */
export async function migrateSchema(
  db: Database,
  schema: string,
  migrations: readonly Migration[],
): Promise<number[]> {
  const applied: number[] = [];
  for (const m of migrations) {
    const did = await db.ownerTransaction(async (tx) => {
      // Serialises concurrent migrators (and dropTenantSchema) on the same schema; the ledger is
      // re-read under the lock.
      await lockSchema(tx, schema);
      // A schema dropped since the caller listed it (a practice deleted meanwhile) is skipped: with
      // it gone, unqualified DDL would fall through the search_path into `platform`.
      if (!(await schemaExists(tx, schema))) return false;
      if ((await appliedVersions(tx, schema)).has(m.version)) return false;
      await tx.exec(`set local search_path = ${ident(schema)}, platform`);
      await tx.exec(m.sql);
      await tx.query(
        'insert into platform.schema_migrations (schema_name, version, name, checksum) values ($1, $2, $3, $4)',
        [schema, m.version, m.name, m.checksum],
      );
      return true;
    });
    if (did) applied.push(m.version);
  }
  return applied;
}

/** Creates a dedicated tenant schema and brings it to the current version. */
export async function createTenantSchema(db: Database, schema: string, migrations = loadMigrations('tenant')): Promise<void> {
  await db.ownerTransaction(async (tx) => {
    await tx.exec(`create schema ${ident(schema)}; grant usage on schema ${ident(schema)} to ${RUNTIME_ROLE}`);
  });
  await migrateSchema(db, schema, migrations);
}

/** Every schema that holds tenant tables: the pool plus each dedicated tenant schema. */
export async function tenantSchemas(db: Database): Promise<string[]> {
  return db.ownerTransaction(async (tx) => {
    const res = await tx.query<{ schema_name: string }>(
      `select schema_name from platform.tenants where tier = 'schema' order by created_at`,
    );
    return [POOLED_SCHEMA, ...res.rows.map((r) => r.schema_name)];
  });
}

async function runBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Every schema's applied versions, from one read of the ledger. */
async function appliedBySchema(db: Database): Promise<Map<string, Set<number>>> {
  const res = await db.ownerTransaction((tx) =>
    tx.query<{ schema_name: string; version: number }>('select schema_name, version from platform.schema_migrations'),
  );
  const applied = new Map<string, Set<number>>();
  for (const r of res.rows) {
    let set = applied.get(r.schema_name);
    if (!set) applied.set(r.schema_name, (set = new Set()));
    set.add(r.version);
  }
  return applied;
}

/** Full migration run; never throws for a single schema's failure (see `failed`). */
export async function migrateAll(db: Database, options: MigrateOptions = {}): Promise<MigrationReport> {
  await bootstrapDatabase(db);
  const platformApplied = await migrateSchema(db, 'platform', loadMigrations('platform'));
  const tenantSet = options.tenantMigrations ?? loadMigrations('tenant');
  const schemas = await tenantSchemas(db);
  // One read of the whole ledger first: a schema already at every shipped version is not visited
  // (a start-up with thousands of dedicated schemas and nothing pending costs one query, not a
  // locked transaction per schema and migration). Pending schemas re-check under their lock.
  const ledger = await appliedBySchema(db);
  const isCurrent = (schema: string) => tenantSet.every((m) => ledger.get(schema)?.has(m.version));
  let done = 0;
  const outcomes = await runBounded(schemas, options.concurrency ?? 4, async (schema): Promise<SchemaOutcome> => {
    let outcome: SchemaOutcome;
    try {
      outcome = { schema, applied: isCurrent(schema) ? [] : await migrateSchema(db, schema, tenantSet) };
    } catch (err) {
      outcome = { schema, applied: [], error: err instanceof Error ? err.message : String(err) };
    }
    done++;
    options.onProgress?.({ total: schemas.length, done, outcome });
    return outcome;
  });
  return { platformApplied, schemas: outcomes, failed: outcomes.filter((o) => o.error !== undefined) };
}

/** Per-schema ledger: the highest version each schema is at, and how many shipped versions it lacks. */
export async function migrationStatus(db: Database): Promise<{ schema: string; version: number; pending: number }[]> {
  const tenantVersions = loadMigrations('tenant').map((m) => m.version);
  const platformVersions = loadMigrations('platform').map((m) => m.version);
  const schemas = ['platform', ...(await tenantSchemas(db))];
  const applied = await appliedBySchema(db);
  return schemas.map((schema) => {
    const done = applied.get(schema) ?? new Set<number>();
    // Versions are not always applied in order (a lower number can ship later), so count the gaps.
    const shipped = schema === 'platform' ? platformVersions : tenantVersions;
    return { schema, version: Math.max(0, ...done), pending: shipped.filter((v) => !done.has(v)).length };
  });
}
