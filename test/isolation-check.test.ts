// The start-up isolation check and the table manifest. Every weakening here (roles, RLS, policies,
// stray tables) is destructive, and roles are cluster-wide on PostgreSQL, so each case runs on a
// private PGlite of its own; table-level cases also run on a fresh PostgreSQL database when
// DATABASE_URL is set. Roles on PostgreSQL are never altered.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { findIsolationProblems, assertIsolation, IsolationError } from '../src/tenancy/isolation-check.ts';
import { CONTROL_PLANE_TABLES, TENANT_TABLES, dedicatedSchemaName } from '../src/tenancy/manifest.ts';
import { createTenantSchema } from '../src/db/migrator.ts';
import { asOwner } from '../src/tenancy/tenant-db.ts';
import { uuidv7 } from '../src/db/uuid.ts';
import { startServices } from '../src/services.ts';
import type { Database } from '../src/db/database.ts';
import type { PgliteDatabase } from '../src/db/pglite-database.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openPglite } from '../src/db/pglite-database.ts';
import { migratedPgliteBlob, openPrivatePglite, openFreshPostgres, withFreshPostgres } from './support/private-db.ts';
import { testConfig } from './support/harness.ts';

const onPostgres = Boolean(process.env.DATABASE_URL);

/** A private migrated PGlite with one dedicated tenant schema; returns the schema's name too. */
async function privateDb(): Promise<{ db: PgliteDatabase; schema: string }> {
  const db = await openPrivatePglite();
  const schema = dedicatedSchemaName(uuidv7());
  await createTenantSchema(db, schema);
  return { db, schema };
}

/** Tables the catalog holds per application schema (dedicated schemas grouped as `t_*`). */
async function catalogTables(db: Database): Promise<Record<string, string[]>> {
  const res = await asOwner(db, (tx) =>
    tx.query<{ schema: string; table: string }>(
      `select case when n.nspname like 't\\_%' then 't_*' else n.nspname end as schema, c.relname as "table"
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p', 'f', 'm')
          and (n.nspname in ('platform', 'pool', 'public') or n.nspname like 't\\_%')
        group by 1, 2 order by 1, 2`,
    ),
  );
  const out: Record<string, string[]> = {};
  for (const r of res.rows) (out[r.schema] ??= []).push(r.table);
  return out;
}

function expectedCatalog(withDedicated: boolean): Record<string, string[]> {
  return {
    platform: [...CONTROL_PLANE_TABLES].sort(),
    pool: [...TENANT_TABLES].sort(),
    ...(withDedicated ? { 't_*': [...TENANT_TABLES].sort() } : {}),
  };
}

