// Group commit of read audit events (src/tenancy/group-commit.ts): a patient read stays read-only
// and its audit event commits with those of concurrent requests, of any practice, before the
// patient is returned. Runs on PGlite and on PostgreSQL.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { withTenant, type TenantRef } from '../src/tenancy/tenant-db.ts';
import { groupCommitter } from '../src/tenancy/group-commit.ts';
import { tenantContext } from '../src/tenancy/tenant-context.ts';
import { getPatient } from '../src/domain/patients/patient-service.ts';
import { uuidv7 } from '../src/db/uuid.ts';
import { randomUUID } from 'node:crypto';
import { openPostgres } from '../src/db/postgres-database.ts';
import { isDatabaseUnavailable } from '../src/db/availability.ts';
import { withFreshPostgres } from './support/private-db.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

let shared: Promise<TestApp> | undefined;
after(async () => (await shared)?.close());

interface Practice {
  readonly made: TestTenant;
  readonly ref: TenantRef;
  readonly patientId: string;
}

async function practice(t: TestApp, tier: 'pooled' | 'schema'): Promise<Practice> {
  const made = await t.createTenant(tier);
  const ref = (await t.services.tenants.bySlug(made.slug))!;
  const res = await t.api(made, made.adminToken, { method: 'POST', url: '/api/patients', payload: { firstName: 'Ada', lastName: 'Read', dateOfBirth: '1980-02-03' } });
  assert.equal(res.statusCode, 201, res.body);
  return { made, ref, patientId: res.json().id };
}

async function readEvents(t: TestApp, p: Practice): Promise<{ resource_id: string; request_id: string | null; actor_type: string }[]> {
  const res = await withTenant(t.services.db, p.ref, (tx) =>
    tx.query<{ resource_id: string; request_id: string | null; actor_type: string }>(
      `select resource_id, request_id, actor_type from audit_events where tenant_id = $1 and action = 'patient.read' order by id`,
      [p.ref.id],
    ),
  );
  return res.rows;
}

test('concurrent patient reads of two practices (pooled and own schema) are audited, each in its own practice, in shared batches', async () => {
  shared ??= startTestApp();
  const t = await shared;
  const a = await practice(t, 'pooled');
  const b = await practice(t, 'schema');
  const before = groupCommitter(t.services.db).stats;
  const reads = 24;
  const requestIds = Array.from({ length: reads }, () => randomUUID());
  const responses = await Promise.all(
    Array.from({ length: reads }, (_, i) => {
      const p = i % 2 === 0 ? a : b;
      return t.api(p.made, p.made.adminToken, { method: 'GET', url: `/api/patients/${p.patientId}`, headers: { 'x-request-id': requestIds[i]! } });
    }),
  );
  for (const r of responses) assert.equal(r.statusCode, 200, r.body);
  const after = groupCommitter(t.services.db).stats;
  assert.equal(after.writes - before.writes, reads, 'one audit write per read');
  assert.ok(after.batches - before.batches < reads, `reads shared transactions (${after.batches - before.batches} batches for ${reads} writes)`);

  for (const [p, parity] of [[a, 0], [b, 1]] as const) {
    const events = await readEvents(t, p);
    assert.equal(events.length, reads / 2, 'each practice holds exactly its own read events');
    assert.ok(events.every((e) => e.resource_id === p.patientId && e.actor_type === 'user'));
    const expected = Array.from({ length: reads }, (_, i) => i).filter((i) => i % 2 === parity).map((i) => requestIds[i]).sort();
    assert.deepEqual(events.map((e) => e.request_id).sort(), expected, 'the events carry their own requests’ ids');
  }
});

test('a write with another practice’s id is refused by RLS, and the writes batched with it still commit', async () => {
  shared ??= startTestApp();
  const t = await shared;
  const a = await practice(t, 'pooled');
  const b = await practice(t, 'pooled');
  const insert = `insert into audit_events (tenant_id, id, actor_type, action, resource_type) values ($1, $2, 'system', 'test.group', 'test')`;
  const committer = groupCommitter(t.services.db);
  const good = [uuidv7(), uuidv7(), uuidv7()];
  const outcomes = await Promise.allSettled([
    committer.write(a.ref, insert, [a.ref.id, good[0]]),
    // Scoped to A, claiming to be B's row: WITH CHECK of A's context refuses it.
    committer.write(a.ref, insert, [b.ref.id, uuidv7()]),
    committer.write(b.ref, insert, [b.ref.id, good[1]]),
    committer.write(a.ref, insert, [a.ref.id, good[2]]),
  ]);
  assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /row-level security/);
  const count = async (p: Practice) =>
    (await withTenant(t.services.db, p.ref, (tx) => tx.query<{ n: number }>(`select count(*)::int as n from audit_events where tenant_id = $1 and action = 'test.group'`, [p.ref.id]))).rows[0]!.n;
  assert.equal(await count(a), 2);
  assert.equal(await count(b), 1, 'B has its own write and not the one forged under A');
});

