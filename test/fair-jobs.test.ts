// Tenant-fair background jobs: one practice with many due jobs cannot starve the others.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { asPlatform } from '../src/tenancy/tenant-db.ts';
import { enqueueJob } from '../src/jobs/job-queue.ts';
import { JobRunner } from '../src/jobs/job-runner.ts';
import { startTestApp, type TestApp } from './support/harness.ts';

let t: TestApp | undefined;
after(async () => {
  await t?.close();
});

const KIND = 'test.fair';

test('a practice with 200 due jobs does not starve two with 3 each: the first batch takes all of theirs', async () => {
  t = await startTestApp();
  const [a, b, c] = [await t.createTenant(), await t.createTenant(), await t.createTenant()];
  const hourAgo = new Date(Date.now() - 3_600_000);
  const minuteAgo = new Date(Date.now() - 60_000);
  await asPlatform(t.services.db, async (tx) => {
    // A's jobs are all older than B's and C's: ordered by run_at alone, a batch would be A's only.
    for (let i = 0; i < 200; i++) await enqueueJob(tx, { tenantId: a.id, kind: KIND, payload: { i }, runAt: new Date(hourAgo.getTime() + i) });
    for (const tenant of [b, c]) for (let i = 0; i < 3; i++) await enqueueJob(tx, { tenantId: tenant.id, kind: KIND, payload: { i }, runAt: minuteAgo });
  });
  const ran: string[] = [];
  const runner = new JobRunner(t.services.db, new Map([[KIND, async (job) => void ran.push(job.tenant!.id)]]), { batchSize: 20 });
  runner.restrictTo(() => [a.id, b.id, c.id]);

  const count = (id: string) => ran.filter((x) => x === id).length;
  assert.equal(await runner.runDue(), 20);
  assert.equal(count(b.id), 3);
  assert.equal(count(c.id), 3);
  assert.equal(count(a.id), 14);
  // Round-robin order inside the batch: each practice's first job comes before anyone's second.
  assert.deepEqual(new Set(ran.slice(0, 3)), new Set([a.id, b.id, c.id]));

  // Alone, A gets whole batches until its jobs are done; nothing runs twice.
  ran.length = 0;
  let batches = 0;
  while ((await runner.runDue()) > 0) batches++;
  assert.equal(count(a.id), 186);
  assert.equal(batches, 10);
  const left = await asPlatform(t.services.db, (tx) =>
    tx.query<{ n: number }>(`select count(*)::int as n from jobs where kind = $1 and tenant_id = any($2::uuid[]) and status <> 'done'`, [KIND, [a.id, b.id, c.id]]),
  );
  assert.equal(left.rows[0]!.n, 0);
});

test('a per-practice cap keeps room in every batch: with a cap of 5, A takes 5 and B and C the rest of theirs', async () => {
  t ??= await startTestApp();
  const [a, b, c] = [await t.createTenant(), await t.createTenant(), await t.createTenant()];
  const hourAgo = new Date(Date.now() - 3_600_000);
  await asPlatform(t.services.db, async (tx) => {
    for (let i = 0; i < 30; i++) await enqueueJob(tx, { tenantId: a.id, kind: KIND, payload: { i }, runAt: new Date(hourAgo.getTime() + i) });
    for (const tenant of [b, c]) for (let i = 0; i < 3; i++) await enqueueJob(tx, { tenantId: tenant.id, kind: KIND, payload: { i }, runAt: new Date() });
  });
  const ran: string[] = [];
  const runner = new JobRunner(t.services.db, new Map([[KIND, async (job) => void ran.push(job.tenant!.id)]]), { batchSize: 20, perTenantCap: 5 });
  runner.restrictTo(() => [a.id, b.id, c.id]);
  assert.equal(await runner.runDue(), 11);
  assert.deepEqual([a.id, b.id, c.id].map((id) => ran.filter((x) => x === id).length), [5, 3, 3]);
});