describe('healthy database', () => {
  let db: PgliteDatabase;
  let schema: string;
  before(async () => {
    ({ db, schema } = await privateDb());
  });
  after(async () => {
    await db?.close();
  });

  test('before startServing the session is the superuser, yet the check inspects the runtime role', async () => {
    // Runtime transactions SET LOCAL ROLE, so even on the superuser session the check sees healthtrack_app.
    assert.deepEqual(await findIsolationProblems(db), []);
  });

  test('a migrated database has no isolation problems once serving', async () => {
    await db.startServing();
    assert.deepEqual(await findIsolationProblems(db), []);
    await assertIsolation(db);
  });

  test('the catalog tables (platform, pool, dedicated schemas, public) are exactly the manifest', async () => {
    // A new table in a migration that is not added to the manifest fails here.
    assert.deepEqual(await catalogTables(db), expectedCatalog(true), `catalog with ${schema}`);
    assert.equal(new Set(CONTROL_PLANE_TABLES).size, CONTROL_PLANE_TABLES.length, 'no duplicates');
    assert.equal(new Set(TENANT_TABLES).size, TENANT_TABLES.length, 'no duplicates');
  });

  test('every tenant table has tenant_id leading its primary key', async () => {
    const res = await asOwner(db, (tx) =>
      tx.query<{ table: string; first: string }>(
        `select c.relname as "table", a.attname as first
           from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
           join pg_attribute a on a.attrelid = c.oid and a.attnum = i.indkey[0]
          where i.indisprimary and n.nspname = 'pool' order by 1`,
      ),
    );
    assert.deepEqual(res.rows.map((r) => r.table), [...TENANT_TABLES].sort());
    assert.ok(res.rows.every((r) => r.first === 'tenant_id'), JSON.stringify(res.rows));
  });

  test('a schema that merely starts with "t" is not taken for a dedicated tenant schema', async () => {
    // LIKE's "_" is a wildcard: "t_%" unescaped would match "tiger" (PostGIS) and refuse to start.
    await db.bootstrapExec('create schema tiger; create table tiger.places (id int)');
    assert.deepEqual(await findIsolationProblems(db), []);
    await db.bootstrapExec('drop schema tiger cascade');
  });

  if (onPostgres) {
    test('PostgreSQL: a fresh migrated database has no problems and matches the manifest', async () => {
      await withFreshPostgres('ht_iso', async (db) => {
        assert.deepEqual(await findIsolationProblems(db), []);
        await createTenantSchema(db, dedicatedSchemaName(uuidv7()));
        assert.deepEqual(await findIsolationProblems(db), []);
        assert.deepEqual(await catalogTables(db), expectedCatalog(true));
      });
    });

    test('PostgreSQL: a practice schema dropped while the check runs is not taken for a weakened one', async () => {
      // Another process deleting a dedicated-schema practice while this one starts: the check's
      // snapshot still lists the tables, but their policies can no longer be deparsed.
      await withFreshPostgres('ht_iso', async (db) => {
        const doomed = dedicatedSchemaName(uuidv7());
        await createTenantSchema(db, doomed);
        let settled = false;
        let check: Promise<string[]> | undefined;
        await asOwner(db, async (tx) => {
          await tx.exec(`drop schema ${doomed} cascade`);
          check = findIsolationProblems(db).finally(() => {
            settled = true;
          });
          await new Promise((r) => setTimeout(r, 400));
          // The check is waiting on the drop's lock, so it really straddles the drop's commit.
          assert.equal(settled, false, 'the check did not wait for the concurrent drop');
        });
        assert.deepEqual(await check, []);
        // A weakened table that stays is still reported after the same kind of re-read.
        await db.bootstrapExec('alter table pool.patients no force row level security');
        assert.deepEqual(await findIsolationProblems(db), ['tenant table pool.patients does not FORCE row-level security']);
      });
    });
  }
});

interface Case {
  readonly name: string;
  /** Mutation, run as the database's bootstrap (super)user; `$T` is a dedicated tenant schema. */
  readonly sql: string;
  /** Restores the healthy state, so the cases can share one private database. */
  readonly undo: string;
  readonly problem: RegExp;
  /** Table-level (no role change): safe to repeat on a fresh PostgreSQL database. */
  readonly tableLevel: boolean;
}

const EXPR = `tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid`;
const REVOKE_OWNER = 'revoke healthtrack_owner from healthtrack_app';
const reapply = (table: string) => `select platform.enforce_tenant_rls('${table}'::regclass)`;

