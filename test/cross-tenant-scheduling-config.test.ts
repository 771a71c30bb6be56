/**
 * Tenant isolation of the scheduling configuration API: one case per route (the meta test in
 * cross-tenant.test.ts reads the `COVERAGE` keys). Another practice's ids in the path answer 404
 * `not_found`, in a body `validation_failed`; lists hold none of its rows; its tables never change.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { NOWHERE, assertLikeMissing, assertNotFound } from './support/cross-tenant-kit.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;

/** A practice with one of everything the configuration API manages. */
interface Practice {
  readonly tenant: TestTenant;
  readonly adminId: string;
  readonly locationId: string;
  readonly locationName: string;
  readonly holidayId: string;
  readonly providerId: string;
  readonly timeOffId: string;
  readonly resourceId: string;
  readonly typeId: string;
  /** The practice's distinctive slot length. */
  readonly slotMinutes: number;
}

const practices: Record<'A' | 'B' | 'C', Practice> = {} as never;
const OVERRIDE_DATE = '2031-03-04';

async function ok(res: LightMyRequestResponse, status = 200): Promise<Record<string, unknown> & { id: string }> {
  assert.equal(res.statusCode, status, res.body);
  return res.json();
}

async function makePractice(tier: 'pooled' | 'schema', index: number): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => t.api(tenant, tenant.adminToken, { method, url, ...(payload ? { payload } : {}) });
  const adminId = (await ok(await call('GET', '/api/me'))).userId as string;
  const locationName = `Site ${tenant.slug}`;
  const location = await ok(await call('POST', '/api/locations', { name: locationName, timeZone: 'Europe/Vienna', openingHours: { '1': [['08:00', '18:00']] } }), 201);
  const holiday = await ok(await call('POST', `/api/locations/${location.id}/holidays`, { date: '2031-12-24', name: 'Christmas Eve' }), 201);
  const provider = await ok(await call('POST', '/api/providers', { displayName: `Dr ${tenant.slug}`, userId: adminId }), 201);
  await ok(await call('PUT', `/api/providers/${provider.id}/hours`, { locationId: location.id, hours: { '1': [['09:00', '17:00']] } }));
  await ok(await call('PUT', `/api/providers/${provider.id}/overrides/${OVERRIDE_DATE}`, { locationId: location.id, intervals: [['10:00', '12:00']] }));
  const timeOff = await ok(await call('POST', `/api/providers/${provider.id}/time-off`, { startsAt: '2031-07-01T00:00:00+02:00', endsAt: '2031-07-15T00:00:00+02:00' }), 201);
  const resource = await ok(await call('POST', '/api/resources', { locationId: location.id, name: `Room ${tenant.slug}` }), 201);
  const type = await ok(await call('POST', '/api/appointment-types', { name: `Visit ${tenant.slug}`, durationMinutes: 30, providerIds: [provider.id], resourceIds: [resource.id] }), 201);
  const slotMinutes = 10 + 5 * index;
  await ok(await call('PUT', '/api/scheduling/rules', { slotMinutes }));
  return {
    tenant,
    adminId,
    locationId: location.id,
    locationName,
    holidayId: holiday.id,
    providerId: provider.id,
    timeOffId: timeOff.id,
    resourceId: resource.id,
    typeId: type.id,
    slotMinutes,
  };
}

before(async () => {
  t = await startTestApp();
  practices.A = await makePractice('pooled', 0);
  practices.B = await makePractice('pooled', 1);
  practices.C = await makePractice('schema', 2);
});
after(async () => {
  await t.close();
});

const TABLES = [
  'locations',
  'location_holidays',
  'providers',
  'provider_hours',
  'provider_overrides',
  'provider_time_off',
  'resources',
  'appointment_types',
  'appointment_type_providers',
  'appointment_type_resources',
  'scheduling_settings',
  'audit_events',
] as const;

