// Migrations: per-schema ledger, idempotence, one failing schema not stopping the rest, resuming
// on rerun, and the operator CLI. Everything that injects a migration runs on a private database
// (PGlite, and a fresh PostgreSQL database when DATABASE_URL is set), never the shared one.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Database } from '../src/db/database.ts';
import { loadMigrations, type Migration } from '../src/db/migrations.ts';
import { migrateAll, migrateSchema, migrationStatus, tenantSchemas, POOLED_SCHEMA, type MigrationProgress } from '../src/db/migrator.ts';
import { createTenant } from '../src/platform/tenant-provisioning.ts';
import { deleteTenant } from '../src/platform/tenant-lifecycle.ts';
import { asOwner } from '../src/tenancy/tenant-db.ts';
import { findIsolationProblems } from '../src/tenancy/isolation-check.ts';
import { openPrivatePglite, openFreshPostgres } from './support/private-db.ts';
import { CHILD_NODE_FLAGS } from './support/child-node.ts';
import pg from 'pg';
import { openPostgres } from '../src/db/postgres-database.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LATEST_TENANT = loadMigrations('tenant').at(-1)!.version;
const LATEST_PLATFORM = loadMigrations('platform').at(-1)!.version;

const BLOCKER: Migration = {
  version: 9001,
  name: 'test_blocker',
  sql: 'create table blocker (tenant_id uuid not null, id uuid not null, primary key (tenant_id, id))',
  checksum: 'x',
};

/** Highest ledger version per schema. */
async function ledger(db: Database): Promise<Map<string, number>> {
  const res = await asOwner(db, (tx) =>
    tx.query<{ schema_name: string; version: number }>(
      'select schema_name, max(version)::int as version from platform.schema_migrations group by schema_name',
    ),
  );
  return new Map(res.rows.map((r) => [r.schema_name, r.version]));
}

async function schemaTenant(db: Database, prefix: string): Promise<string> {
  const slug = `${prefix}-${randomBytes(4).toString('hex')}`;
  const created = await createTenant(db, {
    slug,
    name: `Practice ${slug}`,
    tier: 'schema',
    admin: { email: `admin@${slug}.test`, password: 'correct-horse-battery', name: 'Admin' },
  });
  return created.tenant.schema;
}