const CASES: readonly Case[] = [
  { name: 'runtime role given BYPASSRLS', sql: 'alter role healthtrack_app bypassrls', undo: 'alter role healthtrack_app nobypassrls', problem: /"healthtrack_app" has BYPASSRLS/, tableLevel: false },
  { name: 'runtime role made SUPERUSER', sql: 'alter role healthtrack_app superuser', undo: 'alter role healthtrack_app nosuperuser', problem: /"healthtrack_app" is a superuser/, tableLevel: false },
  { name: 'runtime role made member of the owner role', sql: 'grant healthtrack_owner to healthtrack_app', undo: REVOKE_OWNER, problem: /runtime role owns \(or is a member of the owner of\) pool\.patients/, tableLevel: false },
  {
    name: 'runtime role made member of the owner role WITH INHERIT FALSE (can still SET ROLE)',
    sql: 'grant healthtrack_owner to healthtrack_app with inherit false',
    undo: REVOKE_OWNER,
    problem: /runtime role owns \(or is a member of the owner of\) pool\.patients/,
    tableLevel: false,
  },
  { name: 'runtime role made owner of a tenant table', sql: 'alter table pool.settings owner to healthtrack_app', undo: 'alter table pool.settings owner to healthtrack_owner', problem: /runtime role owns .* pool\.settings$/, tableLevel: false },
  { name: 'pool.patients NO FORCE row level security', sql: 'alter table pool.patients no force row level security', undo: 'alter table pool.patients force row level security', problem: /^tenant table pool\.patients does not FORCE row-level security$/, tableLevel: true },
  { name: 'dedicated schema table NO FORCE row level security', sql: 'alter table $T.audit_events no force row level security', undo: 'alter table $T.audit_events force row level security', problem: /^tenant table \$T\.audit_events does not FORCE row-level security$/, tableLevel: true },
  { name: 'RLS disabled on pool.roles', sql: 'alter table pool.roles disable row level security', undo: 'alter table pool.roles enable row level security', problem: /^tenant table pool\.roles does not have row-level security enabled$/, tableLevel: true },
  { name: 'RLS disabled in a dedicated schema', sql: 'alter table $T.patients disable row level security', undo: 'alter table $T.patients enable row level security', problem: /^tenant table \$T\.patients does not have row-level security enabled$/, tableLevel: true },
  { name: 'tenant policy dropped', sql: 'drop policy tenant_isolation on pool.staff_members', undo: reapply('pool.staff_members'), problem: /^tenant table pool\.staff_members lacks a tenant_id policy with USING and WITH CHECK$/, tableLevel: true },
  {
    name: 'tenant policy limited to SELECT (no WITH CHECK for writes)',
    sql: `drop policy tenant_isolation on pool.counters; create policy tenant_isolation on pool.counters for select using (${EXPR})`,
    undo: reapply('pool.counters'),
    problem: /^tenant table pool\.counters lacks a tenant_id policy/,
    tableLevel: true,
  },
  {
    name: 'tenant policy widened with OR true',
    sql: `drop policy tenant_isolation on pool.patients; create policy tenant_isolation on pool.patients using (${EXPR} or true) with check (${EXPR} or true)`,
    undo: reapply('pool.patients'),
    problem: /^tenant table pool\.patients lacks a tenant_id policy/,
    tableLevel: true,
  },
  { name: 'extra permissive policy using (true)', sql: 'create policy open_door on pool.patients using (true)', undo: 'drop policy open_door on pool.patients', problem: /^tenant table pool\.patients has a policy other than the tenant_id policy$/, tableLevel: true },
  { name: 'extra permissive policy in a dedicated schema', sql: 'create policy open_door on $T.roles for select using (true)', undo: 'drop policy open_door on $T.roles', problem: /^tenant table \$T\.roles has a policy other than the tenant_id policy$/, tableLevel: true },
  { name: 'unclassified table pool.rogue', sql: 'create table pool.rogue (tenant_id uuid, secret text)', undo: 'drop table pool.rogue', problem: /^table pool\.rogue is not classified in the manifest$/, tableLevel: true },
  { name: 'unclassified table public.rogue', sql: 'create table public.rogue (id int)', undo: 'drop table public.rogue', problem: /^table public\.rogue is not classified in the manifest$/, tableLevel: true },
  { name: 'unclassified table platform.rogue', sql: 'create table platform.rogue (id int)', undo: 'drop table platform.rogue', problem: /^table platform\.rogue is not classified in the manifest$/, tableLevel: true },
  { name: 'unclassified table in a dedicated schema', sql: 'create table $T.rogue (id int)', undo: 'drop table $T.rogue', problem: /^table \$T\.rogue is not classified in the manifest$/, tableLevel: true },
  {
    name: 'manifest table missing from the pool',
    sql: 'alter table pool.member_roles rename to member_roles_old',
    undo: 'alter table pool.member_roles_old rename to member_roles',
    problem: /^tenant table pool\.member_roles is in the manifest but missing from the database$/,
    tableLevel: true,
  },
];

