/**
 * Calendar views across practices: another practice's location or provider answers exactly like one
 * that does not exist (404 not_found), alone or mixed with the caller's own ids, and a practice's own
 * calendar shows none of another's appointments, providers or patients.
 * The meta test in cross-tenant.test.ts reads the COVERAGE keys below.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { NOWHERE, assertLikeMissing, runCoveragePairs } from './support/cross-tenant-kit.ts';
import { insertAppointmentType, insertLocation, insertProvider, setPracticeRules, tenantRef, WEEKDAYS_9_TO_5 } from './support/scheduling-fixtures.ts';

let t: TestApp;

const ZONE = 'Europe/Berlin';
/** The Monday three weeks ahead: every practice books its one appointment at 10:00 that day. */
const DAY = DateTime.now().setZone(ZONE).startOf('week').plus({ weeks: 3 }).toISODate()!;

interface Practice {
  readonly tenant: TestTenant;
  readonly providerId: string;
  readonly locationId: string;
  readonly appointmentId: string;
  /** Distinctive, so any leak of the patient's name is found in a response body. */
  readonly patientLastName: string;
}

const practices: Record<'A' | 'B' | 'C', Practice> = {} as never;

async function makePractice(tier: 'pooled' | 'schema'): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  const ref = await tenantRef(t, tenant.slug);
  await setPracticeRules(t, ref, { minNoticeMinutes: 0 });
  const locationId = await insertLocation(t, ref, { timeZone: ZONE });
  const providerId = await insertProvider(t, ref, { name: `Dr ${tenant.slug}`, locationId, hours: WEEKDAYS_9_TO_5 });
  const typeId = await insertAppointmentType(t, ref, { durationMinutes: 30, providerIds: [providerId] });
  const patientLastName = `Zq${randomBytes(5).toString('hex')}`;
  const patient = await t.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/patients', payload: { firstName: 'Secret', lastName: patientLastName, dateOfBirth: '1970-01-02' } });
  assert.equal(patient.statusCode, 201, patient.body);
  const start = DateTime.fromISO(`${DAY}T10:00`, { zone: ZONE }).toISO({ suppressMilliseconds: true });
  const booked = await t.api(tenant, tenant.adminToken, {
    method: 'POST',
    url: '/api/appointments',
    payload: { patientId: patient.json().id, typeId, providerId, locationId, start },
  });
  assert.equal(booked.statusCode, 201, booked.body);
  return { tenant, providerId, locationId, appointmentId: booked.json().id, patientLastName };
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

function calendar(caller: Practice, ids: { locationId: string; providerId?: string }, view = 'week'): Promise<LightMyRequestResponse> {
  return t.api(caller.tenant, caller.tenant.adminToken, { method: 'GET', url: '/api/calendar', query: { view, date: DAY, ...ids } });
}


type Case = (attacker: Practice, victim: Practice) => Promise<void>;

const COVERAGE: Record<string, Case> = {
  'GET /api/calendar': async (attacker, victim) => {
    // The victim's ids are real: its own staff see its appointment with them.
    const own = await calendar(victim, { locationId: victim.locationId, providerId: victim.providerId });
    assert.equal(own.statusCode, 200, own.body);
    assert.ok(own.body.includes(victim.appointmentId) && own.body.includes(victim.patientLastName));

    // The attacker's own calendar, same day and time, holds only its own.
    for (const view of ['day', 'week']) {
      const mine = await calendar(attacker, { locationId: attacker.locationId }, view);
      assert.equal(mine.statusCode, 200, mine.body);
      const body = mine.json();
      assert.deepEqual(body.providers.map((p: { providerId: string }) => p.providerId), [attacker.providerId]);
      const ids = body.providers.flatMap((p: { days: { appointments: { id: string }[] }[] }) => p.days.flatMap((d) => d.appointments.map((a) => a.id)));
      assert.deepEqual(ids, [attacker.appointmentId]);
      for (const secret of [victim.appointmentId, victim.providerId, victim.locationId, victim.patientLastName, victim.tenant.slug]) {
        assert.ok(!mine.body.includes(secret), `the attacker's calendar mentions ${secret}`);
      }
    }

    // Every id of the victim's, alone or with the attacker's own, is not found.
    assertLikeMissing(await calendar(attacker, { locationId: victim.locationId }), await calendar(attacker, { locationId: NOWHERE }));
    assertLikeMissing(
      await calendar(attacker, { locationId: attacker.locationId, providerId: victim.providerId }),
      await calendar(attacker, { locationId: attacker.locationId, providerId: NOWHERE }),
    );
    assertLikeMissing(
      await calendar(attacker, { locationId: victim.locationId, providerId: victim.providerId }),
      await calendar(attacker, { locationId: NOWHERE, providerId: NOWHERE }),
    );
    assertLikeMissing(
      await calendar(attacker, { locationId: victim.locationId, providerId: attacker.providerId }),
      await calendar(attacker, { locationId: NOWHERE, providerId: attacker.providerId }),
    );
    // With the attacker's token but the victim's practice named, the token is refused.
    const crossed = await t.api(victim.tenant, attacker.tenant.adminToken, { method: 'GET', url: '/api/calendar', query: { view: 'day', date: DAY, locationId: victim.locationId } });
    assert.equal(crossed.statusCode, 401, crossed.body);
    assert.equal(crossed.json().code, 'token_tenant_mismatch');
  },
};

runCoveragePairs(practices, COVERAGE, [
  ['A', 'B', 'pooled → pooled'],
  ['A', 'C', 'pooled → schema'],
]);
