/**
 * Appointments across practices: another practice's appointment ids answer 404 on every route (exactly
 * like missing ones), lists never show them, bookings cannot name its patients, types, providers or
 * locations, idempotency keys do not cross, and the victim's tables stay byte-for-byte unchanged.
 * The meta test in cross-tenant.test.ts reads the COVERAGE keys below.
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

function at(hour: number, weeks = 3): string {
  return DateTime.now().setZone(ZONE).startOf('week').plus({ weeks }).set({ hour }).toISO({ suppressMilliseconds: true })!;
}
const RANGE = { from: at(0), to: at(23) };

interface Practice {
  readonly tenant: TestTenant;
  readonly locationId: string;
  readonly providerId: string;
  readonly typeId: string;
  readonly patientId: string;
  /** A booked appointment and a checked-in one, so every step route has something it could change. */
  readonly bookedId: string;
  readonly checkedInId: string;
}

const practices: Record<'A' | 'B' | 'C', Practice> = {} as never;

async function call(p: Practice | TestTenant, method: 'GET' | 'POST', url: string, payload?: object, extra: Record<string, unknown> = {}): Promise<LightMyRequestResponse> {
  const tenant = 'tenant' in p ? p.tenant : p;
  return t.api(tenant, tenant.adminToken, { method, url, ...(payload ? { payload } : {}), ...extra });
}

async function makePractice(tier: 'pooled' | 'schema'): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  const { locationId, providerId, typeId, patientId } = await bookablePractice(t, tenant, ZONE);
  const base = { patientId, typeId, providerId, locationId };
  const booked = await call(tenant, 'POST', '/api/appointments', { ...base, start: at(10) }, { headers: { 'idempotency-key': `key-${tenant.slug}` } });
  assert.equal(booked.statusCode, 201, booked.body);
  const second = await call(tenant, 'POST', '/api/appointments', { ...base, start: at(11) });
  assert.equal(second.statusCode, 201, second.body);
  const checkedIn = await call(tenant, 'POST', `/api/appointments/${second.json().id}/check-in`);
  assert.equal(checkedIn.statusCode, 200, checkedIn.body);
  return { tenant, locationId, providerId, typeId, patientId, bookedId: booked.json().id, checkedInId: second.json().id };
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

/** Everything booking could touch in a practice, read straight from its tables. */
async function snapshot(p: Practice): Promise<unknown> {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) => {
    const out: Record<string, unknown> = {};
    for (const table of ['appointments', 'idempotency_keys', 'audit_events', 'patients', 'providers', 'appointment_types', 'locations']) {
      out[table] = (await tx.query(`select * from ${table} where tenant_id = $1 order by 2, 3`, [tx.tenantId])).rows;
    }
    return out;
  });
}



async function listIds(p: Practice, query: Record<string, string>): Promise<string[]> {
  const res = await call(p, 'GET', '/api/appointments', undefined, { query: { ...RANGE, limit: '500', ...query } });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items.map((a: { id: string }) => a.id);
}

type Case = (attacker: Practice, victim: Practice) => Promise<void>;

async function stepRefused(attacker: Practice, victim: Practice, action: string, body?: object): Promise<void> {
  for (const id of [victim.bookedId, victim.checkedInId]) {
    assertLikeMissing(await call(attacker, 'POST', `/api/appointments/${id}/${action}`, body), await call(attacker, 'POST', `/api/appointments/${NOWHERE}/${action}`, body));
  }
}

