/**
 * The scheduling configuration API: locations and holidays, providers with hours, overrides and
 * time off, resources, appointment types, practice rules. Validation names fields, reads need
 * `scheduling:read`, writes need `settings:manage`, and every write leaves an audit event.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { PASSWORD, startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { DEFAULT_RULES } from '../src/domain/scheduling/rules.ts';

let t: TestApp;
let tenant: TestTenant;
let deskToken: string;
let providerToken: string;
let providerUserId: string;
let deskUserId: string;

async function addStaff(role: string): Promise<{ token: string; userId: string }> {
  const email = `${role}@${tenant.slug}.test`;
  const res = await t.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/staff', payload: { email, name: role, password: PASSWORD, roles: [role] } });
  assert.equal(res.statusCode, 201, res.body);
  const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: tenant.slug, email, password: PASSWORD } });
  assert.equal(login.statusCode, 200, login.body);
  return { token: login.json().accessToken, userId: res.json().userId };
}

before(async () => {
  t = await startTestApp();
  tenant = await t.createTenant('pooled');
  ({ token: deskToken, userId: deskUserId } = await addStaff('front_desk'));
  ({ token: providerToken, userId: providerUserId } = await addStaff('provider'));
});
after(async () => {
  await t.close();
});

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

function admin(method: Method, url: string, payload?: object, query?: Record<string, string>): Promise<LightMyRequestResponse> {
  return t.api(tenant, tenant.adminToken, { method, url, ...(payload ? { payload } : {}), ...(query ? { query } : {}) });
}

/** Asserts a 400 validation_failed whose `errors` name `field`. */
function assertFieldError(res: LightMyRequestResponse, field: string, message?: RegExp): void {
  assert.equal(res.statusCode, 400, res.body);
  const body = res.json();
  assert.equal(body.code, 'validation_failed');
  const hit = (body.errors as { field: string; message: string }[]).find((e) => e.field === field);
  assert.ok(hit, `expected an error on ${field}, got ${JSON.stringify(body.errors)}`);
  if (message) assert.match(hit.message, message);
}

/** The audit actions recorded for a resource id, oldest first. */
async function auditActions(resourceId: string): Promise<string[]> {
  const res = await admin('GET', '/api/audit-events', undefined, { resourceId, limit: '200' });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json().items as { action: string }[]).map((e) => e.action).reverse();
}