/** Everything the victim's configuration holds, read straight from its tables. */
async function snapshot(p: Practice): Promise<Record<string, string[]>> {
  const ref = await t.services.tenants.bySlug(p.tenant.slug);
  assert.ok(ref);
  return withTenant(t.services.db, ref, async (tx) => {
    const out: Record<string, string[]> = {};
    for (const table of TABLES) {
      out[table] = (await tx.query(`select * from ${table} where tenant_id = $1`, [tx.tenantId])).rows.map((r) => JSON.stringify(r)).sort();
    }
    assert.ok(out.locations!.length > 0 && out.provider_overrides!.length > 0, 'the snapshot sees the victim’s rows');
    return out;
  });
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

function as(attacker: Practice, method: Method, url: string, payload?: object, query?: Record<string, string>): Promise<LightMyRequestResponse> {
  return t.api(attacker.tenant, attacker.tenant.adminToken, { method, url, ...(payload ? { payload } : {}), ...(query ? { query } : {}) });
}


/** A body id of another practice is an unknown reference, named by its field. */
function assertUnknownReference(res: LightMyRequestResponse, field: string): void {
  assert.equal(res.statusCode, 400, res.body);
  assert.equal(res.json().code, 'validation_failed');
  assert.deepEqual(res.json().errors.map((e: { field: string }) => e.field), [field]);
}

async function idsOf(attacker: Practice, url: string, query?: Record<string, string>): Promise<string[]> {
  const res = await as(attacker, 'GET', url, undefined, query);
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items.map((x: { id: string }) => x.id);
}

/** The victim's id answers exactly like an id that exists nowhere. */
async function assertLikeNowhere(attacker: Practice, method: Method, victimUrl: string, nowhereUrl: string, payload?: object): Promise<void> {
  const theirs = await as(attacker, method, victimUrl, payload);
  const nowhere = await as(attacker, method, nowhereUrl, payload);
  assertLikeMissing(theirs, nowhere);
}

type Case = (attacker: Practice, victim: Practice) => Promise<void>;

/** One cross-tenant case per scheduling configuration route, keyed as "METHOD /openapi/path". */
const COVERAGE: Record<string, Case> = {
  'GET /api/locations': async (attacker, victim) => {
    const ids = await idsOf(attacker, '/api/locations');
    assert.ok(ids.includes(attacker.locationId));
    assert.ok(!ids.includes(victim.locationId));
    assert.ok(!(await as(attacker, 'GET', '/api/locations')).body.includes(victim.locationName));
  },
  'POST /api/locations': async (attacker, victim) => {
    const created = await as(attacker, 'POST', '/api/locations', { name: 'New site', timeZone: 'UTC' });
    assert.equal(created.statusCode, 201, created.body);
    assert.ok((await idsOf(attacker, '/api/locations')).includes(created.json().id));
    const smuggled = await as(attacker, 'POST', '/api/locations', { name: 'New site', timeZone: 'UTC', tenantId: victim.tenant.id });
    assert.equal(smuggled.statusCode, 400, smuggled.body);
  },
  'GET /api/locations/{id}': async (attacker, victim) => {
    await assertLikeNowhere(attacker, 'GET', `/api/locations/${victim.locationId}`, `/api/locations/${NOWHERE}`);
  },
  'PATCH /api/locations/{id}': async (attacker, victim) => {
    assertNotFound(await as(attacker, 'PATCH', `/api/locations/${victim.locationId}`, { name: 'Hacked', active: false }));
  },
  'GET /api/locations/{id}/holidays': async (attacker, victim) => {
    await assertLikeNowhere(attacker, 'GET', `/api/locations/${victim.locationId}/holidays`, `/api/locations/${NOWHERE}/holidays`);
  },
  'POST /api/locations/{id}/holidays': async (attacker, victim) => {
    assertNotFound(await as(attacker, 'POST', `/api/locations/${victim.locationId}/holidays`, { date: '2031-01-01', name: 'Hacked' }));
  },
  'DELETE /api/locations/{id}/holidays/{holidayId}': async (attacker, victim) => {
    assertNotFound(await as(attacker, 'DELETE', `/api/locations/${victim.locationId}/holidays/${victim.holidayId}`));
    assertNotFound(await as(attacker, 'DELETE', `/api/locations/${attacker.locationId}/holidays/${victim.holidayId}`));
  },
  'GET /api/providers': async (attacker, victim) => {
    const res = await as(attacker, 'GET', '/api/providers');
    const ids = res.json().items.map((p: { id: string }) => p.id) as string[];
    assert.ok(ids.includes(attacker.providerId));
    assert.ok(!ids.includes(victim.providerId));
    assert.ok(!res.body.includes(victim.locationId) && !res.body.includes(victim.adminId));
  },
  'POST /api/providers': async (attacker, victim) => {
    assertUnknownReference(await as(attacker, 'POST', '/api/providers', { displayName: 'Borrowed', userId: victim.adminId }), 'userId');
    const created = await as(attacker, 'POST', '/api/providers', { displayName: 'New provider' });
    assert.equal(created.statusCode, 201, created.body);
    assert.ok((await idsOf(attacker, '/api/providers')).includes(created.json().id));
  },
  'GET /api/providers/{id}': async (attacker, victim) => {
    await assertLikeNowhere(attacker, 'GET', `/api/providers/${victim.providerId}`, `/api/providers/${NOWHERE}`);
  },
  'PATCH /api/providers/{id}': async (attacker, victim) => {
    assertNotFound(await as(attacker, 'PATCH', `/api/providers/${victim.providerId}`, { displayName: 'Hacked', userId: null }));
    assertUnknownReference(await as(attacker, 'PATCH', `/api/providers/${attacker.providerId}`, { userId: victim.adminId }), 'userId');
  },
  'PUT /api/providers/{id}/hours': async (attacker, victim) => {
    assertNotFound(await as(attacker, 'PUT', `/api/providers/${victim.providerId}/hours`, { locationId: victim.locationId, hours: {} }));
    assertNotFound(await as(attacker, 'PUT', `/api/providers/${victim.providerId}/hours`, { locationId: attacker.locationId, hours: {} }));
    assertUnknownReference(await as(attacker, 'PUT', `/api/providers/${attacker.providerId}/hours`, { locationId: victim.locationId, hours: { '2': [['09:00', '10:00']] } }), 'locationId');
  },
  'PUT /api/providers/{id}/overrides/{date}': async (attacker, victim) => {
    assertNotFound(await as(attacker, 'PUT', `/api/providers/${victim.providerId}/overrides/${OVERRIDE_DATE}`, { locationId: victim.locationId, intervals: [] }));
    assertUnknownReference(await as(attacker, 'PUT', `/api/providers/${attacker.providerId}/overrides/${OVERRIDE_DATE}`, { locationId: victim.locationId, intervals: [] }), 'locationId');
  },
  'DELETE /api/providers/{id}/overrides/{date}': async (attacker, victim) => {
    assertNotFound(await as(attacker, 'DELETE', `/api/providers/${victim.providerId}/overrides/${OVERRIDE_DATE}`, undefined, { locationId: victim.locationId }));
    assertNotFound(await as(attacker, 'DELETE', `/api/providers/${attacker.providerId}/overrides/${OVERRIDE_DATE}`, undefined, { locationId: victim.locationId }));
  },
  'GET /api/providers/{id}/time-off': async (attacker, victim) => {
    await assertLikeNowhere(attacker, 'GET', `/api/providers/${victim.providerId}/time-off`, `/api/providers/${NOWHERE}/time-off`);
    assert.ok(!(await idsOf(attacker, `/api/providers/${attacker.providerId}/time-off`)).includes(victim.timeOffId));
  },
  'POST /api/providers/{id}/time-off': async (attacker, victim) => {
    assertNotFound(await as(attacker, 'POST', `/api/providers/${victim.providerId}/time-off`, { startsAt: '2031-09-01T00:00:00Z', endsAt: '2031-09-02T00:00:00Z' }));
  },
  'DELETE /api/providers/{id}/time-off/{timeOffId}': async (attacker, victim) => {
    assertNotFound(await as(attacker, 'DELETE', `/api/providers/${victim.providerId}/time-off/${victim.timeOffId}`));
    assertNotFound(await as(attacker, 'DELETE', `/api/providers/${attacker.providerId}/time-off/${victim.timeOffId}`));
  },
  'GET /api/resources': async (attacker, victim) => {
    const ids = await idsOf(attacker, '/api/resources');
    assert.ok(ids.includes(attacker.resourceId));
    assert.ok(!ids.includes(victim.resourceId));
    assert.deepEqual(await idsOf(attacker, '/api/resources', { locationId: victim.locationId }), []);
  },
  'POST /api/resources': async (attacker, victim) => {
    assertUnknownReference(await as(attacker, 'POST', '/api/resources', { locationId: victim.locationId, name: 'Smuggled room' }), 'locationId');
  },
  'PATCH /api/resources/{id}': async (attacker, victim) => {
    assertNotFound(await as(attacker, 'PATCH', `/api/resources/${victim.resourceId}`, { name: 'Hacked', active: false }));
  },
  'GET /api/appointment-types': async (attacker, victim) => {
    const res = await as(attacker, 'GET', '/api/appointment-types');
    const ids = res.json().items.map((x: { id: string }) => x.id) as string[];
    assert.ok(ids.includes(attacker.typeId));
    assert.ok(!ids.includes(victim.typeId));
    assert.ok(!res.body.includes(victim.providerId) && !res.body.includes(victim.resourceId));
  },
  'POST /api/appointment-types': async (attacker, victim) => {
    assertUnknownReference(await as(attacker, 'POST', '/api/appointment-types', { name: 'X', durationMinutes: 15, providerIds: [victim.providerId] }), 'providerIds');
    assertUnknownReference(await as(attacker, 'POST', '/api/appointment-types', { name: 'X', durationMinutes: 15, providerIds: [attacker.providerId, victim.providerId] }), 'providerIds');
    assertUnknownReference(await as(attacker, 'POST', '/api/appointment-types', { name: 'X', durationMinutes: 15, resourceIds: [victim.resourceId] }), 'resourceIds');
  },
  'GET /api/appointment-types/{id}': async (attacker, victim) => {
    await assertLikeNowhere(attacker, 'GET', `/api/appointment-types/${victim.typeId}`, `/api/appointment-types/${NOWHERE}`);
  },
  'PATCH /api/appointment-types/{id}': async (attacker, victim) => {
    assertNotFound(await as(attacker, 'PATCH', `/api/appointment-types/${victim.typeId}`, { providerIds: [], name: 'Hacked' }));
    assertUnknownReference(await as(attacker, 'PATCH', `/api/appointment-types/${attacker.typeId}`, { resourceIds: [victim.resourceId] }), 'resourceIds');
  },
  'GET /api/scheduling/rules': async (attacker, victim) => {
    const res = await as(attacker, 'GET', '/api/scheduling/rules');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().rules.slotMinutes, attacker.slotMinutes);
    assert.notEqual(res.json().effective.slotMinutes, victim.slotMinutes);
  },
  'PUT /api/scheduling/rules': async (attacker) => {
    // It can only ever write the caller's own practice (the runner compares the victim's tables).
    const res = await as(attacker, 'PUT', '/api/scheduling/rules', { slotMinutes: attacker.slotMinutes });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().effective.slotMinutes, attacker.slotMinutes);
  },
};

