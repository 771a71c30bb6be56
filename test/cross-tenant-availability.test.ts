/**
 * Slot search across practices: another practice's type, provider or location answers exactly like
 * one that does not exist (404 not_found), alone or mixed with the caller's own ids.
 * The meta test in cross-tenant.test.ts reads the COVERAGE keys below.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { NOWHERE, assertLikeMissing, runCoveragePairs } from './support/cross-tenant-kit.ts';
import { insertAppointmentType, insertLocation, insertProvider, tenantRef, WEEKDAYS_9_TO_5 } from './support/scheduling-fixtures.ts';

let t: TestApp;

interface Practice {
  readonly tenant: TestTenant;
  readonly typeId: string;
  readonly providerId: string;
  readonly locationId: string;
}

const practices: Record<'A' | 'B' | 'C', Practice> = {} as never;

async function makePractice(tier: 'pooled' | 'schema'): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  const ref = await tenantRef(t, tenant.slug);
  const locationId = await insertLocation(t, ref, { timeZone: 'Europe/Berlin' });
  const providerId = await insertProvider(t, ref, { locationId, hours: WEEKDAYS_9_TO_5 });
  const typeId = await insertAppointmentType(t, ref, { durationMinutes: 30, providerIds: [providerId] });
  return { tenant, typeId, providerId, locationId };
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

/** A Monday-to-Friday week starting two weeks ahead: inside the default notice and horizon. */
const FROM = DateTime.now().setZone('Europe/Berlin').plus({ weeks: 2 }).startOf('week').toISODate()!;
const TO = DateTime.fromISO(FROM).plus({ days: 4 }).toISODate()!;

function slots(caller: Practice, ids: Partial<Record<'typeId' | 'providerId' | 'locationId', string>>): Promise<LightMyRequestResponse> {
  return t.api(caller.tenant, caller.tenant.adminToken, { method: 'GET', url: '/api/scheduling/slots', query: { from: FROM, to: TO, ...ids } });
}


type Case = (attacker: Practice, victim: Practice) => Promise<void>;

const COVERAGE: Record<string, Case> = {
  'GET /api/scheduling/slots': async (attacker, victim) => {
    // The victim's ids are real: its own staff see slots with them.
    const own = await slots(victim, { typeId: victim.typeId, locationId: victim.locationId });
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.json().items.length, 5 * 31, '15-minute starts of a 30-minute visit, 09:00–16:30, Monday to Friday');
    const mine = await slots(attacker, { typeId: attacker.typeId, locationId: attacker.locationId });
    assert.equal(mine.statusCode, 200, mine.body);
    assert.ok(mine.json().items.every((s: { providerId: string }) => s.providerId === attacker.providerId));

    // Every id of the victim's, alone or with the attacker's own, is not found.
    assertLikeMissing(
      await slots(attacker, { typeId: victim.typeId, locationId: victim.locationId }),
      await slots(attacker, { typeId: NOWHERE, locationId: NOWHERE }),
    );
    assertLikeMissing(
      await slots(attacker, { typeId: victim.typeId, locationId: attacker.locationId }),
      await slots(attacker, { typeId: NOWHERE, locationId: attacker.locationId }),
    );
    assertLikeMissing(
      await slots(attacker, { typeId: attacker.typeId, locationId: victim.locationId }),
      await slots(attacker, { typeId: attacker.typeId, locationId: NOWHERE }),
    );
    assertLikeMissing(
      await slots(attacker, { typeId: attacker.typeId, locationId: attacker.locationId, providerId: victim.providerId }),
      await slots(attacker, { typeId: attacker.typeId, locationId: attacker.locationId, providerId: NOWHERE }),
    );
    // With the victim's own token but the attacker's practice named, the token is refused.
    const crossed = await t.api(victim.tenant, attacker.tenant.adminToken, { method: 'GET', url: '/api/scheduling/slots', query: { from: FROM, to: TO, typeId: victim.typeId, locationId: victim.locationId } });
    assert.equal(crossed.statusCode, 401, crossed.body);
    assert.equal(crossed.json().code, 'token_tenant_mismatch');
  },
};

runCoveragePairs(practices, COVERAGE, [
  ['A', 'B', 'pooled → pooled'],
  ['A', 'C', 'pooled → schema'],
]);