async function createLocation(payload: object = {}): Promise<{ id: string } & Record<string, unknown>> {
  const res = await admin('POST', '/api/locations', { name: 'Main street', timeZone: 'Europe/Berlin', ...payload });
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

async function createProvider(payload: object = {}): Promise<{ id: string } & Record<string, unknown>> {
  const res = await admin('POST', '/api/providers', { displayName: 'Dr Ada Lovelace', ...payload });
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

describe('locations', () => {
  test('create, read, list and update; the zone is canonical and hours sorted', async () => {
    const created = await createLocation({
      name: 'Riverside',
      timeZone: 'america/new_york',
      phone: '212 555 0100',
      address: { line1: '1 River Rd', city: 'New York', country: 'US' },
      openingHours: { '1': [['13:00', '18:00'], ['08:00', '12:00']], '7': [] },
    });
    assert.equal(created.timeZone, 'America/New_York');
    assert.deepEqual(created.openingHours, { '1': [['08:00', '12:00'], ['13:00', '18:00']], '7': [] });
    assert.equal(created.active, true);
    assert.equal((await admin('GET', `/api/locations/${created.id}`)).json().name, 'Riverside');

    const patched = await admin('PATCH', `/api/locations/${created.id}`, { name: 'Riverside East', phone: null, openingHours: { '2': [['09:00', '17:00']] }, active: false });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().name, 'Riverside East');
    assert.equal(patched.json().phone, null);
    assert.equal(patched.json().active, false);
    assert.deepEqual(patched.json().openingHours, { '2': [['09:00', '17:00']] });
    assert.equal(patched.json().timeZone, 'America/New_York');

    const list = await admin('GET', '/api/locations');
    assert.equal(list.statusCode, 200);
    const names = (list.json().items as { id: string; name: string }[]).map((l) => l.name);
    assert.ok(names.includes('Riverside East'));
    assert.deepEqual(names, [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    assert.deepEqual(await auditActions(created.id), ['location.create', 'location.update']);
  });

  test('validation names the field: zone, overlapping and reversed intervals, bad times and weekdays', async () => {
    assertFieldError(await admin('POST', '/api/locations', { name: 'X', timeZone: 'Mars/Olympus_Mons' }), 'timeZone', /IANA/);
    assertFieldError(await admin('POST', '/api/locations', { name: 'X', timeZone: 'Europe/Paris', openingHours: { '1': [['08:00', '12:00'], ['11:00', '14:00']] } }), 'openingHours.1', /overlap/);
    assertFieldError(await admin('POST', '/api/locations', { name: 'X', timeZone: 'Europe/Paris', openingHours: { '2': [['18:00', '08:00']] } }), 'openingHours.2.0', /end after/);
    assertFieldError(await admin('POST', '/api/locations', { name: 'X', timeZone: 'Europe/Paris', openingHours: { '3': [['09:00', '09:00']] } }), 'openingHours.3.0');
    assertFieldError(await admin('POST', '/api/locations', { name: 'X', timeZone: 'Europe/Paris', openingHours: { '1': [['8:00', '25:00']] } }), 'openingHours.1.0.0');
    assertFieldError(await admin('POST', '/api/locations', { name: 'X', timeZone: 'Europe/Paris', openingHours: { '8': [] } }), 'openingHours.8');
    assertFieldError(await admin('POST', '/api/locations', { name: '  ', timeZone: 'Europe/Paris' }), 'name');
    const loc = await createLocation();
    assertFieldError(await admin('PATCH', `/api/locations/${loc.id}`, { timeZone: 'Not/AZone' }), 'timeZone');
    // Touching intervals are fine.
    const touching = await admin('PATCH', `/api/locations/${loc.id}`, { openingHours: { '1': [['12:00', '18:00'], ['08:00', '12:00']] } });
    assert.equal(touching.statusCode, 200, touching.body);
    assert.equal((await admin('GET', '/api/locations/not-a-uuid')).json().code, 'not_found');
    // Only the successful writes were audited.
    assert.deepEqual(await auditActions(loc.id), ['location.create', 'location.update']);
  });

  test('holidays: add, list by date, duplicate date is 409 already_exists, delete', async () => {
    const loc = await createLocation();
    const xmas = await admin('POST', `/api/locations/${loc.id}/holidays`, { date: '2027-12-25', name: 'Christmas' });
    assert.equal(xmas.statusCode, 201, xmas.body);
    assert.equal(xmas.json().locationId, loc.id);
    const newYear = await admin('POST', `/api/locations/${loc.id}/holidays`, { date: '2027-01-01', name: 'New Year' });
    assert.equal(newYear.statusCode, 201, newYear.body);
    const dup = await admin('POST', `/api/locations/${loc.id}/holidays`, { date: '2027-12-25', name: 'Again' });
    assert.equal(dup.statusCode, 409, dup.body);
    assert.equal(dup.json().code, 'already_exists');
    assert.equal(dup.json().errors[0].field, 'date');
    assertFieldError(await admin('POST', `/api/locations/${loc.id}/holidays`, { date: '2027-02-30', name: 'Nope' }), 'date');

    const list = await admin('GET', `/api/locations/${loc.id}/holidays`);
    assert.deepEqual(list.json().items.map((h: { date: string }) => h.date), ['2027-01-01', '2027-12-25']);
    const del = await admin('DELETE', `/api/locations/${loc.id}/holidays/${xmas.json().id}`);
    assert.equal(del.statusCode, 204, del.body);
    assert.equal((await admin('DELETE', `/api/locations/${loc.id}/holidays/${xmas.json().id}`)).statusCode, 404);
    assert.deepEqual((await admin('GET', `/api/locations/${loc.id}/holidays`)).json().items.map((h: { name: string }) => h.name), ['New Year']);
    // An empty list for a known location, 404 for an unknown one.
    const other = await createLocation();
    assert.deepEqual((await admin('GET', `/api/locations/${other.id}/holidays`)).json().items, []);
    assert.equal((await admin('GET', '/api/locations/01900000-0000-7000-8000-000000000000/holidays')).statusCode, 404);
    assert.equal((await admin('POST', '/api/locations/01900000-0000-7000-8000-000000000000/holidays', { date: '2027-01-02', name: 'X' })).statusCode, 404);
    assert.deepEqual(await auditActions(loc.id), ['location.create', 'location.holiday.create', 'location.holiday.create', 'location.holiday.delete']);
  });
});

describe('providers', () => {
  test('create linked to a staff member; unknown or already-linked users are refused', async () => {
    const p = await createProvider({ displayName: 'Dr Grace Hopper', userId: providerUserId, color: '#AA00FF' });
    assert.equal(p.userId, providerUserId);
    assert.equal(p.color, '#aa00ff');
    assert.deepEqual(p.hours, []);
    const again = await admin('POST', '/api/providers', { displayName: 'Twin', userId: providerUserId });
    assert.equal(again.statusCode, 409, again.body);
    assert.equal(again.json().code, 'already_exists');
    assertFieldError(await admin('POST', '/api/providers', { displayName: 'Ghost', userId: '01900000-0000-7000-8000-000000000000' }), 'userId', /unknown staff member/);
    assertFieldError(await admin('POST', '/api/providers', { displayName: 'Ghost', color: 'purple' }), 'color');
    assertFieldError(await admin('POST', '/api/providers', { displayName: 'Ghost', userId: 'nope' }), 'userId');

    const patched = await admin('PATCH', `/api/providers/${p.id}`, { displayName: 'Dr G. Hopper', color: null, userId: deskUserId });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().displayName, 'Dr G. Hopper');
    assert.equal(patched.json().color, null);
    assert.equal(patched.json().userId, deskUserId);
    const list = await admin('GET', '/api/providers');
    assert.ok(list.json().items.some((x: { id: string }) => x.id === p.id));
    assert.deepEqual(await auditActions(p.id), ['provider.create', 'provider.update']);
  });

  test('weekly hours per location are replaced, and shown per location', async () => {
    const a = await createLocation({ name: 'A site' });
    const b = await createLocation({ name: 'B site', timeZone: 'Asia/Tokyo' });
    const p = await createProvider();
    const put = await admin('PUT', `/api/providers/${p.id}/hours`, { locationId: a.id, hours: { '1': [['13:00', '17:00'], ['09:00', '12:00']], '3': [['09:00', '17:00']] } });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json().hours, [{ locationId: a.id, hours: { '1': [['09:00', '12:00'], ['13:00', '17:00']], '3': [['09:00', '17:00']] } }]);
    await admin('PUT', `/api/providers/${p.id}/hours`, { locationId: b.id, hours: { '5': [['10:00', '14:00']] } });
    const replaced = await admin('PUT', `/api/providers/${p.id}/hours`, { locationId: a.id, hours: { '2': [['08:00', '12:00']] } });
    const byLocation = new Map((replaced.json().hours as { locationId: string; hours: unknown }[]).map((h) => [h.locationId, h.hours]));
    assert.deepEqual(byLocation.get(a.id), { '2': [['08:00', '12:00']] });
    assert.deepEqual(byLocation.get(b.id), { '5': [['10:00', '14:00']] });
    const detail = await admin('GET', `/api/providers/${p.id}`);
    assert.equal(detail.statusCode, 200, detail.body);
    assert.deepEqual(detail.json().hours, replaced.json().hours);
    // Emptying a location removes it.
    const cleared = await admin('PUT', `/api/providers/${p.id}/hours`, { locationId: b.id, hours: {} });
    assert.deepEqual(cleared.json().hours.map((h: { locationId: string }) => h.locationId), [a.id]);

    assertFieldError(await admin('PUT', `/api/providers/${p.id}/hours`, { locationId: a.id, hours: { '1': [['09:00', '12:00'], ['11:59', '13:00']] } }), 'hours.1', /overlap/);
    assertFieldError(await admin('PUT', `/api/providers/${p.id}/hours`, { locationId: a.id, hours: { '4': [['17:00', '09:00']] } }), 'hours.4.0');
    assertFieldError(await admin('PUT', `/api/providers/${p.id}/hours`, { locationId: '01900000-0000-7000-8000-000000000000', hours: {} }), 'locationId', /unknown location/);
    assert.equal((await admin('PUT', '/api/providers/01900000-0000-7000-8000-000000000000/hours', { locationId: a.id, hours: {} })).statusCode, 404);
    assert.deepEqual(await auditActions(p.id), ['provider.create', 'provider.hours.replace', 'provider.hours.replace', 'provider.hours.replace', 'provider.hours.replace']);
  });

  test('date overrides: set, replace, day off, delete', async () => {
    const loc = await createLocation();
    const p = await createProvider();
    const date = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const set = await admin('PUT', `/api/providers/${p.id}/overrides/${date}`, { locationId: loc.id, intervals: [['14:00', '16:00'], ['10:00', '12:00']], reason: 'Training' });
    assert.equal(set.statusCode, 200, set.body);
    assert.deepEqual(set.json().intervals, [['10:00', '12:00'], ['14:00', '16:00']]);
    const dayOff = await admin('PUT', `/api/providers/${p.id}/overrides/${date}`, { locationId: loc.id, intervals: [] });
    assert.equal(dayOff.statusCode, 200, dayOff.body);
    assert.equal(dayOff.json().id, set.json().id, 'the same override is replaced');
    assert.deepEqual(dayOff.json().intervals, []);
    assert.equal(dayOff.json().reason, null);
    const detail = await admin('GET', `/api/providers/${p.id}`);
    assert.deepEqual(detail.json().overrides, [{ id: set.json().id, locationId: loc.id, date, intervals: [], reason: null }]);

    assertFieldError(await admin('PUT', `/api/providers/${p.id}/overrides/${date}`, { locationId: loc.id, intervals: [['10:00', '12:00'], ['11:00', '13:00']] }), 'intervals', /overlap/);
    assertFieldError(await admin('PUT', `/api/providers/${p.id}/overrides/${date}`, { locationId: loc.id, intervals: [['12:00', '10:00']] }), 'intervals.0');
    assertFieldError(await admin('PUT', `/api/providers/${p.id}/overrides/2027-02-30`, { locationId: loc.id, intervals: [] }), 'date');
    assertFieldError(await admin('PUT', `/api/providers/${p.id}/overrides/${date}`, { locationId: '01900000-0000-7000-8000-000000000000', intervals: [] }), 'locationId');

    assert.equal((await admin('DELETE', `/api/providers/${p.id}/overrides/${date}`, undefined, { locationId: loc.id })).statusCode, 204);
    assert.equal((await admin('DELETE', `/api/providers/${p.id}/overrides/${date}`, undefined, { locationId: loc.id })).statusCode, 404);
    assert.equal((await admin('DELETE', `/api/providers/${p.id}/overrides/${date}`)).statusCode, 400, 'locationId is required');
    assert.deepEqual((await admin('GET', `/api/providers/${p.id}`)).json().overrides, []);
    assert.deepEqual(await auditActions(p.id), ['provider.create', 'provider.override.set', 'provider.override.set', 'provider.override.delete']);
  });

  test('time off: add with offsets, list by start, end must follow start, delete', async () => {
    const p = await createProvider();
    const later = await admin('POST', `/api/providers/${p.id}/time-off`, { startsAt: '2027-08-10T00:00:00+02:00', endsAt: '2027-08-20T00:00:00+02:00', reason: 'Vacation' });
    assert.equal(later.statusCode, 201, later.body);
    assert.equal(later.json().startsAt, '2027-08-09T22:00:00.000Z');
    const sooner = await admin('POST', `/api/providers/${p.id}/time-off`, { startsAt: '2027-03-01T12:00:00Z', endsAt: '2027-03-01T18:00:00Z' });
    assert.equal(sooner.statusCode, 201, sooner.body);
    assertFieldError(await admin('POST', `/api/providers/${p.id}/time-off`, { startsAt: '2027-03-02T12:00:00Z', endsAt: '2027-03-02T11:00:00Z' }), 'endsAt', /after/);
    assertFieldError(await admin('POST', `/api/providers/${p.id}/time-off`, { startsAt: '2027-03-02T12:00:00', endsAt: '2027-03-02T13:00:00Z' }), 'startsAt');
    const list = await admin('GET', `/api/providers/${p.id}/time-off`);
    assert.deepEqual(list.json().items.map((x: { id: string }) => x.id), [sooner.json().id, later.json().id]);
    assert.equal((await admin('DELETE', `/api/providers/${p.id}/time-off/${later.json().id}`)).statusCode, 204);
    assert.equal((await admin('DELETE', `/api/providers/${p.id}/time-off/${later.json().id}`)).statusCode, 404);
    assert.deepEqual((await admin('GET', `/api/providers/${p.id}/time-off`)).json().items.map((x: { id: string }) => x.id), [sooner.json().id]);
    assert.equal((await admin('GET', '/api/providers/01900000-0000-7000-8000-000000000000/time-off')).statusCode, 404);
    const actions = await auditActions(p.id);
    assert.deepEqual(actions, ['provider.create', 'provider.time_off.create', 'provider.time_off.create', 'provider.time_off.delete']);
    const events = await admin('GET', '/api/audit-events', undefined, { resourceId: p.id, action: 'provider.time_off.create' });
    assert.ok(!events.body.includes('Vacation'), 'the reason stays out of the audit trail');
  });
});

describe('resources', () => {
  test('create at a location, list (optionally by location), update', async () => {
    const a = await createLocation();
    const b = await createLocation();
    const room = await admin('POST', '/api/resources', { locationId: a.id, name: 'Exam room 2', kind: 'room' });
    assert.equal(room.statusCode, 201, room.body);
    const xray = await admin('POST', '/api/resources', { locationId: b.id, name: 'X-ray', kind: 'equipment' });
    assert.equal(xray.statusCode, 201, xray.body);
    assertFieldError(await admin('POST', '/api/resources', { locationId: '01900000-0000-7000-8000-000000000000', name: 'Nowhere' }), 'locationId', /unknown location/);
    assertFieldError(await admin('POST', '/api/resources', { locationId: a.id, name: 'Bad', kind: 'Has Spaces' }), 'kind');
    const atA = await admin('GET', '/api/resources', undefined, { locationId: a.id });
    assert.deepEqual(atA.json().items.map((r: { id: string }) => r.id), [room.json().id]);
    const all = (await admin('GET', '/api/resources')).json().items.map((r: { id: string }) => r.id);
    assert.ok(all.includes(room.json().id) && all.includes(xray.json().id));
    const patched = await admin('PATCH', `/api/resources/${room.json().id}`, { name: 'Exam room 3', active: false });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.deepEqual(patched.json(), { id: room.json().id, locationId: a.id, name: 'Exam room 3', kind: 'room', active: false });
    assert.equal((await admin('PATCH', '/api/resources/01900000-0000-7000-8000-000000000000', { name: 'X' })).statusCode, 404);
    assert.deepEqual(await auditActions(room.json().id), ['resource.create', 'resource.update']);
  });
});

describe('appointment types', () => {
  test('create with providers, resources and rule overrides; read, list, update', async () => {
    const loc = await createLocation();
    const p1 = await createProvider({ displayName: 'Dr One' });
    const p2 = await createProvider({ displayName: 'Dr Two' });
    const room = (await admin('POST', '/api/resources', { locationId: loc.id, name: 'Room' })).json();
    const created = await admin('POST', '/api/appointment-types', {
      name: 'Initial consultation',
      durationMinutes: 45,
      bufferAfterMinutes: 10,
      color: '#10B981',
      priceItemCode: 'CONS-1',
      providerIds: [p1.id, p2.id],
      resourceIds: [room.id],
      rules: { minNoticeMinutes: 1440, bookingCondition: { '>=': [{ var: 'patient.ageYears' }, 18] } },
    });
    assert.equal(created.statusCode, 201, created.body);
    const type = created.json();
    assert.equal(type.color, '#10b981');
    assert.equal(type.bufferBeforeMinutes, 0);
    assert.deepEqual([...type.providerIds].sort(), [p1.id, p2.id].sort());
    assert.deepEqual(type.resourceIds, [room.id]);
    assert.deepEqual(type.rules, { minNoticeMinutes: 1440, bookingCondition: { '>=': [{ var: 'patient.ageYears' }, 18] } });
    assert.deepEqual((await admin('GET', `/api/appointment-types/${type.id}`)).json(), type);
    assert.ok((await admin('GET', '/api/appointment-types')).json().items.some((x: { id: string }) => x.id === type.id));

    const patched = await admin('PATCH', `/api/appointment-types/${type.id}`, { providerIds: [p2.id], resourceIds: [], rules: { slotMinutes: 30 }, priceItemCode: null });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.deepEqual(patched.json().providerIds, [p2.id]);
    assert.deepEqual(patched.json().resourceIds, []);
    assert.deepEqual(patched.json().rules, { slotMinutes: 30 });
    assert.equal(patched.json().priceItemCode, null);
    assert.equal(patched.json().durationMinutes, 45);
    assert.deepEqual(await auditActions(type.id), ['appointment_type.create', 'appointment_type.update']);
  });

  test('validation: color, duration, unknown provider or resource, bad JsonLogic, unknown rule key', async () => {
    const base = { name: 'Checkup', durationMinutes: 30 };
    assertFieldError(await admin('POST', '/api/appointment-types', { ...base, color: 'red' }), 'color');
    assertFieldError(await admin('POST', '/api/appointment-types', { ...base, durationMinutes: 3 }), 'durationMinutes');
    assertFieldError(await admin('POST', '/api/appointment-types', { ...base, providerIds: ['01900000-0000-7000-8000-000000000000'] }), 'providerIds', /unknown provider/);
    assertFieldError(await admin('POST', '/api/appointment-types', { ...base, resourceIds: ['01900000-0000-7000-8000-000000000000'] }), 'resourceIds', /unknown resource/);
    assertFieldError(await admin('POST', '/api/appointment-types', { ...base, rules: { bookingCondition: { method: [{ var: 'patient' }, 'toString'] } } }), 'rules.bookingCondition', /not allowed/);
    assertFieldError(await admin('POST', '/api/appointment-types', { ...base, rules: { noSuchRule: 1 } }), 'rules.noSuchRule', /not a known field/);
    const ok = await admin('POST', '/api/appointment-types', base);
    assert.equal(ok.statusCode, 201, ok.body);
    assertFieldError(await admin('PATCH', `/api/appointment-types/${ok.json().id}`, { providerIds: ['01900000-0000-7000-8000-000000000000'] }), 'providerIds');
    assertFieldError(await admin('PATCH', `/api/appointment-types/${ok.json().id}`, { bufferBeforeMinutes: 500 }), 'bufferBeforeMinutes');
    assert.equal((await admin('PATCH', '/api/appointment-types/01900000-0000-7000-8000-000000000000', { name: 'X' })).statusCode, 404);
    assert.deepEqual(await auditActions(ok.json().id), ['appointment_type.create']);
  });
});

describe('practice rules', () => {
  test('defaults, replace, effective rules, reset', async () => {
    const own = await t.createTenant('pooled');
    const call = (method: Method, payload?: object) => t.api(own, own.adminToken, { method, url: '/api/scheduling/rules', ...(payload ? { payload } : {}) });
    const initial = await call('GET');
    assert.equal(initial.statusCode, 200, initial.body);
    assert.deepEqual(initial.json(), { rules: {}, effective: DEFAULT_RULES, updatedAt: null });

    const condition = { and: [{ '>=': [{ var: 'patient.ageYears' }, 16] }, { in: [{ var: 'appointment.weekday' }, [1, 2, 3, 4, 5]] }] };
    const put = await call('PUT', { slotMinutes: 20, lateCancel: 'refuse', maxPerProviderPerDay: 12, bookingCondition: condition });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json().rules, { slotMinutes: 20, lateCancel: 'refuse', maxPerProviderPerDay: 12, bookingCondition: condition });
    assert.deepEqual(put.json().effective, { ...DEFAULT_RULES, slotMinutes: 20, lateCancel: 'refuse', maxPerProviderPerDay: 12, bookingCondition: condition });
    assert.ok(put.json().updatedAt);
    assert.deepEqual((await call('GET')).json(), put.json());

    const reset = await call('PUT', { horizonDays: 30 });
    assert.deepEqual(reset.json().rules, { horizonDays: 30 });
    assert.deepEqual(reset.json().effective, { ...DEFAULT_RULES, horizonDays: 30 });
    const events = await t.api(own, own.adminToken, { method: 'GET', url: '/api/audit-events', query: { action: 'scheduling_rules.update' } });
    assert.equal(events.json().items.length, 2);
  });

  test('bookingCondition must be whitelisted JsonLogic; unknown keys are refused', async () => {
    const own = await t.createTenant('pooled');
    const put = (payload: object) => t.api(own, own.adminToken, { method: 'PUT', url: '/api/scheduling/rules', payload });
    assertFieldError(await put({ bookingCondition: { method: [{ var: 'patient.sex' }, 'toUpperCase'] } }), 'bookingCondition', /"method".*not allowed/);
    assertFieldError(await put({ bookingCondition: { '==': [{ substr: ['abc', 1] }, 'bc'] } }), 'bookingCondition', /"substr"/);
    assertFieldError(await put({ bookingCondition: { '==': [1, 1], '!=': [1, 2] } }), 'bookingCondition', /exactly one operator/);
    assertFieldError(await put({ bookingCondition: {} }), 'bookingCondition');
    let deep: unknown = { var: 'patient.ageYears' };
    for (let i = 0; i < 30; i++) deep = { '!': [deep] };
    assertFieldError(await put({ bookingCondition: deep as object }), 'bookingCondition', /deeper/);
    assertFieldError(await put({ slotMinutes: 15, notARule: true }), 'notARule', /not a known field/);
    assertFieldError(await put({ lateCancel: 'charge' }), 'lateCancel');
    // Nothing was saved and nothing audited.
    assert.deepEqual((await t.api(own, own.adminToken, { method: 'GET', url: '/api/scheduling/rules' })).json().rules, {});
    const events = await t.api(own, own.adminToken, { method: 'GET', url: '/api/audit-events', query: { action: 'scheduling_rules.update' } });
    assert.deepEqual(events.json().items, []);
    // null clears the condition explicitly.
    const cleared = await put({ bookingCondition: null });
    assert.equal(cleared.statusCode, 200, cleared.body);
    assert.equal(cleared.json().effective.bookingCondition, null);
  });
});

