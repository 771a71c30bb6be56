// RLS alone isolates tenants: every query here drops the application's tenant_id filter, runs
// through the one door (`withTenant`) as the runtime role, and must still see and touch nothing
// of another tenant, in the pooled schema and in dedicated schemas alike.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { withTenant, withTenantStatement, asPlatform, type TenantRef } from '../src/tenancy/tenant-db.ts';
import { getTenant } from '../src/platform/tenant-lifecycle.ts';
import { openPostgres } from '../src/db/postgres-database.ts';
import type { Database } from '../src/db/database.ts';

const RLS_VIOLATION = /row-level security/;

interface Fixture {
  readonly api: TestTenant;
  readonly ref: TenantRef;
  readonly patientIds: string[];
}

let t: TestApp;
let A: Fixture;
let B: Fixture;
let C: Fixture;
let D: Fixture;

async function fixture(tier: 'pooled' | 'schema', patients: number): Promise<Fixture> {
  const api = await t.createTenant(tier);
  const patientIds: string[] = [];
  for (let i = 0; i < patients; i++) {
    const res = await t.api(api, api.adminToken, {
      method: 'POST',
      url: '/api/patients',
      payload: { firstName: `First${i}`, lastName: `${api.slug}-Last${i}`, dateOfBirth: '1980-01-0' + (i + 1) },
    });
    assert.equal(res.statusCode, 201, res.body);
    patientIds.push(res.json().id as string);
  }
  const rec = await getTenant(t.services.db, api.id);
  return { api, ref: { id: rec.id, slug: rec.slug, tier: rec.tier, schema: rec.schema }, patientIds };
}

function db(): Database {
  return t.services.db;
}

async function rowsOf(ref: TenantRef, table: string): Promise<Record<string, unknown>[]> {
  return (await withTenant(db(), ref, (tx) => tx.query(`select * from ${table}`))).rows;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  assert.fail('expected the statement to be rejected');
}

before(async () => {
  t = await startTestApp();
  A = await fixture('pooled', 3);
  B = await fixture('pooled', 2);
  C = await fixture('schema', 2);
  D = await fixture('schema', 3);
});
after(async () => {
  await t.close();
});

