// Writes nobody reads (Tx.queueWrite: audit rows, jobs, workflow history) travel with the
// transaction's next statement or its COMMIT on PostgreSQL and run at once on PGlite. On both, they
// run in order before what follows, a failing one fails the transaction, and nothing of a
// transaction that fails is kept.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './support/harness.ts';
import { withTenant, type TenantRef } from '../src/tenancy/tenant-db.ts';
import { uuidv7 } from '../src/db/uuid.ts';

let shared: Promise<TestApp> | undefined;
after(async () => (await shared)?.close());

async function setup(): Promise<{ t: TestApp; tenant: TenantRef }> {
  shared ??= startTestApp();
  const t = await shared;
  const made = await t.createTenant();
  const tenant = (await t.services.tenants.bySlug(made.slug))!;
  return { t, tenant };
}

const INSERT = `insert into audit_events (tenant_id, id, actor_type, action, resource_type) values ($1, $2, 'system', 'test.queued', 'test')`;

async function count(t: TestApp, tenant: TenantRef, id: string): Promise<number> {
  const res = await withTenant(t.services.db, tenant, (tx) => tx.query<{ n: number }>('select count(*)::int as n from audit_events where tenant_id = $1 and id = $2', [tenant.id, id]));
  return res.rows[0]!.n;
}

test('a queued write runs before the statement that follows it, and commits with the transaction', async () => {
  const { t, tenant } = await setup();
  const id = uuidv7();
  const seen = await withTenant(t.services.db, tenant, async (tx) => {
    await tx.query('select 1');
    await tx.queueWrite(INSERT, [tenant.id, id]);
    return (await tx.query<{ n: number }>('select count(*)::int as n from audit_events where tenant_id = $1 and id = $2', [tenant.id, id])).rows[0]!.n;
  });
  assert.equal(seen, 1);
  assert.equal(await count(t, tenant, id), 1);
});

test('a queued write that fails fails its transaction (at the COMMIT when nothing follows), and nothing is kept', async () => {
  const { t, tenant } = await setup();
  const taken = uuidv7();
  await withTenant(t.services.db, tenant, async (tx) => {
    await tx.query('select 1');
    await tx.queueWrite(INSERT, [tenant.id, taken]);
  });
  const other = uuidv7();
  await assert.rejects(
    withTenant(t.services.db, tenant, async (tx) => {
      await tx.query('select 1');
      await tx.queueWrite(INSERT, [tenant.id, other]);
      await tx.queueWrite(INSERT, [tenant.id, taken]); // duplicate key
    }),
    (err: { code?: string }) => err.code === '23505',
  );
  assert.equal(await count(t, tenant, other), 0, 'the write queued before the failing one was rolled back with it');
  // The connection went back to the pool clean: the next transaction works.
  assert.equal(await count(t, tenant, taken), 1);
});

test('a transaction that fails in application code keeps none of its queued writes', async () => {
  const { t, tenant } = await setup();
  const id = uuidv7();
  await assert.rejects(
    withTenant(t.services.db, tenant, async (tx) => {
      await tx.query('select 1');
      await tx.queueWrite(INSERT, [tenant.id, id]);
      throw new Error('the use case failed after queuing');
    }),
    /the use case failed after queuing/,
  );
  assert.equal(await count(t, tenant, id), 0);
});

test('a queued statement ending in a comment does not swallow the COMMIT', async () => {
  const { t, tenant } = await setup();
  const id = uuidv7();
  await withTenant(t.services.db, tenant, async (tx) => {
    await tx.query('select 1');
    await tx.queueWrite(`${INSERT} -- trailing comment`, [tenant.id, id]);
  });
  assert.equal(await count(t, tenant, id), 1);
});