describe('permissions', () => {
  test('front desk and providers read the configuration but cannot change it', async () => {
    const loc = await createLocation();
    const p = await createProvider();
    const type = (await admin('POST', '/api/appointment-types', { name: 'Visit', durationMinutes: 20 })).json();
    const reads = ['/api/locations', `/api/locations/${loc.id}`, `/api/locations/${loc.id}/holidays`, '/api/providers', `/api/providers/${p.id}`, `/api/providers/${p.id}/time-off`, '/api/resources', '/api/appointment-types', `/api/appointment-types/${type.id}`, '/api/scheduling/rules'];
    for (const token of [deskToken, providerToken]) {
      for (const url of reads) {
        const res = await t.api(tenant, token, { method: 'GET', url });
        assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
      }
    }
    const writes: [Method, string, object][] = [
      ['POST', '/api/locations', { name: 'Desk', timeZone: 'Europe/Berlin' }],
      ['PATCH', `/api/locations/${loc.id}`, { name: 'Desk' }],
      ['POST', `/api/locations/${loc.id}/holidays`, { date: '2027-05-01', name: 'May Day' }],
      ['POST', '/api/providers', { displayName: 'Desk' }],
      ['PATCH', `/api/providers/${p.id}`, { displayName: 'Desk' }],
      ['PUT', `/api/providers/${p.id}/hours`, { locationId: loc.id, hours: {} }],
      ['PUT', `/api/providers/${p.id}/overrides/2027-05-03`, { locationId: loc.id, intervals: [] }],
      ['POST', `/api/providers/${p.id}/time-off`, { startsAt: '2027-05-01T00:00:00Z', endsAt: '2027-05-02T00:00:00Z' }],
      ['POST', '/api/resources', { locationId: loc.id, name: 'Desk' }],
      ['POST', '/api/appointment-types', { name: 'Desk', durationMinutes: 20 }],
      ['PATCH', `/api/appointment-types/${type.id}`, { name: 'Desk' }],
      ['PUT', '/api/scheduling/rules', { slotMinutes: 5 }],
    ];
    for (const token of [deskToken, providerToken]) {
      for (const [method, url, payload] of writes) {
        const res = await t.api(tenant, token, { method, url, payload });
        assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
        assert.equal(res.json().code, 'permission_denied');
        assert.match(res.json().detail, /settings:manage/);
      }
      const del = await t.api(tenant, token, { method: 'DELETE', url: `/api/providers/${p.id}/overrides/2027-05-03`, query: { locationId: loc.id } });
      assert.equal(del.statusCode, 403, del.body);
    }
    assert.equal((await admin('GET', `/api/locations/${loc.id}`)).json().name, 'Main street');
    assert.deepEqual(await auditActions(loc.id), ['location.create']);
  });
});
