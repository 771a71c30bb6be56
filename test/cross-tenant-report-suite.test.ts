// Cross-tenant cases for the report suite (see the meta test in test/cross-tenant.test.ts): two
// practices with the same hand-built week (test/support/report-fixtures.ts) each see exactly one
// week's numbers, never the sum of both; and the other practice's provider or location id is 404,
// the same answer as an id that does not exist, in JSON and in CSV.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { tenantRef } from './support/scheduling-fixtures.ts';
import { RANGE, seed, type Dataset } from './support/report-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;
interface Practice {
  tenant: TestTenant;
  data: Dataset;
}
type Case = (attacker: Practice, victim: Practice) => Promise<void>;

function get(p: Practice, url: string) {
  return t.api(p.tenant, p.tenant.adminToken, { method: 'GET', url });
}

async function own(p: Practice, url: string) {
  const res = await get(p, url);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

/** The victim's provider and location ids are unknown here: 404 not_found, as JSON and as CSV. */
async function foreignIdsAreNotFound(attacker: Practice, victim: Practice, report: string): Promise<void> {
  for (const query of [`providerId=${victim.data.p1}`, `locationId=${victim.data.l2}`, `providerId=${victim.data.p2}&format=csv`]) {
    const res = await get(attacker, `/api/reports/${report}?${RANGE}&${query}`);
    assert.equal(res.statusCode, 404, `${report}?${query}: ${res.body}`);
    assert.equal(res.json().code, 'not_found');
  }
}

async function snapshot(p: Practice) {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) => ({
    appointments: (await tx.query('select id, status from appointments where tenant_id = $1 order by id', [tx.tenantId])).rows,
    invoices: (await tx.query('select id, status from invoices where tenant_id = $1 order by id', [tx.tenantId])).rows,
    audit: (await tx.query('select id from audit_events where tenant_id = $1 order by id', [tx.tenantId])).rows,
  }));
}

const COVERAGE: Record<string, Case> = {
  'GET /api/reports/appointments': async (attacker, victim) => {
    const r = await own(attacker, `/api/reports/appointments?${RANGE}&groupBy=provider`);
    assert.equal(r.totals.appointments, 7, 'one week, not two');
    assert.deepEqual(r.rows.map((x: { key: string }) => x.key), [attacker.data.p1, attacker.data.p2]);
    await foreignIdsAreNotFound(attacker, victim, 'appointments');
  },
  'GET /api/reports/attendance': async (attacker, victim) => {
    const r = await own(attacker, `/api/reports/attendance?${RANGE}&groupBy=location`);
    assert.deepEqual(r.rows.map((x: { key: string; appointments: number }) => [x.key, x.appointments]), [[attacker.data.l1, 5], [attacker.data.l2, 2]]);
    await foreignIdsAreNotFound(attacker, victim, 'attendance');
  },
  'GET /api/reports/revenue': async (attacker, victim) => {
    const r = await own(attacker, `/api/reports/revenue?${RANGE}&groupBy=service`);
    assert.deepEqual(r.totals, { billed: '20500', collected: '16000' });
    assert.deepEqual(r.rows.map((x: { key: string }) => x.key), [attacker.data.chk, attacker.data.lab, 'none']);
    const csv = await get(attacker, `/api/reports/revenue?${RANGE}&groupBy=provider&format=csv`);
    assert.equal(csv.statusCode, 200);
    assert.ok(!csv.body.includes(victim.data.p1) && csv.body.includes(attacker.data.p1));
    await foreignIdsAreNotFound(attacker, victim, 'revenue');
  },
  'GET /api/reports/payments': async (attacker, victim) => {
    const r = await own(attacker, `/api/reports/payments?${RANGE}&groupBy=week`);
    assert.equal(r.totals.net, '16000');
    await foreignIdsAreNotFound(attacker, victim, 'payments');
  },
  'GET /api/reports/patients': async (attacker, victim) => {
    const r = await own(attacker, `/api/reports/patients?${RANGE}`);
    assert.deepEqual(r.totals, { patients: 4, new: 2, returning: 2 });
    await foreignIdsAreNotFound(attacker, victim, 'patients');
  },
};

before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t?.close();
});

for (const [from, to] of [['pooled', 'pooled'], ['pooled', 'schema'], ['schema', 'pooled']] as const) {
  test(`${from} → ${to}: the report suite counts nothing of the other practice`, async () => {
    const attackerTenant = await t.createTenant(from);
    const victimTenant = await t.createTenant(to);
    const attacker = { tenant: attackerTenant, data: await seed(t, attackerTenant) };
    const victim = { tenant: victimTenant, data: await seed(t, victimTenant) };
    for (const [route, check] of Object.entries(COVERAGE)) {
      const before = await snapshot(victim);
      await check(attacker, victim);
      assert.deepEqual(await snapshot(victim), before, `${route} changed the victim's data or audit trail`);
    }
  });
}