describe('pooled tier (shared schema "pool")', () => {
  test('fixtures: A and B share the pool; each sees its own patients through its own context', async () => {
    assert.equal(A.ref.schema, 'pool');
    assert.equal(B.ref.schema, 'pool');
    assert.deepEqual((await rowsOf(A.ref, 'patients')).map((r) => r.id).sort(), [...A.patientIds].sort());
    assert.deepEqual((await rowsOf(B.ref, 'patients')).map((r) => r.id).sort(), [...B.patientIds].sort());
  });

  for (const table of ['patients', 'audit_events', 'roles', 'staff_members', 'settings', 'counters', 'member_roles']) {
    test(`select * from ${table} without a filter returns only the current tenant's rows`, async () => {
      const asA = await rowsOf(A.ref, table);
      const asB = await rowsOf(B.ref, table);
      assert.ok(asA.length > 0, `A has ${table} rows`);
      assert.ok(asB.length > 0, `B has ${table} rows`);
      assert.deepEqual([...new Set(asA.map((r) => r.tenant_id))], [A.ref.id]);
      assert.deepEqual([...new Set(asB.map((r) => r.tenant_id))], [B.ref.id]);
    });
  }

  test('select by B\'s patient id as A finds nothing', async () => {
    const res = await withTenant(db(), A.ref, (tx) => tx.query('select * from patients where id = any($1::uuid[])', [B.patientIds]));
    assert.equal(res.rowCount, 0);
  });

  test('delete of B\'s patient by id as A deletes 0 rows and B keeps it', async () => {
    const res = await withTenant(db(), A.ref, (tx) => tx.query('delete from patients where id = $1', [B.patientIds[0]]));
    assert.equal(res.rowCount, 0);
    const still = await withTenant(db(), B.ref, (tx) => tx.query('select id from patients where id = $1', [B.patientIds[0]]));
    assert.equal(still.rowCount, 1);
  });

  test('insert with B\'s tenant_id as A is rejected by WITH CHECK', async () => {
    const err = await rejection(
      withTenant(db(), A.ref, (tx) =>
        tx.query(
          `insert into patients (tenant_id, id, mrn, first_name, last_name, date_of_birth)
           values ($1, gen_random_uuid(), 'MRN-X1', 'Eve', 'Intruder', '1970-01-01')`,
          [B.ref.id],
        ),
      ),
    );
    assert.match(err.message, RLS_VIOLATION);
    assert.equal((await rowsOf(B.ref, 'patients')).length, B.patientIds.length);
  });

  test('insert of an audit event with B\'s tenant_id as A is rejected', async () => {
    const err = await rejection(
      withTenant(db(), A.ref, (tx) =>
        tx.query(
          `insert into audit_events (tenant_id, id, actor_type, action, resource_type) values ($1, gen_random_uuid(), 'system', 'forged', 'patient')`,
          [B.ref.id],
        ),
      ),
    );
    assert.match(err.message, RLS_VIOLATION);
  });

  test('updating a row to move it to B (tenant_id = B) as A is rejected', async () => {
    const err = await rejection(
      withTenant(db(), A.ref, (tx) => tx.query('update patients set tenant_id = $1 where id = $2', [B.ref.id, A.patientIds[0]])),
    );
    assert.match(err.message, RLS_VIOLATION);
    const still = await withTenant(db(), A.ref, (tx) => tx.query('select id from patients where id = $1', [A.patientIds[0]]));
    assert.equal(still.rowCount, 1);
  });

  test("update patients set first_name='x' without a filter as A changes only A's rows", async () => {
    const before = await rowsOf(B.ref, 'patients');
    const res = await withTenant(db(), A.ref, (tx) => tx.query(`update patients set first_name = 'x'`));
    assert.equal(res.rowCount, A.patientIds.length);
    const afterA = await rowsOf(A.ref, 'patients');
    assert.deepEqual(afterA.map((r) => r.first_name), A.patientIds.map(() => 'x'));
    const afterB = await rowsOf(B.ref, 'patients');
    assert.equal(afterB.length, B.patientIds.length);
    assert.ok(afterB.every((r) => r.first_name !== 'x'));
    assert.deepEqual(
      afterB.map((r) => [r.id, r.first_name]).sort(),
      before.map((r) => [r.id, r.first_name]).sort(),
    );
  });

  test('a pooled tenant pointed at a dedicated schema sees none of its rows', async () => {
    const wrong: TenantRef = { ...A.ref, schema: C.ref.schema };
    assert.equal((await rowsOf(wrong, 'patients')).length, 0);
    assert.equal((await rowsOf(wrong, 'roles')).length, 0);
  });
});

describe('schema tier (dedicated t_<hex> schemas)', () => {
  test('fixtures: C and D live in their own schemas and see their own patients', async () => {
    assert.match(C.ref.schema, /^t_[0-9a-f]{32}$/);
    assert.match(D.ref.schema, /^t_[0-9a-f]{32}$/);
    assert.notEqual(C.ref.schema, D.ref.schema);
    assert.deepEqual((await rowsOf(C.ref, 'patients')).map((r) => r.id).sort(), [...C.patientIds].sort());
    assert.deepEqual((await rowsOf(D.ref, 'patients')).map((r) => r.id).sort(), [...D.patientIds].sort());
  });

  for (const table of ['patients', 'audit_events', 'roles', 'staff_members']) {
    test(`C with a wrong search_path (D's schema) reads 0 of D's ${table}`, async () => {
      const wrong: TenantRef = { ...C.ref, schema: D.ref.schema };
      const asD = await rowsOf(D.ref, table);
      assert.ok(asD.length > 0, `D has ${table} rows`);
      assert.equal((await rowsOf(wrong, table)).length, 0);
      assert.deepEqual([...new Set((await rowsOf(C.ref, table)).map((r) => r.tenant_id))], [C.ref.id]);
    });
  }

  test("C with D's schema cannot insert D's tenant_id, update or delete D's rows", async () => {
    const wrong: TenantRef = { ...C.ref, schema: D.ref.schema };
    const err = await rejection(
      withTenant(db(), wrong, (tx) =>
        tx.query(
          `insert into patients (tenant_id, id, mrn, first_name, last_name, date_of_birth)
           values ($1, gen_random_uuid(), 'MRN-X2', 'Eve', 'Intruder', '1970-01-01')`,
          [D.ref.id],
        ),
      ),
    );
    assert.match(err.message, RLS_VIOLATION);
    const upd = await withTenant(db(), wrong, (tx) => tx.query(`update patients set first_name = 'x'`));
    assert.equal(upd.rowCount, 0);
    const del = await withTenant(db(), wrong, (tx) => tx.query('delete from patients where id = $1', [D.patientIds[0]]));
    assert.equal(del.rowCount, 0);
    const asD = await rowsOf(D.ref, 'patients');
    assert.equal(asD.length, D.patientIds.length);
    assert.ok(asD.every((r) => r.first_name !== 'x'));
  });

  test("unfiltered update in C's own schema changes only C's rows; moving one to D is rejected", async () => {
    const res = await withTenant(db(), C.ref, (tx) => tx.query(`update patients set first_name = 'x'`));
    assert.equal(res.rowCount, C.patientIds.length);
    const err = await rejection(
      withTenant(db(), C.ref, (tx) => tx.query('update patients set tenant_id = $1', [D.ref.id])),
    );
    assert.match(err.message, RLS_VIOLATION);
    assert.ok((await rowsOf(D.ref, 'patients')).every((r) => r.first_name !== 'x'));
  });
});