/** The ledger, idempotence and blocker scenarios, on any private migrated database. */
function migrationSuite(open: () => Promise<{ db: Database; close(): Promise<void> }>): void {
  let env: { db: Database; close(): Promise<void> };
  let schemas: string[];
  before(async () => {
    env = await open();
    schemas = [];
    for (let i = 0; i < 3; i++) schemas.push(await schemaTenant(env.db, 'mig'));
  });
  after(async () => {
    await env?.close();
  });

  test('after migrateAll, platform, pool and every dedicated schema are at the latest version', async () => {
    const { db } = env;
    const report = await migrateAll(db);
    assert.deepEqual(report.failed, []);
    const all = await tenantSchemas(db);
    assert.equal(all[0], POOLED_SCHEMA);
    assert.deepEqual(all.slice(1).sort(), [...schemas].sort());
    const at = await ledger(db);
    assert.equal(at.get('platform'), LATEST_PLATFORM);
    for (const s of all) assert.equal(at.get(s), LATEST_TENANT, s);
    // Each schema's ledger holds every shipped version, not just the last one.
    const rows = await asOwner(db, (tx) =>
      tx.query<{ schema_name: string; versions: number[] }>(
        'select schema_name, array_agg(version order by version) as versions from platform.schema_migrations group by schema_name',
      ),
    );
    const expected = loadMigrations('tenant').map((m) => m.version);
    for (const s of all) assert.deepEqual(rows.rows.find((r) => r.schema_name === s)?.versions, expected, s);
  });

  test('migrationStatus lists every schema with nothing pending', async () => {
    const status = await migrationStatus(env.db);
    assert.deepEqual(status.map((s) => s.schema), ['platform', ...(await tenantSchemas(env.db))]);
    for (const s of status) {
      assert.equal(s.pending, 0, s.schema);
      assert.equal(s.version, s.schema === 'platform' ? LATEST_PLATFORM : LATEST_TENANT, s.schema);
    }
  });

  test('migrateAll again applies nothing (idempotent)', async () => {
    const before = await ledger(env.db);
    const report = await migrateAll(env.db);
    assert.deepEqual(report.platformApplied, []);
    assert.deepEqual(report.failed, []);
    assert.equal(report.schemas.length, schemas.length + 1);
    for (const s of report.schemas) assert.deepEqual(s.applied, [], s.schema);
    assert.deepEqual(await ledger(env.db), before);
  });

  test('one failing schema does not stop the others, and a rerun resumes it', async () => {
    const { db } = env;
    const blocked = schemas[1]!;
    await asOwner(db, (tx) => tx.exec(`create table ${blocked}.blocker (id int)`));
    const all = await tenantSchemas(db);
    const tenantSet = [...loadMigrations('tenant'), BLOCKER];

    const progress: MigrationProgress[] = [];
    const report = await migrateAll(db, { tenantMigrations: tenantSet, concurrency: 2, onProgress: (p) => progress.push(p) });

    assert.deepEqual(report.failed.map((f) => f.schema), [blocked]);
    assert.match(report.failed[0]!.error ?? '', /blocker.*already exists/);
    for (const s of report.schemas) assert.deepEqual(s.applied, s.schema === blocked ? [] : [9001], s.schema);
    assert.deepEqual(report.schemas.map((s) => s.schema).sort(), [...all].sort());
    // Progress: once per schema, `done` counting 1..total, each schema's own outcome.
    assert.equal(progress.length, all.length);
    assert.deepEqual(progress.map((p) => p.done), all.map((_, i) => i + 1));
    assert.ok(progress.every((p) => p.total === all.length));
    assert.deepEqual(progress.map((p) => p.outcome.schema).sort(), [...all].sort());
    assert.equal(progress.find((p) => p.outcome.schema === blocked)?.outcome.error, report.failed[0]!.error);

    let at = await ledger(db);
    for (const s of all) assert.equal(at.get(s), s === blocked ? LATEST_TENANT : 9001, s);
    // The failed migration rolled back whole: the pre-existing table is untouched, no ledger row.
    const cols = await asOwner(db, (tx) =>
      tx.query<{ column_name: string }>(
        `select column_name from information_schema.columns where table_schema = $1 and table_name = 'blocker'`,
        [blocked],
      ),
    );
    assert.deepEqual(cols.rows.map((r) => r.column_name), ['id']);

    await asOwner(db, (tx) => tx.exec(`drop table ${blocked}.blocker`));
    const rerun = await migrateAll(db, { tenantMigrations: tenantSet, concurrency: 2 });
    assert.deepEqual(rerun.failed, []);
    for (const s of rerun.schemas) assert.deepEqual(s.applied, s.schema === blocked ? [9001] : [], s.schema);
    at = await ledger(db);
    for (const s of all) assert.equal(at.get(s), 9001, s);
    const tables = await asOwner(db, (tx) =>
      tx.query<{ schema: string }>(`select table_schema as schema from information_schema.tables where table_name = 'blocker'`),
    );
    assert.deepEqual(tables.rows.map((r) => r.schema).sort(), [...all].sort());
    // The new table is in no manifest: the start-up check now refuses, as it should.
    const problems = await findIsolationProblems(db);
    assert.ok(problems.includes(`table ${POOLED_SCHEMA}.blocker is not classified in the manifest`), problems.join('\n'));
  });

  test('a schema dropped after a migrator listed it is skipped, never migrated into platform', async () => {
    const { db } = env;
    const doomed = await schemaTenant(db, 'gone');
    assert.ok((await tenantSchemas(db)).includes(doomed), 'listed while it exists');
    // What deleting the practice in another process does between a migrator's listing and its work.
    const tenantId = await asOwner(db, async (tx) => (await tx.query<{ id: string }>('select id from platform.tenants where schema_name = $1', [doomed])).rows[0]!.id);
    await deleteTenant(db, tenantId);
    assert.deepEqual(await migrateSchema(db, doomed, loadMigrations('tenant')), []);
    const stray = await asOwner(db, (tx) =>
      tx.query<{ n: number }>(`select count(*)::int as n from pg_tables where schemaname = 'platform' and tablename in ('patients', 'appointments', 'invoices')`),
    );
    assert.equal(stray.rows[0]!.n, 0, 'no tenant table landed in platform');
    assert.deepEqual((await findIsolationProblems(db)).filter((p) => p.includes('platform.')), []);
  });

  test('migrationStatus measures against the shipped set (an extra version never shows as pending)', async () => {
    const status = await migrationStatus(env.db);
    for (const s of status) assert.equal(s.pending, 0, s.schema);
  });
}

describe('migrations on a private PGlite', () => {
  migrationSuite(async () => {
    const db = await openPrivatePglite();
    return { db, close: () => db.close() };
  });
});