/** Replaces `$T` in a case's SQL and expected problem with the real dedicated schema. */
function bind(c: Case, schema: string): { sql: string; undo: string; problem: RegExp } {
  return {
    sql: c.sql.replaceAll('$T', schema),
    undo: c.undo.replaceAll('$T', schema),
    problem: new RegExp(c.problem.source.replaceAll('\\$T', schema), c.problem.flags),
  };
}

function assertReported(problems: readonly string[], problem: RegExp): void {
  assert.ok(problems.length > 0, 'the check reported nothing');
  assert.ok(problems.some((p) => problem.test(p)), `expected a problem matching ${problem}, got:\n${problems.join('\n')}`);
}

/**
 * Runs every case on one private database: clean before, reported while weakened, clean again
 * after the undo (so no case can pass on a problem left behind by the previous one).
 */
function weakeningSuite(open: () => Promise<{ db: Database; schema: string; close(): Promise<void> }>, cases: readonly Case[]): void {
  let env: { db: Database; schema: string; close(): Promise<void> };
  before(async () => {
    env = await open();
  });
  after(async () => {
    await env?.close();
  });
  for (const c of cases) {
    test(c.name, async () => {
      const { db, schema } = env;
      const { sql, undo, problem } = bind(c, schema);
      assert.deepEqual(await findIsolationProblems(db), [], 'healthy before');
      await db.bootstrapExec(sql);
      const problems = await findIsolationProblems(db);
      assertReported(problems, problem);
      await assert.rejects(assertIsolation(db), (err: unknown) => {
        assert.ok(err instanceof IsolationError);
        assert.deepEqual(err.problems, problems);
        assert.match(err.message, /^Refusing to start: tenant isolation cannot hold/);
        return true;
      });
      await db.bootstrapExec(undo);
      assert.deepEqual(await findIsolationProblems(db), [], 'healthy again after the undo');
    });
  }
}

describe('each weakening is reported (private PGlite)', () => {
  weakeningSuite(async () => {
    const { db, schema } = await privateDb();
    await db.startServing();
    return { db, schema, close: () => db.close() };
  }, CASES);
});

if (onPostgres) {
  describe('PostgreSQL: table-level weakenings are reported (fresh private database)', () => {
    // Roles are cluster-wide: only table-level cases run here, never a role change.
    weakeningSuite(async () => {
      const fresh = await openFreshPostgres('ht_iso');
      const schema = dedicatedSchemaName(uuidv7());
      await createTenantSchema(fresh.db, schema);
      return { db: fresh.db, schema, close: () => fresh.drop() };
    }, CASES.filter((x) => x.tableLevel));
  });
}

describe('startServices refuses to start', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A private PGlite persisted in a temp folder, weakened by `sql`; returns the folder. */
  async function weakenedDataDir(sql: string): Promise<string> {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ht-iso-'));
    dirs.push(dataDir);
    const db = await openPglite({ dataDir, loadDataDir: await migratedPgliteBlob() });
    try {
      await db.bootstrapExec(sql);
    } finally {
      await db.close();
    }
    return dataDir;
  }

  function config(dataDir: string) {
    return testConfig({ databaseUrl: undefined, runtimeDatabaseUrl: undefined, operatorEmail: undefined, operatorPassword: undefined, migrateOnStart: false, dataDir });
  }

  for (const [sql, problem] of [
    ['alter role healthtrack_app bypassrls', /BYPASSRLS/],
    ['alter table pool.patients no force row level security', /pool\.patients does not FORCE/],
  ] as const) {
    test(`with IsolationError after: ${sql}`, async () => {
      const dataDir = await weakenedDataDir(sql);
      await assert.rejects(startServices(config(dataDir)), (err: unknown) => {
        assert.ok(err instanceof IsolationError, `expected IsolationError, got ${String(err)}`);
        assert.ok(err.problems.some((p) => problem.test(p)), err.message);
        return true;
      });
    });
  }

  test('and starts on an unweakened copy (control)', async () => {
    const services = await startServices(config(await weakenedDataDir('select 1')));
    await services.close();
  });
});