describe('no tenant context', () => {
  test('asPlatform sees zero rows of pool and dedicated tenant tables', async () => {
    const counts = await asPlatform(db(), async (tx) => {
      const out: Record<string, number> = {};
      for (const q of [`pool.patients`, `pool.audit_events`, `pool.roles`, `${C.ref.schema}.patients`, `${D.ref.schema}.roles`]) {
        out[q] = (await tx.query<{ n: number }>(`select count(*)::int as n from ${q}`)).rows[0]!.n;
      }
      return out;
    });
    assert.deepEqual(counts, {
      'pool.patients': 0,
      'pool.audit_events': 0,
      'pool.roles': 0,
      [`${C.ref.schema}.patients`]: 0,
      [`${D.ref.schema}.roles`]: 0,
    });
    // The zero is RLS, not an empty table: A's own context sees its rows in the same table.
    assert.equal((await rowsOf(A.ref, 'pool.patients')).length, A.patientIds.length);
  });

  test('asPlatform cannot insert tenant rows', async () => {
    const err = await rejection(
      asPlatform(db(), (tx) =>
        tx.query(
          `insert into pool.patients (tenant_id, id, mrn, first_name, last_name, date_of_birth)
           values ($1, gen_random_uuid(), 'MRN-X3', 'Eve', 'Intruder', '1970-01-01')`,
          [A.ref.id],
        ),
      ),
    );
    assert.match(err.message, RLS_VIOLATION);
  });

  test('tenant context is transaction-local: the next transaction on the same connection has none', async () => {
    // One connection, so the follow-up transaction is sure to reuse the session that carried A.
    const single = process.env.DATABASE_URL ? openPostgres({ url: process.env.DATABASE_URL, poolSize: 1 }) : db();
    try {
      const inside = await withTenant(single, A.ref, (tx) =>
        tx.query<{ tid: string; sp: string; pid: number }>(
          `select current_setting('app.tenant_id', true) as tid, current_setting('search_path') as sp, pg_backend_pid() as pid`,
        ),
      );
      assert.equal(inside.rows[0]!.tid, A.ref.id);
      assert.equal(inside.rows[0]!.sp, 'pool');

      const next = await asPlatform(single, (tx) =>
        tx.query<{ tid: string | null; pid: number }>(`select current_setting('app.tenant_id', true) as tid, pg_backend_pid() as pid`),
      );
      assert.equal(next.rows[0]!.pid, inside.rows[0]!.pid, 'same backend');
      assert.ok(next.rows[0]!.tid === '' || next.rows[0]!.tid === null, `tenant id leaked: ${next.rows[0]!.tid}`);

      // A bare runtime transaction (no preamble) carries neither the tenant nor its search_path.
      const bare = await single.runtimeTransaction('', (tx) =>
        tx.query<{ tid: string | null; sp: string; n: number }>(
          `select current_setting('app.tenant_id', true) as tid, current_setting('search_path') as sp,
                  (select count(*)::int from pool.patients) as n`,
        ),
      );
      assert.ok(bare.rows[0]!.tid === '' || bare.rows[0]!.tid === null, `tenant id leaked: ${bare.rows[0]!.tid}`);
      assert.notEqual(bare.rows[0]!.sp, 'pool');
      assert.equal(bare.rows[0]!.n, 0);
    } finally {
      if (single !== db()) await single.close();
    }
  });

  test('a failed tenant transaction leaves no context behind either', async () => {
    await rejection(withTenant(db(), A.ref, (tx) => tx.query('select 1/0')));
    const next = await asPlatform(db(), (tx) =>
      tx.query<{ tid: string | null; n: number }>(
        `select current_setting('app.tenant_id', true) as tid, (select count(*)::int from pool.patients) as n`,
      ),
    );
    assert.ok(next.rows[0]!.tid === '' || next.rows[0]!.tid === null);
    assert.equal(next.rows[0]!.n, 0);
  });
});

