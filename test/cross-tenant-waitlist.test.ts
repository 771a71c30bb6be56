// Cross-tenant cases for the waitlist routes (see the meta test in test/cross-tenant.test.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { insertAppointmentType, insertLocation, insertProvider, tenantRef, WEEKDAYS_9_TO_5 } from './support/scheduling-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;
interface Practice {
  tenant: TestTenant;
  patientId: string;
  typeId: string;
  entryId: string;
}
type Case = (attacker: Practice, victim: Practice) => Promise<void>;

async function practice(tier: 'pooled' | 'schema'): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  const ref = await tenantRef(t, tenant.slug);
  const locationId = await insertLocation(t, ref, { timeZone: 'America/Denver' });
  const providerId = await insertProvider(t, ref, { locationId, hours: WEEKDAYS_9_TO_5 });
  const typeId = await insertAppointmentType(t, ref, { durationMinutes: 20, providerIds: [providerId] });
  const p = await t.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/patients', payload: { firstName: 'Vic', lastName: 'Tim', dateOfBirth: '1970-07-07' } });
  const e = await t.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/waitlist', payload: { patientId: p.json().id, typeId, earliest: '2030-01-01', latest: '2030-01-31' } });
  assert.equal(e.statusCode, 201, e.body);
  return { tenant, patientId: p.json().id, typeId, entryId: e.json().id };
}

async function snapshot(p: Practice) {
  const ref = await tenantRef(t, p.tenant.slug);
  return (await withTenant(t.services.db, ref, (tx) => tx.query('select * from waitlist_entries where tenant_id = $1 order by id', [tx.tenantId]))).rows;
}

const COVERAGE: Record<string, Case> = {
  'GET /api/waitlist': async (attacker, victim) => {
    const res = await t.api(attacker.tenant, attacker.tenant.adminToken, { method: 'GET', url: '/api/waitlist' });
    assert.equal(res.statusCode, 200);
    const ids = res.json().items.map((e: { id: string }) => e.id);
    assert.ok(ids.includes(attacker.entryId));
    assert.ok(!ids.includes(victim.entryId));
  },
  'POST /api/waitlist': async (attacker, victim) => {
    for (const payload of [
      { patientId: victim.patientId, typeId: attacker.typeId },
      { patientId: attacker.patientId, typeId: victim.typeId },
    ]) {
      const res = await t.api(attacker.tenant, attacker.tenant.adminToken, { method: 'POST', url: '/api/waitlist', payload: { ...payload, earliest: '2030-01-01', latest: '2030-01-02' } });
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(res.json().code, 'not_found');
    }
  },
  'POST /api/waitlist/{id}/cancel': async (attacker, victim) => {
    const res = await t.api(attacker.tenant, attacker.tenant.adminToken, { method: 'POST', url: `/api/waitlist/${victim.entryId}/cancel` });
    assert.equal(res.statusCode, 404, res.body);
    assert.equal(res.json().code, 'not_found');
  },
};

before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

for (const [from, to] of [['pooled', 'pooled'], ['pooled', 'schema'], ['schema', 'pooled']] as const) {
  test(`${from} → ${to}: waitlist routes reveal and change nothing of the other practice`, async () => {
    const attacker = await practice(from);
    const victim = await practice(to);
    for (const [route, check] of Object.entries(COVERAGE)) {
      const before = await snapshot(victim);
      await check(attacker, victim);
      assert.deepEqual(await snapshot(victim), before, `${route} changed the victim's waitlist`);
    }
  });
}
