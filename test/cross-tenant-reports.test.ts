// Cross-tenant cases for the reports (see the meta test in test/cross-tenant.test.ts): one practice's
// overview counts only its own appointments, payments and patients, never another's, on the same days.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { bookablePractice, tenantRef } from './support/scheduling-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;
interface Practice {
  tenant: TestTenant;
  /** What this practice did: appointments on `day`, revenue on PAY_DAY. */
  appointments: number;
  revenue: number;
  day: string;
}
type Case = (attacker: Practice, victim: Practice) => Promise<void>;

const PAY_DAY = '2030-06-03';

function as(p: Practice, method: 'GET' | 'POST', url: string, payload?: object) {
  return t.api(p.tenant, p.tenant.adminToken, { method, url, ...(payload ? { payload } : {}) });
}

/** A practice with `count` appointments on one weekday two weeks ahead and one payment of `amount`. */
async function practice(tier: 'pooled' | 'schema', count: number, amount: number): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  const zone = 'America/New_York';
  const setup = await bookablePractice(t, tenant, zone);
  const day = DateTime.now().setZone(zone).plus({ weeks: 2 }).startOf('week').plus({ days: 1 });
  const p: Practice = { tenant, appointments: count, revenue: amount, day: day.toISODate()! };
  for (let i = 0; i < count; i++) {
    const start = day.set({ hour: 9 + i }).toISO()!;
    const res = await as(p, 'POST', '/api/appointments', { patientId: setup.patientId, typeId: setup.typeId, providerId: setup.providerId, locationId: setup.locationId, start });
    assert.equal(res.statusCode, 201, res.body);
  }
  const draft = await as(p, 'POST', '/api/invoices', { patientId: setup.patientId, lines: [{ description: 'Visit', category: 'medical_service', unitPrice: amount, quantity: '1' }] });
  assert.equal(draft.statusCode, 201, draft.body);
  assert.equal((await as(p, 'POST', `/api/invoices/${draft.json().id}/issue`)).statusCode, 200);
  const paid = await as(p, 'POST', `/api/invoices/${draft.json().id}/payments`, { method: 'card', amount, receivedOn: PAY_DAY });
  assert.equal(paid.statusCode, 201, paid.body);
  return p;
}

async function snapshot(p: Practice) {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) => ({
    appointments: (await tx.query('select id, status from appointments where tenant_id = $1 order by id', [tx.tenantId])).rows,
    payments: (await tx.query('select id from payments where tenant_id = $1 order by id', [tx.tenantId])).rows,
    audit: (await tx.query('select id from audit_events where tenant_id = $1 order by id', [tx.tenantId])).rows,
  }));
}

const COVERAGE: Record<string, Case> = {
  'GET /api/reports/overview': async (attacker, victim) => {
    assert.equal(attacker.day, victim.day, 'both practices have appointments on the same day');
    const days = await as(attacker, 'GET', `/api/reports/overview?from=${attacker.day}&to=${attacker.day}`);
    assert.equal(days.statusCode, 200, days.body);
    assert.equal(days.json().totals.appointments, attacker.appointments);
    assert.equal(days.json().totals.newPatients, 0);
    const money = await as(attacker, 'GET', `/api/reports/overview?from=${PAY_DAY}&to=${PAY_DAY}`);
    assert.equal(money.json().totals.revenue, String(attacker.revenue));
    const today = DateTime.now().setZone('America/New_York').toISODate();
    const registered = await as(attacker, 'GET', `/api/reports/overview?from=${today}&to=${today}`);
    assert.equal(registered.json().totals.newPatients, 1, 'only its own patient registered today');
  },
};

before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

for (const [from, to] of [['pooled', 'pooled'], ['pooled', 'schema'], ['schema', 'pooled']] as const) {
  test(`${from} → ${to}: the overview counts nothing of the other practice`, async () => {
    const attacker = await practice(from, 1, 1111);
    const victim = await practice(to, 3, 7777);
    for (const [route, check] of Object.entries(COVERAGE)) {
      const before = await snapshot(victim);
      await check(attacker, victim);
      assert.deepEqual(await snapshot(victim), before, `${route} changed the victim's data or audit trail`);
    }
  });
}