/** A concrete URL for an OpenAPI path with the victim's ids, and a body that would pass validation. */
function victimRequest(route: string, victim: Practice): { method: Method; url: string; payload?: object; query?: Record<string, string> } {
  const [method, path] = route.split(' ') as [Method, string];
  const url = path
    .replace('/locations/{id}', `/locations/${victim.locationId}`)
    .replace('/providers/{id}', `/providers/${victim.providerId}`)
    .replace('/resources/{id}', `/resources/${victim.resourceId}`)
    .replace('/appointment-types/{id}', `/appointment-types/${victim.typeId}`)
    .replace('{holidayId}', victim.holidayId)
    .replace('{timeOffId}', victim.timeOffId)
    .replace('{date}', OVERRIDE_DATE);
  const query = route.startsWith('DELETE /api/providers/{id}/overrides') ? { locationId: victim.locationId } : undefined;
  const payload = method === 'GET' || method === 'DELETE' ? undefined : method === 'PUT' && path.endsWith('/hours') ? { locationId: victim.locationId, hours: {} } : { name: 'Hacked' };
  return { method, url, ...(payload ? { payload } : {}), ...(query ? { query } : {}) };
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
        const before = await snapshot(practices[b]);
        await check(practices[a], practices[b]);
        assert.deepEqual(await snapshot(practices[b]), before, `${b}'s configuration changed`);
      });
    }

    test(`${a}'s token naming ${b} in X-Tenant is refused on every route`, async () => {
      const attacker = practices[a];
      const victim = practices[b];
      const before = await snapshot(victim);
      for (const route of Object.keys(COVERAGE)) {
        const req = victimRequest(route, victim);
        const res = await t.api(victim.tenant, attacker.tenant.adminToken, req);
        assert.equal(res.statusCode, 401, `${route}: ${res.body}`);
        assert.equal(res.json().code, 'token_tenant_mismatch', route);
      }
      assert.deepEqual(await snapshot(victim), before);
    });
  });
}

