/**
 * Recurring series across practices: another practice's series ids answer 404 on every route (exactly
 * like missing ones), a series cannot name its patients, types, providers or locations, idempotency
 * keys do not cross, and the victim's tables stay unchanged. The meta test in cross-tenant.test.ts
 * reads the COVERAGE keys below.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { DateTime } from 'luxon';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { NOWHERE, assertLikeMissing, assertNotFound } from './support/cross-tenant-kit.ts';
import { WEEKDAYS_9_TO_5, insertAppointmentType, insertLocation, insertProvider, setPracticeRules, tenantRef } from './support/scheduling-fixtures.ts';
import { bookablePractice } from './support/scheduling-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;

const ZONE = 'America/New_York';
const RRULE = 'FREQ=WEEKLY;COUNT=3';

/** `hour`:00 on the Monday `weeks` ahead, New York time. */
function at(hour: number, weeks = 3): string {
  return DateTime.now().setZone(ZONE).startOf('week').plus({ weeks }).set({ hour }).toISO({ suppressMilliseconds: true })!;
}

interface Practice {
  readonly tenant: TestTenant;
  readonly locationId: string;
  readonly providerId: string;
  readonly typeId: string;
  readonly patientId: string;
  readonly seriesId: string;
}

const practices: Record<'A' | 'B' | 'C', Practice> = {} as never;

async function call(p: Practice | TestTenant, method: 'GET' | 'POST', url: string, payload?: object, extra: Record<string, unknown> = {}): Promise<LightMyRequestResponse> {
  const tenant = 'tenant' in p ? p.tenant : p;
  return t.api(tenant, tenant.adminToken, { method, url, ...(payload ? { payload } : {}), ...extra });
}

async function makePractice(tier: 'pooled' | 'schema'): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  const { locationId, providerId, typeId, patientId } = await bookablePractice(t, tenant, ZONE);
  const series = await call(tenant, 'POST', '/api/appointment-series', { patientId, typeId, providerId, locationId, start: at(10), rrule: RRULE }, {
    headers: { 'idempotency-key': `series-${tenant.slug}` },
  });
  assert.equal(series.statusCode, 201, series.body);
  return { tenant, locationId, providerId, typeId, patientId, seriesId: series.json().id };
}

before(async () => {
  t = await startTestApp();
  practices.A = await makePractice('pooled');
  practices.B = await makePractice('pooled');
  practices.C = await makePractice('schema');
});
after(async () => {
  await t.close();
});

/** Everything a series could touch in a practice, read straight from its tables. */
async function snapshot(p: Practice): Promise<unknown> {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) => {
    const out: Record<string, unknown> = {};
    for (const table of ['appointment_series', 'appointments', 'idempotency_keys', 'audit_events', 'patients', 'providers', 'appointment_types', 'locations']) {
      out[table] = (await tx.query(`select * from ${table} where tenant_id = $1 order by 2, 3`, [tx.tenantId])).rows;
    }
    return out;
  });
}



type Case = (attacker: Practice, victim: Practice) => Promise<void>;