test('a patient is not returned when its read could not be recorded', async () => {
  shared ??= startTestApp();
  const t = await shared;
  const a = await practice(t, 'pooled');
  // An actor type the audit table refuses (check constraint): the read's event cannot be written.
  const ctx = tenantContext(t.services.db, { tenant: a.ref, actor: { kind: 'robot' as 'user', id: null }, permissions: ['patients:read'] });
  await assert.rejects(getPatient(ctx, a.patientId), (err: { code?: string }) => err.code === '23514');
  // The same read by a real actor is returned and recorded.
  const ok = tenantContext(t.services.db, { tenant: a.ref, actor: { kind: 'system', id: null }, permissions: ['patients:read'] });
  assert.equal((await getPatient(ok, a.patientId)).id, a.patientId);
  assert.equal((await readEvents(t, a)).filter((e) => e.actor_type === 'system').length, 1);
});

test('a group write asked for inside a transaction is refused at once (it would not share the transaction’s fate, and on PGlite would wait for it for good)', async () => {
  shared ??= startTestApp();
  const t = await shared;
  const a = await practice(t, 'pooled');
  const ctx = tenantContext(t.services.db, { tenant: a.ref, actor: { kind: 'system', id: null }, permissions: ['patients:read'] });
  const insert = `insert into audit_events (tenant_id, id, actor_type, action, resource_type) values ($1, $2, 'system', 'test.inside', 'test')`;
  await assert.rejects(
    ctx.tx(async (tx) => {
      await tx.query('select 1');
      await ctx.groupWrite(insert, [a.ref.id, uuidv7()]);
    }),
    /groupWrite called inside a transaction/,
  );
  // Outside a transaction the same context writes as usual.
  await ctx.groupWrite(insert, [a.ref.id, uuidv7()]);
  const n = await withTenant(t.services.db, a.ref, (tx) => tx.query<{ n: number }>(`select count(*)::int as n from audit_events where tenant_id = $1 and action = 'test.inside'`, [a.ref.id]));
  assert.equal(n.rows[0]!.n, 1);
});

if (process.env.DATABASE_URL) {
  test('PostgreSQL: with the database unreachable, every write of a batch fails at once (no retries), and writing works again once it is back', async () => {
    await withFreshPostgres('ht_gc', async (_direct, url) => {
      const target = new URL(url);
      const proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
      const db = openPostgres({ url: proxy.rewrite(url), poolSize: 4, connectTimeoutMs: 1000, onAvailability: () => undefined });
      try {
        const tenant: TenantRef = { id: uuidv7(), slug: 'gc-outage', tier: 'pooled', schema: 'pool' };
        const committer = groupCommitter(db);
        const insert = `insert into audit_events (tenant_id, id, actor_type, action, resource_type) values ($1, $2, 'system', 'test.outage', 'test')`;
        await committer.write(tenant, insert, [tenant.id, uuidv7()]);
        await proxy.cut('reset');
        const before = committer.stats;
        const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => committer.write(tenant, insert, [tenant.id, uuidv7()])));
        assert.deepEqual(outcomes.map((o) => o.status), Array(6).fill('rejected'));
        for (const o of outcomes) assert.ok(isDatabaseUnavailable((o as PromiseRejectedResult).reason), String((o as PromiseRejectedResult).reason));
        // The six went out together and were not retried one by one (each retry is a transaction).
        assert.equal(committer.stats.batches - before.batches, 1);
        assert.equal(committer.stats.writes - before.writes, 6);
        await proxy.restore();
        await committer.write(tenant, insert, [tenant.id, uuidv7()]);
        const n = await withTenant(db, tenant, (tx) => tx.query<{ n: number }>(`select count(*)::int as n from audit_events where tenant_id = $1 and action = 'test.outage'`, [tenant.id]));
        assert.equal(n.rows[0]!.n, 2, 'the write before the outage and the one after it; none of the failed ones');
      } finally {
        await db.close().catch(() => undefined);
        await proxy.close();
      }
    });
  });
}