if (process.env.DATABASE_URL) {
  describe('migrations on a fresh private PostgreSQL database', () => {
    migrationSuite(async () => {
      const fresh = await openFreshPostgres('ht_mig');
      return { db: fresh.db, close: () => fresh.drop() };
    });
  });
}

if (process.env.DATABASE_URL) {
  describe('first start racing on an empty PostgreSQL database', () => {
    // Several processes (test files, cluster workers, replicas) may start on a brand-new database
    // at once: bootstrap and migrations must serialise, never fail on a catalogue row that another
    // process is updating ("tuple concurrently updated").
    test('four processes migrating one empty database at once all succeed, five times over', async () => {
      const base = process.env.DATABASE_URL!;
      for (let round = 0; round < 5; round++) {
        const name = `ht_race_${randomBytes(6).toString('hex')}`;
        const admin = new pg.Client({ connectionString: base });
        await admin.connect();
        await admin.query(`create database ${name}`);
        const url = new URL(base);
        url.pathname = `/${name}`;
        const dbs = Array.from({ length: 4 }, () => openPostgres({ url: url.toString(), poolSize: 2 }));
        try {
          const reports = await Promise.all(dbs.map((db) => migrateAll(db)));
          for (const r of reports) assert.deepEqual(r.failed, []);
          // Exactly one process applied each platform version; the ledger holds each once.
          const applied = reports.flatMap((r) => r.platformApplied).sort((a, b) => a - b);
          assert.deepEqual(applied, loadMigrations('platform').map((m) => m.version));
          const led = await ledger(dbs[0]!);
          assert.equal(led.get('platform'), LATEST_PLATFORM);
          assert.equal(led.get(POOLED_SCHEMA), LATEST_TENANT);
        } finally {
          await Promise.all(dbs.map((db) => db.close()));
          await admin.query(`drop database if exists ${name} with (force)`);
          await admin.end();
        }
      }
    });
  });
}

describe('operator CLI on a fresh embedded database', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  before(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'ht-cli-'));
    env = { ...process.env, HEALTHTRACK_DATA_DIR: dataDir, HEALTHTRACK_DEMO: '0' };
    delete env.DATABASE_URL;
    delete env.DATABASE_RUNTIME_URL;
  });
  after(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [...CHILD_NODE_FLAGS, '--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env, timeout: 120_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  test('migrate exits 0, then migrate-status --json shows every schema current', async () => {
    const migrated = await cli('migrate');
    assert.equal(migrated.code, 0, migrated.stderr + migrated.stdout);
    assert.match(migrated.stdout, /Tenant schemas: 1 ok, 0 failed/);

    const status = await cli('migrate-status', '--json');
    assert.equal(status.code, 0, status.stderr);
    const rows = JSON.parse(status.stdout) as { schema: string; version: number; pending: number }[];
    assert.deepEqual(rows, [
      { schema: 'platform', version: LATEST_PLATFORM, pending: 0 },
      { schema: 'pool', version: LATEST_TENANT, pending: 0 },
    ]);
  });

  test('tenants create --tier schema, then tenants list --json and migrate-status include it', async () => {
    const slug = `cli-${randomBytes(4).toString('hex')}`;
    const created = await cli('tenants', 'create', '--slug', slug, '--name', 'CLI Practice', '--tier', 'schema',
      '--admin-email', `admin@${slug}.test`, '--admin-password', 'correct-horse-battery', '--json');
    assert.equal(created.code, 0, created.stderr);
    const tenant = (JSON.parse(created.stdout) as { tenant: { id: string; slug: string; tier: string; schema: string } }).tenant;
    assert.equal(tenant.slug, slug);
    assert.equal(tenant.tier, 'schema');
    assert.equal(tenant.schema, `t_${tenant.id.replace(/-/g, '')}`);

    const listed = await cli('tenants', 'list', '--json');
    assert.equal(listed.code, 0, listed.stderr);
    const items = JSON.parse(listed.stdout) as { id: string; slug: string; tier: string; status: string; users: number }[];
    assert.deepEqual(items.map((t) => [t.slug, t.tier, t.status, t.users]), [[slug, 'schema', 'active', 1]]);

    const status = await cli('migrate-status', '--json');
    assert.equal(status.code, 0, status.stderr);
    const rows = JSON.parse(status.stdout) as { schema: string; version: number; pending: number }[];
    assert.deepEqual(rows.find((r) => r.schema === tenant.schema), { schema: tenant.schema, version: LATEST_TENANT, pending: 0 });
  });
});
