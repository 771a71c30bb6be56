// Cross-tenant cases for the calendar-feed routes (see the meta test in test/cross-tenant.test.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { insertLocation, insertProvider, tenantRef, WEEKDAYS_9_TO_5 } from './support/scheduling-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;
interface Practice {
  tenant: TestTenant;
  providerId: string;
}
type Case = (attacker: Practice, victim: Practice) => Promise<void>;

async function practice(tier: 'pooled' | 'schema'): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  const ref = await tenantRef(t, tenant.slug);
  const locationId = await insertLocation(t, ref, { timeZone: 'America/Chicago' });
  return { tenant, providerId: await insertProvider(t, ref, { locationId, hours: WEEKDAYS_9_TO_5 }) };
}

async function feedHash(p: Practice): Promise<string | null> {
  const ref = await tenantRef(t, p.tenant.slug);
  const res = await withTenant(t.services.db, ref, (tx) => tx.query<{ h: string | null }>('select feed_token_hash as h from providers where tenant_id = $1 and id = $2', [tx.tenantId, p.providerId]));
  return res.rows[0]!.h;
}

const COVERAGE: Record<string, Case> = {
  'POST /api/providers/{id}/calendar-feed': async (attacker, victim) => {
    const res = await t.api(attacker.tenant, attacker.tenant.adminToken, { method: 'POST', url: `/api/providers/${victim.providerId}/calendar-feed` });
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
  test(`${from} → ${to}: calendar-feed routes reveal and change nothing of the other practice`, async () => {
    const attacker = await practice(from);
    const victim = await practice(to);
    for (const [route, check] of Object.entries(COVERAGE)) {
      const before = await feedHash(victim);
      await check(attacker, victim);
      assert.equal(await feedHash(victim), before, `${route} changed the victim's feed`);
    }
  });
}