/** One cross-tenant case per appointment route, keyed as "METHOD /openapi/path". */
const COVERAGE: Record<string, Case> = {
  'POST /api/appointments': async (attacker, victim) => {
    const own = { patientId: attacker.patientId, typeId: attacker.typeId, providerId: attacker.providerId, locationId: attacker.locationId, start: at(14) };
    for (const field of ['patientId', 'typeId', 'providerId', 'locationId'] as const) {
      const theirs = await call(attacker, 'POST', '/api/appointments', { ...own, [field]: victim[field] });
      const nowhere = await call(attacker, 'POST', '/api/appointments', { ...own, [field]: NOWHERE });
      assertLikeMissing(theirs, nowhere);
    }
    // All of the victim's ids at once, with an override: still nothing.
    const all = { patientId: victim.patientId, typeId: victim.typeId, providerId: victim.providerId, locationId: victim.locationId, start: at(14), override: { reason: 'forced' } };
    assertNotFound(await call(attacker, 'POST', '/api/appointments', all));
    // The victim's idempotency key means nothing here: the attacker's booking with it is new and its own.
    const mine = await call(attacker, 'POST', '/api/appointments', { ...own, start: at(15) }, { headers: { 'idempotency-key': `key-${victim.tenant.slug}` } });
    assert.equal(mine.statusCode, 201, mine.body);
    assert.equal(mine.headers['idempotent-replayed'], undefined);
    assert.notEqual(mine.json().id, victim.bookedId);
    assert.equal(mine.json().patientId, attacker.patientId);
    // Tidy the attacker's own calendar so the next pair starts the same.
    assert.equal((await call(attacker, 'POST', `/api/appointments/${mine.json().id}/cancel`, {})).statusCode, 200);
  },
  'GET /api/appointments': async (attacker, victim) => {
    const all = await listIds(attacker, {});
    assert.ok(all.includes(attacker.bookedId) && all.includes(attacker.checkedInId));
    assert.ok(!all.includes(victim.bookedId) && !all.includes(victim.checkedInId));
    assert.deepEqual(await listIds(attacker, { patientId: victim.patientId }), []);
    assert.deepEqual(await listIds(attacker, { providerId: victim.providerId }), []);
    assert.deepEqual(await listIds(attacker, { locationId: victim.locationId }), []);
    assert.deepEqual(await listIds(attacker, { status: 'checked_in', providerId: victim.providerId }), []);
  },
  'GET /api/appointments/{id}': async (attacker, victim) => {
    for (const id of [victim.bookedId, victim.checkedInId]) {
      assertLikeMissing(await call(attacker, 'GET', `/api/appointments/${id}`), await call(attacker, 'GET', `/api/appointments/${NOWHERE}`));
    }
  },
  'POST /api/appointments/{id}/reschedule': async (attacker, victim) => {
    await stepRefused(attacker, victim, 'reschedule', { start: at(13) });
    await stepRefused(attacker, victim, 'reschedule', { start: at(13), providerId: attacker.providerId, locationId: attacker.locationId, override: { reason: 'forced' } });
  },
  'POST /api/appointments/{id}/cancel': async (attacker, victim) => {
    await stepRefused(attacker, victim, 'cancel', {});
    await stepRefused(attacker, victim, 'cancel', { reason: 'x', override: { reason: 'forced' } });
  },
  'POST /api/appointments/{id}/check-in': async (attacker, victim) => {
    await stepRefused(attacker, victim, 'check-in');
  },
  'POST /api/appointments/{id}/complete': async (attacker, victim) => {
    await stepRefused(attacker, victim, 'complete');
  },
  'POST /api/appointments/{id}/no-show': async (attacker, victim) => {
    await stepRefused(attacker, victim, 'no-show');
  },
};

function concreteUrl(path: string, victim: Practice): string {
  return path.replace('{id}', victim.bookedId);
}

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

    test(`${a}'s token naming ${b} in X-Tenant is refused on every appointment route`, async () => {
      const attacker = practices[a];
      const victim = practices[b];
      const before = await snapshot(victim);
      for (const route of Object.keys(COVERAGE)) {
        const [method, path] = route.split(' ') as ['GET' | 'POST', string];
        const res = await t.api(victim.tenant, attacker.tenant.adminToken, {
          method,
          url: concreteUrl(path, victim),
          ...(method === 'GET' ? { query: RANGE } : { payload: path.endsWith('/reschedule') ? { start: at(13) } : path === '/api/appointments' ? { patientId: victim.patientId, typeId: victim.typeId, providerId: victim.providerId, locationId: victim.locationId, start: at(13) } : {} }),
        });
        assert.equal(res.statusCode, 401, `${route}: ${res.body}`);
        assert.equal(res.json().code, 'token_tenant_mismatch', route);
      }
      assert.deepEqual(await snapshot(victim), before);
    });
  });
}

test('each practice still sees exactly its own two appointments, unchanged', async () => {
  for (const p of Object.values(practices)) {
    const booked = await call(p, 'GET', `/api/appointments/${p.bookedId}`);
    assert.equal(booked.statusCode, 200, booked.body);
    assert.equal(booked.json().status, 'booked');
    assert.equal(booked.json().version, 1);
    assert.equal(booked.json().start, at(10));
    const checkedIn = await call(p, 'GET', `/api/appointments/${p.checkedInId}`);
    assert.equal(checkedIn.json().status, 'checked_in');
    const ids = await listIds(p, { status: 'booked' });
    assert.ok(ids.includes(p.bookedId));
    for (const other of Object.values(practices)) if (other !== p) assert.ok(!ids.includes(other.bookedId));
  }
});