/** One cross-tenant case per series route, keyed as "METHOD /openapi/path". */
const COVERAGE: Record<string, Case> = {
  'POST /api/appointment-series': async (attacker, victim) => {
    const own = { patientId: attacker.patientId, typeId: attacker.typeId, providerId: attacker.providerId, locationId: attacker.locationId, start: at(14), rrule: RRULE };
    for (const field of ['patientId', 'typeId', 'providerId', 'locationId'] as const) {
      for (const conflicts of ['fail', 'skip']) {
        const theirs = await call(attacker, 'POST', '/api/appointment-series', { ...own, conflicts, [field]: victim[field] });
        const nowhere = await call(attacker, 'POST', '/api/appointment-series', { ...own, conflicts, [field]: NOWHERE });
        assertLikeMissing(theirs, nowhere);
      }
    }
    // All of the victim's ids at once, at the victim's own series times: still nothing.
    const all = { patientId: victim.patientId, typeId: victim.typeId, providerId: victim.providerId, locationId: victim.locationId, start: at(10), rrule: RRULE, conflicts: 'skip' };
    assertNotFound(await call(attacker, 'POST', '/api/appointment-series', all));
    // The victim's idempotency key means nothing here: the attacker's series with it is new and its own.
    const mine = await call(attacker, 'POST', '/api/appointment-series', { ...own, start: at(15) }, { headers: { 'idempotency-key': `series-${victim.tenant.slug}` } });
    assert.equal(mine.statusCode, 201, mine.body);
    assert.equal(mine.headers['idempotent-replayed'], undefined);
    assert.notEqual(mine.json().id, victim.seriesId);
    // Tidy the attacker's own calendar so the next pair starts the same.
    const tidy = await call(attacker, 'POST', `/api/appointment-series/${mine.json().id}/cancel`, {});
    assert.equal(tidy.statusCode, 200, tidy.body);
    assert.equal(tidy.json().cancelled.length, 3);
  },
  'GET /api/appointment-series/{id}': async (attacker, victim) => {
    assertLikeMissing(await call(attacker, 'GET', `/api/appointment-series/${victim.seriesId}`), await call(attacker, 'GET', `/api/appointment-series/${NOWHERE}`));
  },
  'POST /api/appointment-series/{id}/cancel': async (attacker, victim) => {
    for (const body of [{}, { reason: 'x', from: at(0, 0) }]) {
      assertLikeMissing(
        await call(attacker, 'POST', `/api/appointment-series/${victim.seriesId}/cancel`, body),
        await call(attacker, 'POST', `/api/appointment-series/${NOWHERE}/cancel`, body),
      );
    }
  },
};

const PAIRS: ['A' | 'B' | 'C', 'A' | 'B' | 'C', string][] = [
  ['A', 'B', 'pooled → pooled'],
  ['A', 'C', 'pooled → schema'],
  ['C', 'A', 'schema → pooled'],
];

for (const [a, b, label] of PAIRS) {
  describe(`${label}: practice ${a} against practice ${b}`, () => {
    for (const [route, check] of Object.entries(COVERAGE)) {
      test(`${route} reveals and changes nothing of ${b}`, async () => {
        const victim = practices[b];
        const before = await snapshot(victim);
        await check(practices[a], victim);
        assert.deepEqual(await snapshot(victim), before, `${b}'s data changed`);
      });
    }

    test(`${a}'s token naming ${b} in X-Tenant is refused on every series route`, async () => {
      const attacker = practices[a];
      const victim = practices[b];
      const before = await snapshot(victim);
      for (const route of Object.keys(COVERAGE)) {
        const [method, path] = route.split(' ') as ['GET' | 'POST', string];
        const payload = path === '/api/appointment-series'
          ? { patientId: victim.patientId, typeId: victim.typeId, providerId: victim.providerId, locationId: victim.locationId, start: at(13), rrule: RRULE }
          : {};
        const res = await t.api(victim.tenant, attacker.tenant.adminToken, { method, url: path.replace('{id}', victim.seriesId), ...(method === 'POST' ? { payload } : {}) });
        assert.equal(res.statusCode, 401, `${route}: ${res.body}`);
        assert.equal(res.json().code, 'token_tenant_mismatch', route);
      }
      assert.deepEqual(await snapshot(victim), before);
    });
  });
}

test('each practice still sees exactly its own series, all booked', async () => {
  for (const p of Object.values(practices)) {
    const res = await call(p, 'GET', `/api/appointment-series/${p.seriesId}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().occurrences.map((o: { status: string }) => o.status), ['booked', 'booked', 'booked']);
    assert.equal(res.json().occurrences[0].start, at(10));
    for (const other of Object.values(practices)) {
      if (other !== p) assertNotFound(await call(p, 'GET', `/api/appointment-series/${other.seriesId}`));
    }
  }
});