describe('one-round-trip statements (withTenantStatement) hold the same line', () => {
  test('unfiltered select returns only the current tenant, in both tiers and with a wrong search_path', async () => {
    const asA = await withTenantStatement<{ tenant_id: string }>(db(), A.ref, 'select * from patients', []);
    assert.equal(asA.rows.length, A.patientIds.length);
    assert.deepEqual([...new Set(asA.rows.map((r) => r.tenant_id))], [A.ref.id]);
    const asC = await withTenantStatement<{ tenant_id: string }>(db(), C.ref, 'select * from audit_events', []);
    assert.ok(asC.rows.length > 0);
    assert.deepEqual([...new Set(asC.rows.map((r) => r.tenant_id))], [C.ref.id]);
    const wrong = await withTenantStatement(db(), { ...C.ref, schema: D.ref.schema }, 'select * from patients', []);
    assert.equal(wrong.rowCount, 0);
  });

  test("delete by B's id deletes nothing; insert with B's tenant_id is rejected", async () => {
    const del = await withTenantStatement(db(), A.ref, 'delete from patients where id = $1', [B.patientIds[1]]);
    assert.equal(del.rowCount, 0);
    const err = await rejection(
      withTenantStatement(
        db(),
        A.ref,
        `insert into patients (tenant_id, id, mrn, first_name, last_name, date_of_birth) values ($1, gen_random_uuid(), $2, 'Eve', 'Intruder', '1970-01-01')`,
        [B.ref.id, 'MRN-X4'],
      ),
    );
    assert.match(err.message, RLS_VIOLATION);
    assert.equal((await rowsOf(B.ref, 'patients')).length, B.patientIds.length);
  });

  test('a parameter that looks like SQL stays a value', async () => {
    const evil = `x'; set role postgres; select * from pool.patients; --`;
    const res = await withTenantStatement<{ v: string; u: string }>(db(), A.ref, 'select $1::text as v, current_user as u', [evil]);
    assert.deepEqual(res.rows, [{ v: evil, u: 'healthtrack_app' }]);
  });

  test('runs as the runtime role and leaves no context on the connection', async () => {
    const single = process.env.DATABASE_URL ? openPostgres({ url: process.env.DATABASE_URL, poolSize: 1 }) : db();
    try {
      const inside = await withTenantStatement<{ u: string; tid: string; pid: number }>(
        single,
        A.ref,
        `select current_user as u, current_setting('app.tenant_id', true) as tid, pg_backend_pid() as pid`,
        [],
      );
      assert.deepEqual({ u: inside.rows[0]!.u, tid: inside.rows[0]!.tid }, { u: 'healthtrack_app', tid: A.ref.id });
      const next = await single.runtimeTransaction('', (tx) =>
        tx.query<{ tid: string | null; pid: number; n: number }>(
          `select current_setting('app.tenant_id', true) as tid, pg_backend_pid() as pid, (select count(*)::int from pool.patients) as n`,
        ),
      );
      assert.equal(next.rows[0]!.pid, inside.rows[0]!.pid, 'same backend');
      assert.ok(next.rows[0]!.tid === '' || next.rows[0]!.tid === null, `tenant id leaked: ${next.rows[0]!.tid}`);
      assert.equal(next.rows[0]!.n, 0);
    } finally {
      if (single !== db()) await single.close();
    }
  });
});