test('every practice still reads its own configuration intact', async () => {
  for (const p of Object.values(practices)) {
    const call = (url: string) => t.api(p.tenant, p.tenant.adminToken, { method: 'GET', url });
    const provider = await ok(await call(`/api/providers/${p.providerId}`));
    assert.equal(provider.userId, p.adminId);
    assert.deepEqual(provider.hours, [{ locationId: p.locationId, hours: { '1': [['09:00', '17:00']] } }]);
    assert.deepEqual(provider.overrides, [{ id: (provider.overrides as { id: string }[])[0]!.id, locationId: p.locationId, date: OVERRIDE_DATE, intervals: [['10:00', '12:00']], reason: null }]);
    assert.equal((await ok(await call(`/api/locations/${p.locationId}`))).name, p.locationName);
    assert.deepEqual((await ok(await call(`/api/locations/${p.locationId}/holidays`))).items, [{ id: p.holidayId, locationId: p.locationId, date: '2031-12-24', name: 'Christmas Eve' }]);
    assert.deepEqual(((await ok(await call(`/api/providers/${p.providerId}/time-off`))).items as { id: string }[]).map((x) => x.id), [p.timeOffId]);
    const type = await ok(await call(`/api/appointment-types/${p.typeId}`));
    assert.deepEqual([type.providerIds, type.resourceIds], [[p.providerId], [p.resourceId]]);
    assert.equal(((await ok(await call('/api/scheduling/rules'))).rules as { slotMinutes: number }).slotMinutes, p.slotMinutes);
  }
});
